"""The per-row fast paths of processing give exactly what the plain ways give.

`RowCells.field_values` (a list indexed by field number, provider cells remembered per column) against
`RowCells.cells` (a dict per row), `RowDecoder.decode_values` against running every step, and the file reader's
limit on cell length.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for, get_plugin
from dcp_platform.uploads import decode as decode_module
from dcp_platform.uploads import rows as rows_module
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.mapping import mapper_for
from dcp_platform.uploads.reading import MAX_CELL_CHARS, FileRejected, raw_rows
from dcp_platform.uploads.rows import RowCells

TEXTS = ["", " ", "1", " 1 ", "01", "1.0", "1.00", "2", "0", "yes", "Y", "x", "True", "=1+1", "-3", "abc", "2026",
         "31/02/2026", "01/06/2026", "2026-06-01", "1 June 2026", "LS6 1AA", "ls61aa", "LS6", "Female", "AST"]


@pytest.fixture
def definition() -> Definition:
    return definitions_for("core")[("lettings", 2026)]


def _expanded(cells: dict[int, str], width: int) -> list[str | None]:
    values: list[str | None] = [None] * width
    for number, text in cells.items():
        if number < width:
            values[number] = text
    return values


def _provider_cells(definition: Definition) -> tuple[RowCells, int]:
    """A provider mapping with one column per kind of target (whole date, postcode, tick, value, ...)."""
    targets = mapper_for(definition).targets
    chosen = []
    for kind in ("date", "date_part", "postcode", "postcode_part", "tick", "value"):
        chosen += [t for t in targets if t.kind == kind][:3]
    used: set[int] = set()
    column_mapping: dict[str, str] = {}
    for target in chosen:
        if used.isdisjoint(target.fields):  # one field is never filled by two columns
            used.update(target.fields)
            column_mapping[str(len(column_mapping))] = target.key
    value_mapping = {key: {"Female": "F", "yes": "1", " AST ": "2"} for key in column_mapping.values()}
    return RowCells.build(definition, column_mapping, value_mapping), len(column_mapping)


@pytest.mark.parametrize("memo_size", [2, rows_module.SPLIT_MEMO_SIZE])
def test_field_values_are_the_cells_of_the_row(
    definition: Definition, memo_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "SPLIT_MEMO_SIZE", memo_size)  # 2: remembered cells are emptied often
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    numbers = sorted(definition.template_field_map())
    template = RowCells.build(definition, {str(i + 1): f"field:{n}" for i, n in enumerate(numbers)}, {})
    assert template.template_codes  # official codes that differ from stored ones are translated
    provider, width = _provider_cells(definition)
    rng = random.Random(3)
    for cells, columns in ((template, len(numbers) + 1), (provider, width)):
        rows = [[rng.choice(TEXTS) for _ in range(rng.randint(columns - 2, columns))] for _ in range(80)]
        for row in rows * 3:  # each row again, so remembered cells are used
            values = cells.field_values(row, decoder.width)
            assert values == _expanded(cells.cells(row), decoder.width)
            assert decoder.decode_values(values) == decoder.decode_step_by_step(cells.cells(row))
            assert repr(decoder.decode_values(values)) == repr(decoder.decode(cells.cells(row)))


def test_cells_past_the_width_are_left_out(definition: Definition) -> None:
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    cells = RowCells.build(definition, {"0": f"field:{decoder.width + 5}", "1": "field:1"}, {})
    assert cells.field_values(["x", "y"], decoder.width) == [None, "y"] + [None] * (decoder.width - 2)
    assert decoder.decode({decoder.width + 5: "x", -1: "y"}) == decoder.decode({})


def test_blank_and_missing_cells_are_remembered_apart(definition: Definition) -> None:
    """A step's memory is keyed by the exact texts: "" (an empty column) is not None (no column), " 1 " is not "1"."""
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    for number in decoder.fields:
        for texts in (["", None], [" 1 ", "1", "01", "1.0"]):
            for text in texts * 2:
                values: list[str | None] = [None] * decoder.width
                values[number] = text
                cells = {} if text is None else {number: text}
                assert repr(decoder.decode_values(values)) == repr(decoder.decode_step_by_step(cells)), (number, text)


