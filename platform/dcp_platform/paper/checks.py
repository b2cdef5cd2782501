"""Start-up check: a definition's `why_we_ask` texts are plain, non-empty text of a sensible length."""

from __future__ import annotations

import os
from typing import Any

from django.core.checks import CheckMessage, Error, register

from dcp_platform.definitions import Definition
from dcp_platform.paper.models import WHY_WE_ASK_MAX_LENGTH
from dcp_platform.registry import all_plugins, definitions_for


def why_we_ask_problems(definition: Definition) -> list[str]:
    problems = []
    where = f"{definition.collection} {definition.form} {definition.year}"
    mapping = definition.raw.get("why_we_ask", {})
    if not isinstance(mapping, dict):
        return [f"{where}: the top-level why_we_ask must map question ids to texts"]
    written = [(str(qid), text) for qid, text in mapping.items()]
    written += [(q.id, q.extra["why_we_ask"]) for q in definition.questions.values() if "why_we_ask" in q.extra]
    for question_id, text in written:
        name = f"{where}, question {question_id}"
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{name}: why_we_ask must be a text")
        elif len(text) > WHY_WE_ASK_MAX_LENGTH:
            problems.append(f"{name}: why_we_ask is {len(text)} characters; keep it to {WHY_WE_ASK_MAX_LENGTH}")
    return problems


@register()
def why_we_ask_texts_are_text(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if os.environ.get("DCP_SKIP_DEFINITION_CHECK") == "1":
        return []
    return [
        Error(problem, hint="Write why_we_ask as one plain-text paragraph.", id="paper.E001")
        for slug in all_plugins() for definition in definitions_for(slug).values()
        for problem in why_we_ask_problems(definition)
    ]
