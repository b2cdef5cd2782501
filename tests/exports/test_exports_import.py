"""import_records: an old service's download loaded as submitted records of their organisations, once."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.exports.columns import DEPARTMENT, build_layout
from dcp_platform.exports.convert import CORE_CODES, ReadRow, evaluate
from dcp_platform.exports.importing import import_records
from dcp_platform.exports.writing import CODES, csv_chunks
from dcp_platform.records.models import Record
from dcp_platform.registry import definition_for, get_plugin
from django.core.management import call_command

YEAR = 2026  # the years with a definition; 2025 once its definitions are on main


def core_download(rows: list[tuple[int, str, dict[str, Any]]]) -> str:
    """A CORE lettings download (codes): (CORE log id, owning organisation name, answers) per row."""
    definition = definition_for("core", "lettings", YEAR)
    layout = build_layout(definition, get_plugin("core").export_columns, DEPARTMENT)
    written = []
    for log_id, owner, answers in rows:
        row = evaluate(definition, ReadRow(1, answers))
        row.record.update({"record.id": log_id, "record.owning_organisation_name": owner,
                           "record.managing_organisation_name": owner})
        written.append(row)
    return "".join(csv_chunks(layout, CODES, written))


def run(text: str, user: Any) -> Any:
    layout = build_layout(definition_for("core", "lettings", YEAR), get_plugin("core").export_columns, DEPARTMENT)
    return import_records(layout=layout, source=CORE_CODES, handle=io.BytesIO(text.encode("utf-8")), user=user)


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(None, role="support")


def test_records_are_placed_with_their_organisations_once(core: Any, make_org: Any, support: Any) -> None:
    first, second = make_org("Old Service Homes"), make_org("Other Old Homes")
    text = core_download([
        (101, "Old Service Homes", {"tenancycode": "H1", "startdate": f"{YEAR}-05-01", "period": 1}),
        (102, "other old homes", {"tenancycode": "H2", "startdate": f"{YEAR}-06-01"}),
        (103, "Nobody Known", {"tenancycode": "H3"}),
    ])
    report = run(text, support)
    assert report.created == 2 and report.already_imported == 0
    assert report.not_placed == [(5, "no organisation matches “Nobody Known”")]
    h1 = Record.objects.get(reference__startswith="H1")
    assert h1.owning_organisation_id == first.pk and h1.answers["period"] == 1 and h1.source_channel == "system"
    assert h1.derived  # worked out by the definition, as on every channel
    assert Record.objects.get(reference__startswith="H2").managing_organisation_id == second.pk
    again = run(text, support)
    assert again.created == 0 and again.already_imported == 2
    assert Record.objects.filter(reference__startswith="H").count() == 2


def test_a_bad_row_stops_nothing_else(core: Any, make_org: Any, support: Any) -> None:
    make_org("Bad Row Homes")
    text = core_download([
        (201, "Bad Row Homes", {"tenancycode": "G1", "period": 1}),
        (202, "Bad Row Homes", {"tenancycode": "G2"}),
    ])
    lines = list(csv.reader(text.removeprefix("\ufeff").splitlines()))
    lines[2][lines[1].index("period")] = "77"  # not an answer code
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    report = run(buffer.getvalue(), support)
    assert report.created == 2
    assert report.cell_problems and report.cell_problems[0][0] == 3 and "period" in report.cell_problems[0][1]
    assert "period" not in Record.objects.get(reference__startswith="G1").answers


def test_the_command_reports_what_it_did(core: Any, make_org: Any, support: Any, tmp_path: Path) -> None:
    make_org("Command Homes")
    path = tmp_path / "lettings.csv"
    path.write_text(core_download([(301, "Command Homes", {"tenancycode": "C1"}), (302, "Missing", {})]),
                    encoding="utf-8")
    out = io.StringIO()
    call_command("import_records", "--collection", "core", "--form", "lettings", "--year", str(YEAR),
                 "--format", "core-csv-codes", str(path), stdout=out)
    assert "1 records created, 0 already imported" in out.getvalue()
    assert "row 4: not placed: no organisation matches “Missing”" in out.getvalue()