def test_a_cell_over_the_limit_is_refused_wherever_it_is(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("a,b,c\n1,2,3\n4," + "x" * (MAX_CELL_CHARS + 1) + ",6\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="Row 3 has a cell longer than"):
        list(raw_rows(path))
    path.write_text("a,b,c\n1,2," + "x" * MAX_CELL_CHARS + "\n", encoding="utf-8")
    assert [len(row) for row in raw_rows(path)] == [3, 3]


@pytest.mark.parametrize(("slug", "form_year"), [(slug, key) for slug in sorted(all_plugins()) for key in sorted(definitions_for(slug))])
@pytest.mark.parametrize(("memo_size", "volatile"), [(2, 0), (decode_module.MEMO_SIZE, 1), (decode_module.MEMO_SIZE, 16)])
def test_steps_remembered_together_decode_exactly_as_running_every_step(
    slug: str, form_year: tuple[str, int], memo_size: int, volatile: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs of steps that hardly varied in the first rows are remembered together, whatever later rows hold."""
    monkeypatch.setattr(decode_module, "MEMO_SIZE", memo_size)
    monkeypatch.setattr(decode_module, "REPLAN_AFTER", 20)
    monkeypatch.setattr(decode_module, "EARLY_REPLAN", 20)  # planned once, after the rows that are most alike
    monkeypatch.setattr(decode_module, "VOLATILE_KEYS", volatile)
    definition = definitions_for(slug)[form_year]
    decoder = RowDecoder(definition, get_plugin(slug).codecs)
    numbers = sorted(definition.template_field_map())
    if not numbers:
        pytest.skip("this form has no template")
    rng = random.Random(7)
    varying = set(rng.sample(numbers, k=max(1, len(numbers) // 10)))
    base = {n: rng.choice(TEXTS) for n in numbers}
    early = [{**base, **{n: rng.choice(TEXTS) for n in varying}} for _ in range(30)]  # most columns alike
    later = [{n: rng.choice(TEXTS) for n in numbers if rng.random() < 0.8} for _ in range(40)]  # then any
    for cells in early + later + early + later:
        assert repr(decoder.decode(cells)) == repr(decoder.decode_step_by_step(cells))
    if volatile:  # (0: every step that ever missed its memory stays alone)
        assert len(decoder._plans) < len(decoder.steps)  # some steps were put together


def test_a_long_row_of_short_cells_is_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    cells = ["x" * (MAX_CELL_CHARS // 4)] * 6  # the row is longer than a cell may be; no cell is
    path.write_text("a,b,c,d,e,f\n" + ",".join(cells) + "\n" + ",".join([*cells[:5], cells[5] * 5]) + "\n",
                    encoding="utf-8")
    with pytest.raises(FileRejected, match="Row 3 has a cell longer than"):
        list(raw_rows(path))
    path.write_text("a,b,c,d,e,f\n" + ",".join(cells) + "\n", encoding="utf-8")
    assert [len(row) for row in raw_rows(path)] == [6, 6]


def _mappings(numbers: list[int], width: int) -> list[dict[str, str]]:
    rng = random.Random(31)
    shuffled = rng.sample(numbers, k=len(numbers))
    gappy = {str(i): f"field:{n}" for i, n in enumerate(numbers) if n % 9}  # a few runs
    shifted = {str(i + 3): f"field:{n}" for i, n in enumerate(numbers)}  # columns after some unmapped ones
    return [
        {str(i): f"field:{n}" for i, n in enumerate(numbers)},  # the official template: one run
        {str(i): f"field:{n}" for i, n in enumerate(shuffled)},  # one run per field
        gappy,
        shifted,
        {**gappy, "900": f"field:{numbers[2]}", "1": f"field:{numbers[5]}"},  # two columns for one field
        {"0": f"field:{width + 4}", "1": "field:0", "2": "field:1", "4": f"field:{width - 1}"},  # past the width
        {},
    ]


@pytest.mark.parametrize("max_runs", [0, 2, rows_module.MAX_RUNS, 1000])
def test_field_values_picked_by_runs_are_the_cells_of_the_row(
    definition: Definition, max_runs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "MAX_RUNS", max_runs)
    decoder = RowDecoder(definition, get_plugin("core").codecs)
    numbers = sorted(definition.template_field_map())
    rng = random.Random(37)
    for mapping in _mappings(numbers, decoder.width):
        cells = RowCells.build(definition, mapping, {})
        columns = max((int(index) for index in mapping), default=0) + 1
        for number in range(40):
            length = rng.choice([columns, columns, columns - 1, columns // 2, 0, columns + 2])
            row = [rng.choice(["", " ", "1", "2", f"R{number}", "F"]) for _ in range(max(length, 0))]
            for width in (decoder.width, 1, 5):
                assert cells.field_values(row, width) == _expanded(cells.cells(row), width), (mapping, length, width)
