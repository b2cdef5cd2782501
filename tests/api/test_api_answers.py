"""Reading API answers: the fast path for option codes gives exactly what the definition's coercion gives."""

from __future__ import annotations

import pytest
from dcp_api.answers import _coerce
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for


def _installed() -> list[Definition]:
    return [definition for slug in sorted(all_plugins()) for definition in definitions_for(slug).values()]


@pytest.mark.parametrize("definition", _installed(), ids=lambda d: f"{d.form}-{d.year}")
def test_option_codes_read_as_the_definition_coerces_them(definition: Definition) -> None:
    checked = 0
    for question in definition.questions.values():
        if question.type == "date":
            continue  # the API's own strictness: ISO 8601 dates only (tested in test_api_records)
        for value in [option.code for option in question.options] + [-1, 10**6, True, False, "1", 1.0]:
            assert _coerce(definition, question, value) == definition.coerce(question, value), (question.id, value)
            checked += 1
    assert checked
