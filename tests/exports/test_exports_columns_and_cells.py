"""Download columns from the definitions, and cells written as CORE writes them (no database)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dcp_platform.exports.columns import DEFAULT, DEPARTMENT, PROVIDER, build_layout, layout_names
from dcp_platform.exports.writing import (
    CODES,
    LABELS,
    RecordRow,
    cell_functions,
    csv_chunks,
    decimal_text,
    neutralise,
)
from dcp_platform.registry import definition_for, get_plugin

# shared/ lies beside the repository (CI) or beside the worktrees' folder (development).
_REPO = Path(__file__).resolve().parents[2]
SHARED_COLUMNS = next(
    (base / "shared" / "reference" / "core" / "export_columns" for base in (_REPO.parent, _REPO.parent.parent)
     if (base / "shared" / "reference" / "core" / "export_columns").is_dir()),
    _REPO.parent / "shared" / "reference" / "core" / "export_columns",
)


def core_layout(form: str, name: str, year: int = 2026):  # type: ignore[no-untyped-def]
    return build_layout(definition_for("core", form, year), get_plugin("core").export_columns, name)


@pytest.mark.parametrize("form", ["lettings", "sales"])
@pytest.mark.parametrize(("name", "kind"), [(DEPARTMENT, "all"), (PROVIDER, "provider")])
def test_core_columns_are_cores_own_names_order_and_descriptions(form: str, name: str, kind: str) -> None:
    path = SHARED_COLUMNS / f"{form}_2026_{kind}_columns.csv"
    if not path.is_file():
        pytest.skip("the shared CORE column lists are not beside the repository")
    expected = list(csv.DictReader(path.open(encoding="utf-8")))
    layout = core_layout(form, name)
    assert layout.headers == [row["variable"] for row in expected]
    assert [c.description for c in layout.columns] == [row["description"] for row in expected]


def test_columns_are_filled_from_the_definition() -> None:
    layout = core_layout("lettings", DEPARTMENT)
    by_header = {column.header: column for column in layout.columns}
    assert by_header["period"].kind == "answer" and by_header["period"].question.id == "period"
    assert by_header["age3"].kind == "answer" and by_header["age3"].item == 3
    assert by_header["illness_type_4"].kind == "option"
    assert by_header["renttype"].kind == "derived"
    assert by_header["id"].kind == "record" and by_header["id"].source == "record.id"
    sales = {column.header: column for column in core_layout("sales", DEPARTMENT).columns}
    assert sales["DAY"].kind == "part" and sales["DAY"].question.id == "saledate"
    assert sales["OWNINGORGNAME"].source == "record.owning_organisation_name"
    # What the platform does not hold (CORE's scheme and location tables, its address look-up) is written empty,
    # and the list of such columns is short and known.
    unfilled = set(layout.unfilled())
    assert "period" not in unfilled and {"scheme_code", "location_code"} <= unfilled
    assert len(unfilled) < 60


def test_a_collection_without_its_own_layout_gets_the_default_columns() -> None:
    definition = definition_for("hclic", "cases", 2026)
    assert layout_names(definition, get_plugin("hclic").export_columns) == [DEFAULT]
    layout = build_layout(definition, get_plugin("hclic").export_columns, DEFAULT)
    assert layout.headers[:3] == ["id", "public_id", "status"] and not layout.descriptions_row
    assert not layout.unfilled()


def row(**answers: object) -> RecordRow:
    return RecordRow(answers=answers, derived={"renttype": 2, "wrent": "200.00"}, record={
        "record.id": 7, "record.status": "completed", "record.channel": "upload",
        "record.created_at": datetime(2026, 4, 7, 8, 30, tzinfo=UTC),
    })


def cells(layout, values: str, record: RecordRow) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(zip(layout.headers, (cell(record) for cell in cell_functions(layout, values)), strict=True))


def test_codes_and_labels_as_core_writes_them() -> None:
    layout = core_layout("lettings", DEPARTMENT)
    record = row(period=1, brent="87.50", startdate="2026-04-07", condition_effects=["illness_type_4"],
                 persons=[{"age_known": 0, "age": 40}, {"details_known": 1, "age": 30, "relat": "P"},
                          {"details_known": 0, "age_known": 1}])
    codes, labels = cells(layout, CODES, record), cells(layout, LABELS, record)
    assert codes["period"] == "1" and labels["period"] == "Weekly for 52 weeks"
    assert codes["brent"] == labels["brent"] == "87.5"
    assert codes["wrent"] == "200.0"
    assert codes["startdate"] == "2026-04-07"
    assert (codes["illness_type_4"], codes["illness_type_5"], codes["illness_type_1"]) == ("1", "0", "0")
    assert (labels["illness_type_4"], labels["illness_type_5"]) == ("Yes", "No")
    assert codes["age1"] == "40"
    # Person 2's details are not known: CORE's fixed values, whatever is stored.
    assert (codes["age2"], codes["relat2"]) == ("-9", "R")
    assert (labels["age2"], labels["relat2"]) == ("Not known", "Prefers not to say")
    assert codes["age3"] == "-9" and labels["age3"] == "Not known"
    assert codes["age4"] == "" and codes["tenancycode"] == ""
    assert codes["renttype"] == "2" and labels["renttype"] == "Affordable Rent"
    assert codes["creation_method"] == "2" and labels["creation_method"] == "bulk upload"
    assert codes["created_at"] == "2026-04-07T09:30:00+01:00"
    assert codes["id"] == "7" and codes["status"] == "completed"


def test_sales_dates_are_three_numbers() -> None:
    layout = core_layout("sales", DEPARTMENT)
    written = cells(layout, CODES, row(saledate="2026-04-07"))
    assert (written["DAY"], written["MONTH"], written["YEAR"]) == ("7", "4", "2026")


def test_formulas_are_neutralised_and_numbers_are_not() -> None:
    assert [neutralise(t) for t in ("=SUM(A1)", "+1 ring", "-x", "@me", "\tx", "\rx", "-9", "-1.5", "plain")] == [
        "'=SUM(A1)", "'+1 ring", "'-x", "'@me", "'\tx", "'\rx", "-9", "-1.5", "plain"]
    layout = core_layout("lettings", PROVIDER)
    text = "".join(csv_chunks(layout, CODES, [row(tenancycode="=HYPERLINK(\"x\")")]))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_decimals_as_rails_writes_them() -> None:
    assert [decimal_text(v) for v in ("200.00", "87.50", "1234.56", "0", "12")] == [
        "200.0", "87.5", "1234.56", "0.0", "12.0"]


def test_the_file_starts_with_a_bom_and_cores_two_header_rows() -> None:
    layout = core_layout("lettings", PROVIDER)
    text = "".join(csv_chunks(layout, LABELS, [row(period=1)] * 3))
    assert text.startswith("\ufeffLog ID,")
    lines = list(csv.reader(text.removeprefix("\ufeff").splitlines()))
    assert lines[1][:2] == ["id", "status"] and len(lines) == 5
