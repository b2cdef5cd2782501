"""Steps run straight into a row's answers (RowDecoder._direct), outcomes remembered as plain dicts, and provider
columns taken as they are (RowCells.field_values) give exactly what the plain ways give: the same answers in the
same order, the same cell errors and messages."""

from __future__ import annotations

import random

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for, get_plugin
from dcp_platform.uploads import decode as decode_module
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.mapping import mapper_for
from dcp_platform.uploads.rows import RowCells

FORMS = [(slug, key) for slug in sorted(all_plugins()) for key in sorted(definitions_for(slug))]
TEXTS = ["", " ", "1", " 1 ", "01", "2", "0", "yes", "Y", "x", "abc", "-3", "2026", "31/02/2026", "2026-06-01",
         "LS6 1AA", "ls61aa", "F", "f", "AST", "£1,234.5", "12.345", "1e3", " T12 ", "x" * 300]


def _unique(rng: random.Random, number: int) -> str:
    """A text no other row has (a reference, an amount, a count, a date), or now and then one that repeats."""
    return rng.choice([f"R{number}", f" R{number} ", f"{number}.{number % 100:02d}", str(number), f"{number % 97}",
                       f"{1 + number % 28}/{1 + number % 12}/2026", rng.choice(TEXTS), "x" * (number % 400)])


def _rows(definition: Definition, count: int, seed: int) -> list[dict[int, str]]:
    numbers = sorted(definition.template_field_map())
    rng = random.Random(seed)
    unique = set(rng.sample(numbers, k=max(1, len(numbers) // 4)))  # columns whose values hardly ever repeat
    rows = []
    for row_number in range(count):
        cells = {}
        for n in numbers:
            if rng.random() < 0.1:
                continue  # no such column
            cells[n] = _unique(rng, row_number) if n in unique else rng.choice(TEXTS[:6])
        rows.append(cells)
    return rows


@pytest.mark.parametrize(("slug", "form_year"), FORMS)
@pytest.mark.parametrize(("share", "memo_size"), [(0.0, decode_module.MEMO_SIZE), (0.5, 2), (2.0, decode_module.MEMO_SIZE)])
@pytest.mark.parametrize("early", [8, 1000])
def test_steps_run_straight_into_the_answers_decode_as_every_step(
    slug: str, form_year: tuple[str, int], share: float, memo_size: int, early: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """share 0: every single-cell step that varied runs straight; 2: none does (the remembered way). Early 8:
    planned after 8 rows, then again after 20; 1000: only after 20."""
    monkeypatch.setattr(decode_module, "REPLAN_AFTER", 20)
    monkeypatch.setattr(decode_module, "EARLY_REPLAN", early)
    monkeypatch.setattr(decode_module, "VOLATILE_KEYS", 4)
    monkeypatch.setattr(decode_module, "DIRECT_SHARE", share)
    monkeypatch.setattr(decode_module, "MEMO_SIZE", memo_size)
    definition = definitions_for(slug)[form_year]
    if not definition.template_field_map():
        pytest.skip("this form has no template")
    decoder = RowDecoder(definition, get_plugin(slug).codecs)
    rows = _rows(definition, 90, seed=11)
    for cells in rows + rows[:30]:
        assert repr(decoder.decode(cells)) == repr(decoder.decode_step_by_step(cells))
    direct = [plan for plan in decoder._plans if plan[3] is not None]
    assert bool(direct) == (share < 1)


def test_lists_are_never_shared_between_rows() -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    rows = _rows(definition, 60, seed=5)
    for cells in rows:
        first, second = decoder.decode(cells)[0], decoder.decode(cells)[0]
        assert repr(first) == repr(second)
        for key, value in first.items():
            if isinstance(value, list):
                assert value is not second[key]
                for item, other in zip(value, second[key], strict=True):
                    if isinstance(item, dict):
                        assert item is not other or not item
                        assert all(v is not other[k] for k, v in item.items() if isinstance(v, list))


@pytest.mark.parametrize("mapped", [False, True])
def test_provider_columns_taken_as_they_are_are_the_cells_of_the_row(mapped: bool) -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    targets = mapper_for(definition).targets
    used: set[int] = set()
    column_mapping: dict[str, str] = {}
    for target in targets:
        if used.isdisjoint(target.fields) and len(column_mapping) < 40:
            used.update(target.fields)
            column_mapping[str(len(column_mapping))] = target.key
    assert {t.kind for t in targets if t.key in column_mapping.values()} >= {"value", "date"}
    value_mapping = {key: {"Female": "F", " AST ": "2"} for key in list(column_mapping.values())[::3]} if mapped else {}
    cells = RowCells.build(definition, column_mapping, value_mapping)
    width = len(column_mapping)
    rng = random.Random(17)
    for number in range(200):
        row = [_unique(rng, number) if rng.random() < 0.5 else rng.choice(TEXTS)
               for _ in range(rng.randint(width - 3, width))]  # short rows too: missing cells are ""
        values = cells.field_values(row, decoder.width)
        expected: list[str | None] = [None] * decoder.width
        for field, text in cells.cells(row).items():
            if field < decoder.width:
                expected[field] = text
        assert values == expected
        assert repr(decoder.decode_values(values)) == repr(decoder.decode_step_by_step(cells.cells(row)))


def test_a_step_run_straight_stays_so_when_planned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step run straight no longer counts misses: the second plan must not take it for a quiet one."""
    monkeypatch.setattr(decode_module, "EARLY_REPLAN", 10)
    monkeypatch.setattr(decode_module, "REPLAN_AFTER", 200)
    monkeypatch.setattr(decode_module, "VOLATILE_KEYS", 4)
    definition = definitions_for("core")[("lettings", 2026)]
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    reference = next(n for n, spec in definition.template_field_map().items() if spec.question_id == "tenancycode")
    rows = [{reference: f"T{number}"} for number in range(210)]
    for cells in rows:
        assert repr(decoder.decode(cells)) == repr(decoder.decode_step_by_step(cells))
        if decoder._rows in (10, 200):
            direct = [decoder.steps[plan[2][0]].question.id for plan in decoder._plans if plan[3] is not None]
            assert direct == ["tenancycode"]
