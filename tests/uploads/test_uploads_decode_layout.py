"""RowCells.field_values picks a row's template cells a run of consecutive columns at a time, or one pick per field
when there are many runs: either way exactly the cells `RowCells.cells` gives."""

from __future__ import annotations

import random

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import definitions_for, get_plugin
from dcp_platform.uploads import rows as rows_module
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.rows import RowCells


@pytest.fixture
def definition() -> Definition:
    return definitions_for("core")[("lettings", 2026)]


def _expanded(cells: dict[int, str], width: int) -> list[str | None]:
    values: list[str | None] = [None] * width
    for number, text in cells.items():
        if number < width:
            values[number] = text
    return values


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
