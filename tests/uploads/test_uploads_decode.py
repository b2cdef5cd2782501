"""The decoder's answer-code look-up gives exactly what the definition's coercion gives, for every installed form."""

from __future__ import annotations

import pytest
from dcp_platform.registry import all_plugins, definitions_for
from dcp_platform.uploads.decode import _code_table

FORMS = [(slug, key) for slug in sorted(all_plugins()) for key in sorted(definitions_for(slug))]


@pytest.mark.parametrize(("slug", "form_year"), FORMS)
def test_code_lookup_matches_coercion(slug: str, form_year: tuple[str, int]) -> None:
    definition = definitions_for(slug)[form_year]
    checked = 0
    for question in definition.questions.values():
        table = _code_table(question)
        if table is None:
            continue
        for option in question.options:
            for text in {str(option.code), str(option.code).lower(), str(option.code).upper()}:
                expected, error = definition.coerce(question, f" {text} ")
                looked_up = table.get(text, table.get(text.lower()))
                if error is None:
                    assert looked_up == expected and type(looked_up) is type(expected), (question.id, text)
                else:
                    assert looked_up is None, (question.id, text)
                checked += 1
    assert checked > 0
