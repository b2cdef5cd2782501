"""Automatic mapping: the labelled benchmark floor, and the rules behind it (headers, values, items, ticks)."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.registry import definition_for
from dcp_platform.uploads.automap import AutoMapper, parse_date, suggest_code, to_template_cells, words
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.mapping import mapper_for
from dcp_platform.uploads.reading import FileRejected
from dcp_platform.uploads.table import read_layout
from dcp_platform.uploads.template import match_template

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference" / "core" / "templates"


@pytest.fixture(scope="module")
def definition() -> Definition:
    return definition_for("core", "lettings", 2026)


def _score_module() -> object:
    spec = importlib.util.spec_from_file_location("automap_benchmark_score", REPO / "benchmarks/automap/score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_benchmark_floor(definition: Definition) -> None:
    labels = json.loads((REPO / "benchmarks/automap/labels.json").read_text(encoding="utf-8"))
    assert len(labels) >= 6 and sum(len(columns) for columns in labels.values()) >= 200
    result = _score_module().score(definition)  # type: ignore[attr-defined]
    assert result.accuracy >= 0.95, result.wrong
    assert result.unmapped_share <= 0.10, result.wrong


def propose(definition: Definition, headers: list[str], rows: list[list[str]]) -> dict[str, list[int]]:
    return {p.column: p.fields for p in mapper_for(definition).propose(headers, rows)}


def test_a_single_date_column_fills_day_month_year_and_a_postcode_both_parts(definition: Definition) -> None:
    rows = [["03/05/2026", "LS6 1AA"], ["17/06/2026", "M1 2BB"]]
    assert propose(definition, ["Tenancy start date", "Property postcode"], rows) == {
        "Tenancy start date": [8, 9, 10], "Property postcode": [23, 24],
    }


def test_values_decide_between_a_whole_date_and_nonsense(definition: Definition) -> None:
    rows = [["hello"], ["world"]]
    assert propose(definition, ["Tenancy start date"], rows) == {"Tenancy start date": []}


def test_item_numbers_pick_the_household_member(definition: Definition) -> None:
    rows = [["34", "F", "7", "M"]]
    mapped = propose(definition, ["Lead tenant age", "Lead tenant sex", "Person 3 age", "Person 3 sex"], rows)
    assert mapped == {"Lead tenant age": [41], "Lead tenant sex": [42], "Person 3 age": [54], "Person 3 sex": [56]}


def test_tick_columns_map_to_one_option_each(definition: Definition) -> None:
    rows = [["1", "0", "1"], ["0", "0", "1"]]
    assert propose(definition, ["Mobility", "Hearing", "Vision"], rows) == {
        "Mobility": [106], "Hearing": [103], "Vision": [109],
    }


def test_unknown_columns_are_left_unmapped(definition: Definition) -> None:
    rows = [["abc", "7"], ["def", "9"]]
    assert propose(definition, ["Internal notes", "Column1"], rows) == {"Internal notes": [], "Column1": []}


def test_one_field_is_never_filled_by_two_columns(definition: Definition) -> None:
    rows = [["100.00", "101.00"]]
    mapped = propose(definition, ["Basic rent", "Basic rent weekly"], rows)
    assert sorted(map(tuple, mapped.values())) == [(), (142,)]


def test_words_split_ids_and_expand_abbreviations(definition: Definition) -> None:
    reader = mapper_for(definition).reader
    assert reader.id_words("propcode") == ["property", "referenc"]  # stemmed
    assert reader.words("Prev_PCode") == ["last", "postcod"]
    assert words("Prev_PCode") == ["last", "postcod"]  # general wording needs no collection


@pytest.mark.parametrize(("text", "parts"), [
    ("31/02/2026", (31, 2, 2026)), ("2026-05-01", (1, 5, 2026)), ("1-May-26", (1, 5, 2026)), ("05.06.2026", (5, 6, 2026)),
    ("hello", None), ("13/13/2026", None),
])
def test_parse_date_keeps_impossible_days_for_the_validator(text: str, parts: tuple[int, int, int] | None) -> None:
    assert parse_date(text) == parts


def test_invalid_date_becomes_a_cell_error(definition: Definition) -> None:
    mapper = AutoMapper(definition)
    target = next(t for t in mapper.targets if t.key == "startdate")
    answers, errors = RowDecoder(definition).decode(to_template_cells(target, "31/02/2026"))
    assert "startdate" not in answers
    assert set(errors) == {8, 9, 10} and "real date" in errors[8]


@pytest.mark.parametrize(("question", "value", "code"), [
    ("tenancy", "AST", 4), ("tenancy", "Assured Shorthold", 4), ("tenancy", "periodic", 8), ("needstype", "2", 2),
    ("sexrab", "female", "F"), ("renewal", "Y", 1), ("renewal", "No", 0),
])
def test_value_suggestions(definition: Definition, question: str, value: str, code: object) -> None:
    assert suggest_code(definition.question(question), value)[0] == code


def test_unknown_value_gets_no_suggestion(definition: Definition) -> None:
    assert suggest_code(definition.question("tenancy"), "zzz")[0] is None


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference templates not beside the repo")
def test_the_current_template_maps_every_field_and_an_old_one_is_told_its_year(
    definition: Definition, tmp_path: Path
) -> None:
    layout = read_layout(REFERENCE / "2026_27_lettings_template_blank.csv")
    match = match_template(layout, definition)
    assert sorted(match.columns.values()) == sorted(definition.template_field_map())
    with pytest.raises(FileRejected, match="template for 2023 to 2024, not 2026 to 2027"):
        match_template(read_layout(REFERENCE / "2023_24_lettings_template_blank.csv"), definition)


def test_automap_command_prints_json_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Notes", "Tenancy start date", "Number of bedrooms"])
        writer.writerow(["x", "01/05/2026", "2"])
    result = subprocess.run(
        [sys.executable, "manage.py", "automap", "--collection", "core", "--form", "lettings", "--year", "2026",
         str(path)], cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = json.loads(result.stdout)
    assert [o["column"] for o in output] == ["Notes", "Tenancy start date", "Number of bedrooms"]
    assert [o["fields"] for o in output] == [[], [8, 9, 10], [28]]
    assert all(0 <= o["score"] <= 1 for o in output)
