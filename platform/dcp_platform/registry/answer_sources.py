"""Answers known about an organisation before anyone types them: the hook prefill plugs into.

An *answer source* is a function `source(*, definition, organisation) -> {question id: stored answer}` giving
what is known for every record of that organisation (a stock-holding organisation with no relationships owns
and manages its own lettings; later, the defaults its coordinator sets). The platform's sources are named in
the `DCP_ANSWER_SOURCES` setting (dotted paths, so a source may live in any app without the registry importing
it); a collection adds its own in `CollectionPlugin.answer_sources`. The first source to give an answer wins;
answers to questions the definition does not have, and empty answers, are dropped.

Read by the paper form (an organisation's version is filled in with them); the other channels are meant to
apply the same answers when a record leaves them empty (issue 22).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from dcp_platform.definitions import Definition

AnswerSource = Callable[..., Mapping[str, Any]]


@cache
def platform_answer_sources() -> tuple[AnswerSource, ...]:
    return tuple(import_string(path) for path in getattr(settings, "DCP_ANSWER_SOURCES", ()))


def known_answers(
    *, definition: Definition, organisation: Any, plugin_sources: tuple[AnswerSource, ...] = ()
) -> dict[str, Any]:
    """Answers known for every record of `organisation` under `definition`, from every answer source."""
    answers: dict[str, Any] = {}
    for source in (*platform_answer_sources(), *plugin_sources):
        for question_id, value in source(definition=definition, organisation=organisation).items():
            if question_id in definition.questions and question_id not in answers and value not in (None, "", []):
                answers[question_id] = value
    return answers
