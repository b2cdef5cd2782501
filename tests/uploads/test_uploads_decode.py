"""The decoder's answer-code look-up gives exactly what the definition's coercion gives, for every installed form."""

from __future__ import annotations

import random

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for, get_plugin
from dcp_platform.uploads import decode
from dcp_platform.uploads.decode import MEMO_SIZE, RowDecoder, _code_table

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


def _varied_cells(definition: Definition, rng: random.Random) -> dict[int, str]:
    """A template row of mixed values: valid codes, blanks, numbers, dates parts, junk, padded text."""
    cells: dict[int, str] = {}
    for number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        choices = ["", "", " ", "1", "2", "0", "x", "Yes", "no", "34", "12.5", "-3", "2026", "31", "13", "LS6", "1AA"]
        choices += [f" {option.code} " for option in question.options[:6]] + [str(o.code) for o in question.options[:6]]
        if rng.random() < 0.2:
            continue  # the column is not in the file at all (a provider file's unmapped field)
        cells[number] = rng.choice(choices)
    return cells


@pytest.mark.parametrize(("slug", "form_year"), FORMS)
@pytest.mark.parametrize("memo_size", [2, MEMO_SIZE])
def test_remembered_step_outcomes_decode_exactly_as_running_every_step(
    slug: str, form_year: tuple[str, int], memo_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode, "MEMO_SIZE", memo_size)  # 2: memories are emptied again and again
    definition = definitions_for(slug)[form_year]
    decoder = RowDecoder(definition, get_plugin(slug).codecs)
    rng = random.Random(11)
    rows = [_varied_cells(definition, rng) for _ in range(60)]
    for cells in rows * 3:  # each row again, so outcomes are remembered and reused
        answers, errors = decoder.decode(cells)
        expected_answers, expected_errors = decoder.decode_step_by_step(cells)
        assert answers == expected_answers
        assert list(errors.items()) == list(expected_errors.items())
        assert repr(answers) == repr(expected_answers)  # same types (1 is not "1", Decimal is not float)


def test_rows_never_share_a_remembered_list() -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    question = next(q for q in definition.questions.values()
                    if q.type == "checkboxes" and q.group is None and any(o.template_fields for o in q.options))
    cells = {number: "1" for option in question.options for number in option.template_fields}
    first, _ = decoder.decode(cells)
    second, _ = decoder.decode(cells)
    assert first[question.id] == second[question.id] and first[question.id] is not second[question.id]
