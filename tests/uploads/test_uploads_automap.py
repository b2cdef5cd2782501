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
from dcp_platform.uploads.headers import HeaderReader
from dcp_platform.uploads.learned import ConfirmedTarget, LearnedMappings
from dcp_platform.uploads.mapping import mapper_for
from dcp_platform.uploads.reading import FileRejected
from dcp_platform.uploads.table import read_layout
from dcp_platform.uploads.template import match_template
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


# Floors slightly below the figures measured in docs/performance.md ("Automatic mapping").
HARD_FLOORS = {"tuning": (0.97, 0.98), "kept_aside": (0.92, 0.97)}


@pytest.mark.parametrize("name", sorted(HARD_FLOORS))
def test_the_harder_benchmark_keeps_its_floor(definition: Definition, name: str) -> None:
    module = _score_module()
    labels = json.loads((REPO / "benchmarks/automap" / name / "labels.json").read_text(encoding="utf-8"))
    total = sum(len(info["columns"]) for info in labels.values())
    assert len(labels) >= (9 if name == "tuning" else 5) and total >= (300 if name == "tuning" else 190)
    result = module.score_set(definition, name)  # type: ignore[attr-defined]
    columns_right, mapped_right = HARD_FLOORS[name]
    assert result.columns_right >= columns_right, (result.columns_right, result.wrong)
    assert result.accuracy >= mapped_right, (result.accuracy, result.wrong)


def propose(definition: Definition, headers: list[str], rows: list[list[str]]) -> dict[str, list[int]]:
    """The proposal with the collection's vocabulary (as uploads use it), by header."""
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


@pytest.mark.parametrize(("header", "values", "fields"), [
    ("LEAD_NAT", ["British", "Polish", "Irish"], [46]),
    ("ECON_STAT", ["FT", "RET", "PT"], [47]),
    ("REAS_PREF", ["Y", "N"], [121]),
    ("SUPP_CHG", ["12.50", "0.00", "7.25"], [145]),
    ("hhmSex2", ["F", "M"], [50]),
    ("12) How long has the household continuously lived in the district?", ["1 to 2 years", "10 years or more"], [111]),
    ("Rental Object", ["RO-1000-1234", "RO-1000-7781"], [14]),
    ("RE Contract", ["RC-123456", "RC-654321"], [13]),
    ("Tenancy allocation source", ["Housing register", "Direct application"], [131]),
    ("Void reason", ["Transfer", "Death"], [16]),
    ("tenancy.startDate", ["2026-04-03", "2026-05-17"], [8, 9, 10]),
    ("Property Postcode", ["LS6 1AA", "M14 2BB"], [23, 24]),
])
def test_headers_as_people_write_them(definition: Definition, header: str, values: list[str], fields: list[int]) -> None:
    assert propose(definition, [header], [[v] for v in values]) == {header: fields}


@pytest.mark.parametrize("header", ["Person 2 age", "P2_AGE", "HHM2 age", "member2Age", "Second person age",
                                    "Age of the 2nd person", "Hhld Mbr 2 Age", "Co-tenant age"])
def test_person_numbers_in_any_style(definition: Definition, header: str) -> None:
    assert propose(definition, [header], [["34"], ["7"]]) == {header: [48]}


def test_values_decide_what_a_vague_header_means(definition: Definition) -> None:
    assert propose(definition, ["Start"], [["03/04/2026"], ["17/05/2026"]]) == {"Start": [8, 9, 10]}
    assert propose(definition, ["Start"], [["after the keys"], ["on Monday"]]) == {"Start": []}
    # Dates as a spreadsheet stores them (days since 1900) are dates too, and are split into their parts.
    assert propose(definition, ["Start date"], [["46115"], ["46160"]]) == {"Start date": [8, 9, 10]}
    target = mapper_for(definition).by_key["startdate"]
    assert to_template_cells(target, "46115") == {8: "3", 9: "4", 10: "2026"}


def test_a_list_of_ticked_answers_fills_every_option_of_a_checkboxes_question(definition: Definition) -> None:
    header = "Reasons for reasonable preference (tick all that apply)"
    rows = [["Homeless;Medical or welfare;"], ["Hardship;"], [""]]
    assert propose(definition, [header], rows) == {header: [122, 123, 124, 125, 126]}
    target = mapper_for(definition).by_key["reasonable_preference_reason=*"]
    assert to_template_cells(target, "Homeless;Medical or welfare;") == {122: "1", 123: "0", 124: "1", 125: "0", 126: "0"}
    assert to_template_cells(target, "") == {}


def test_a_column_that_loses_its_question_to_a_better_one_is_not_moved_to_a_guess(definition: Definition) -> None:
    rows = [["AST", "Assured shorthold"], ["SEC", "Secure"]]
    mapped = propose(definition, ["Tenancy type", "Tenancy type description"], rows)
    assert sorted(map(tuple, mapped.values())) == [(), (38,)]


def test_learned_headers_come_first_and_not_used_columns_stay_unmapped(definition: Definition) -> None:
    learned = LearnedMappings({"zorbl": ConfirmedTarget("tenancycode", 0.99), "notes": ConfirmedTarget("", 0.99)})
    proposals = mapper_for(definition).propose(["Zorbl", "Notes", "Beds"], [["ZB1", "x", "2"]], learned)
    assert [p.fields for p in proposals] == [[13], [], [28]]
    assert proposals[0].learned and not proposals[2].learned


@given(st.text(max_size=80))
@hypothesis_settings(max_examples=200, deadline=None)
def test_any_header_is_read_without_error(header: str) -> None:
    reading = HeaderReader().read(header)
    assert all(1 <= item <= 9 for item in reading.items)
    assert all(word and word == word.lower() for word in reading.words)
