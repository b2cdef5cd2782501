"""FlatDecoder.decode (outcomes remembered per column, plain texts taken as they are, only non-empty cells walked,
remembered lists copied) gives exactly what decoding every cell plainly gives: answers in the same order, the same
cell errors and problems."""

from __future__ import annotations

import random

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for
from dcp_platform.uploads import flat as flat_module

FORMS = [(slug, key) for slug in sorted(all_plugins()) for key in sorted(definitions_for(slug))]


@pytest.fixture(params=[2, flat_module.MEMO_SIZE], ids=lambda size: f"memo-{size}")
def memo_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Each test twice: with memories so small that they are cleared all the time, and with the real size."""
    size: int = request.param
    monkeypatch.setattr(flat_module, "MEMO_SIZE", size)
    return size
TEXTS = ["", "", "", " ", "1", " 1 ", "01", "2", "0", "yes", "Yes", "x", "abc", "-3", "2026", "31/02/2026",
         "2026-06-01", "01/06/2026", "LS6 1AA", "F", "f", "AST", "£1,234.5", "12.345", "MH;DA", " 1 ; 2 ", "x;1",
         "x" * 300, "Female", "No"]


def _pools_with_pair(column: flat_module.FlatColumn, pool: list[str]) -> list[str]:
    return pool + [";".join(str(o.code) for o in column.question.options[:2])]  # two codes in one cell


def _cell(rng: random.Random, pool: list[str], number: int) -> str:
    if rng.random() < 0.3:  # a text no other row has: a reference, an amount, a long text
        return rng.choice([f"R{number}", f" R{number} ", f"{number}.{number % 100:02d}", "y" * (number % 300)])
    return rng.choice(pool)


def _flat_decoder(definition: Definition) -> tuple[flat_module.FlatDecoder, flat_module.FlatMatch, list[str]]:
    """A decoder of the flat file of every question of the definition (its own headers)."""
    headers = flat_module.flat_headers(definition)
    match = flat_module.match_flat(headers, definition)
    assert match is not None
    return flat_module.FlatDecoder(definition, match.columns, headers), match, headers


def _pools(match: flat_module.FlatMatch, extra: list[str]) -> list[list[str]]:
    """Texts to draw each column's cells from: awkward ones, some of its codes and labels, and `extra`."""
    pools = []
    for column in match.columns.values():
        options = column.question.options[:5]
        pools.append(TEXTS + [str(o.code) for o in options] + [o.label for o in options] + extra)
    return pools


@pytest.mark.parametrize(("slug", "form_year"), FORMS)
@pytest.mark.usefixtures("memo_size")
def test_flat_rows_decode_as_every_cell_plainly(slug: str, form_year: tuple[str, int]) -> None:
    decoder, match, _ = _flat_decoder(definitions_for(slug)[form_year])
    rng = random.Random(23)
    pools = [_pools_with_pair(column, pool) for column, pool in zip(match.columns.values(), _pools(match, []), strict=True)]
    rows = []
    for number in range(120):
        row = [_cell(rng, pool, number) for pool in pools]
        rows.append(row[: rng.randint(len(row) - 5, len(row))] if number % 7 == 0 else row)  # short rows too
    for row in rows + rows[:40]:
        assert repr(decoder.decode(row)) == repr(decoder.decode_cell_by_cell(row))


def test_remembered_lists_are_never_shared_between_rows() -> None:
    decoder, match, headers = _flat_decoder(definitions_for("core")[("lettings", 2026)])
    checkboxes = [i for i, column in match.columns.items() if column.question.type == "checkboxes"]
    assert checkboxes
    row = [""] * len(headers)
    for index in checkboxes:
        row[index] = str(match.columns[index].question.options[0].code)
    first, second = decoder.decode(row)[0], decoder.decode(row)[0]
    lists = [key for key, value in first.items() if isinstance(value, list) and value and not isinstance(value[0], dict)]
    assert lists
    assert all(first[key] == second[key] and first[key] is not second[key] for key in lists)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_few_columns(count: int) -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    headers = flat_module.flat_headers(definition)
    match = flat_module.match_flat(headers, definition)
    assert match is not None
    chosen = dict(list(match.columns.items())[3:3 + count])  # not the first columns: short rows miss them
    decoder = flat_module.FlatDecoder(definition, chosen, headers)
    rng = random.Random(29)
    for number in range(60):
        row = [_cell(rng, TEXTS, number) for _ in range(rng.randint(0, 8))]
        assert repr(decoder.decode(row)) == repr(decoder.decode_cell_by_cell(row))


@pytest.mark.parametrize(("slug", "form_year"), FORMS)
@pytest.mark.usefixtures("memo_size")
def test_flat_cells_remembered_per_column_decode_as_fresh(slug: str, form_year: tuple[str, int]) -> None:
    definition = definitions_for(slug)[form_year]
    decoder, match, headers = _flat_decoder(definition)
    rng = random.Random(13)
    pools = _pools(match, [" MH;DA ", "1;2", "x;1"])
    rows = [[rng.choice(pool) for pool in pools] for _ in range(40)]
    for row in rows * 3:
        fresh = flat_module.FlatDecoder(definition, match.columns, headers).decode(row)
        assert repr(decoder.decode(row)) == repr(fresh)
    ticked = [(str(column.question.options[0].code) if column.question.type == "checkboxes" else "")
              for column in match.columns.values()]
    first, second = decoder.decode(ticked)[0], decoder.decode(ticked)[0]
    checked = [key for key, value in first.items() if isinstance(value, list) and value and not isinstance(value[0], dict)]
    assert all(first[key] == second[key] and first[key] is not second[key] for key in checked)  # never one list
    if any(column.question.type == "checkboxes" and column.item is None for column in match.columns.values()):
        assert checked
