"""CORE sales 2026/27 bulk upload: the official template's rows read as the template codes them (the
specification's bulk-upload rules SBR and BF), and whole files uploaded, processed and confirmed.

The row checks run a row through the upload's own decoding and evaluation (uploads/evaluating.py), without a
database; the file tests use the database, as an upload does.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dcp_core.plugin import COLLECTION
from dcp_platform.definitions import Definition
from dcp_platform.registry import definition_for
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.evaluating import AllowedOrganisation, EvaluatedRow, RowWork, evaluate_row
from dcp_platform.uploads.reading import FileRejected
from dcp_platform.uploads.rows import RowCells
from dcp_platform.uploads.table import read_layout
from dcp_platform.uploads.template import match_template

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)
SO_ROW, ST_ROW, DO_ROW = harness.SHARED_OWNERSHIP_ROW, harness.STAIRCASING_ROW, harness.DISCOUNTED_ROW
TODAY = date(2026, 6, 1)
ORG = "HA0001"


@pytest.fixture(scope="module")
def sales() -> Definition:
    return definition_for("core", "sales", 2026)


def read_row(definition: Definition, template_row: dict[int, str]) -> tuple[EvaluatedRow, Any]:
    """One template row through the upload's decoding and evaluation: the row's outcome, and its evaluation
    (whose `missing` are the "not answered" problems of the error report)."""
    numbers = sorted(definition.template_field_map())
    cells = RowCells.build(definition, {str(i + 1): f"field:{n}" for i, n in enumerate(numbers)}, {})
    work = RowWork(definition=definition, decoder=RowDecoder(definition, COLLECTION.codecs), cells=cells,
                   allowed={ORG: AllowedOrganisation(pk=1, provider_type="PRP")}, fallback_organisation_id=1,
                   today=TODAY)
    row = ["", *((ORG if template_row.get(n) == "ORG" else template_row.get(n, "")) for n in numbers)]
    outcome = evaluate_row(work, 3, row)
    answers, _ = work.decoder.decode_values(cells.field_values(row, work.decoder.width))
    from dcp_platform.definitions import EvalContext  # (the same context evaluate_row gives, for `missing`)

    evaluation = definition.evaluate(answers, context=EvalContext(
        today=TODAY, extra={"owning_organisation_provider_type": "PRP", "managing_organisation_provider_type": "PRP"}))
    return outcome, evaluation


def flagged_fields(definition: Definition, outcome: EvaluatedRow, evaluation: Any) -> set[int]:
    """The template fields the error report marks as errors: cell errors, hard rules, and answers still missing
    (soft problems only ask for a confirmation)."""
    fields = {n for problem in [*outcome.problems, *outcome.rule_problems] for n in problem["fields"]
              if problem["severity"] != "soft"}
    for ref in evaluation.missing:
        fields.update(definition.question(ref.question_id).template_fields_for(ref.item))
    return fields


@pytest.mark.parametrize("row", [SO_ROW, ST_ROW, DO_ROW], ids=["shared ownership", "staircasing", "discounted"])
def test_a_filled_template_row_is_a_complete_log(sales: Definition, row: dict[int, str]) -> None:
    outcome, evaluation = read_row(sales, row)
    # A filled template carries answers the row's route skips; they are reported as not kept (issue 17) and
    # do not stop the log being complete.
    kept_problems = [p for p in outcome.rule_problems if p.get("severity") != "not_kept"]
    assert (outcome.problems, kept_problems, evaluation.missing) == ([], [], [])
    assert outcome.row_status == "completed"


# (rule, base row, changes that break it, changes that keep to it, the template field the report marks)
UPLOAD_CASES: list[tuple[str, dict[int, str], dict[int, str], dict[int, str], int]] = [
    ("SBR1", SO_ROW, {1: "", 2: "", 3: ""}, {3: "2026"}, 1),  # the sale date is required; 2 or 4 digit years
    ("SBR1", SO_ROW, {2: "13"}, {2: "5"}, 2),
    ("SBR2", SO_ROW, {8: "3"}, {8: "1"}, 8),  # only shared (1) or discounted (2) ownership
    ("SBR2", SO_ROW, {8: ""}, {8: "1"}, 8),
    ("SBR3", SO_ROW, {9: "5"}, {9: "2", 100: "25"}, 9),
    ("SBR3", SO_ROW, {9: ""}, {9: "30"}, 9),
    ("SBR4", SO_ROW, {10: "3"}, {10: "2"}, 10),
    ("SBR4", SO_ROW, {10: ""}, {10: "2"}, 10),
    ("SBR5", DO_ROW, {11: "2"}, {11: "14"}, 11),
    ("SBR5", DO_ROW, {11: ""}, {11: "9"}, 11),
    ("SBR6", SO_ROW, {12: ""}, {12: "2"}, 12),
    ("SBR6", ST_ROW, {13: ""}, {13: "3"}, 13),  # more than two buyers: required for a joint purchase
    # Discount 0 to 70% (on a £140,000 home, 70% is within the cap; the mortgage makes the price add up).
    ("SBR9", DO_ROW, {130: "71"}, {130: "70", 128: "140000", 132: "32000"}, 130),
    ("SBR10", ST_ROW, {116: "11"}, {116: "10", 110: "83"}, 116),  # 2 to 10 staircasing transactions
    ("SBR10", ST_ROW, {116: "1"}, {116: "2"}, 116),
    # R (not known) in the mortgage length only when the buyer was not interviewed (field 14 = 1).
    ("SBR11", SO_ROW, {103: "R"}, {103: "R", 14: "1"}, 103),
    ("SBR11", DO_ROW, {133: "R"}, {133: "R", 14: "1"}, 133),
    ("SBR12", SO_ROW, {35: "9"}, {35: "8"}, 35),  # a buyer cannot be a child
    ("SBR12", DO_ROW | {12: "1", 13: "2", 37: "1"}, {44: "9"}, {44: "2"}, 44),
    ("SBR13", SO_ROW, {34: "999"}, {34: "0"}, 34),  # 0 (prefers not to say) or a country code
    ("SBR13", SO_ROW, {34: "826x"}, {34: "4"}, 34),
    ("SBR14", SO_ROW, {107: "£ lots"}, {107: "R"}, 107),  # a number or R (no charges)
    ("SBR14", ST_ROW, {126: "none"}, {126: "150"}, 126),
    ("SBR15", SO_ROW, {16: "", 19: ""}, {16: "", 19: "Leeds"}, 19),  # the UPRN, or the address
    ("SBR15", SO_ROW, {16: "", 17: "", 19: ""}, {17: "", 19: ""}, 16),
    ("SBR16", SO_ROW, {24: "5"}, {24: "9", 25: "1"}, 24),  # an answer that is not one of the options
    ("SBR16", SO_ROW, {84: "4"}, {84: "3"}, 84),  # (3, don't know, is valid in the template)
    ("SBR17", SO_ROW, {81: ""}, {81: "3"}, 81),  # a question that applies, not answered
    ("SBR17", DO_ROW, {135: ""}, {135: "10000"}, 135),
]


@pytest.mark.parametrize(("rule", "base", "broken", "kept", "field"), UPLOAD_CASES,
                         ids=[f"{n}-{case[0]}" for n, case in enumerate(UPLOAD_CASES)])
def test_upload_rule(sales: Definition, rule: str, base: dict[int, str], broken: dict[int, str],
                     kept: dict[int, str], field: int) -> None:
    assert field in flagged_fields(sales, *read_row(sales, base | broken))
    assert field not in flagged_fields(sales, *read_row(sales, base | kept))


def test_r_in_the_charges_columns_means_no_charges_or_no_change(sales: Definition) -> None:
    _, evaluation = read_row(sales, ST_ROW)
    assert (evaluation.answers["has_mscharge"], evaluation.answers["hasservicechargeschanged"]) == (0, 2)
    _, evaluation = read_row(sales, ST_ROW | {125: "80.50", 126: "95"})
    assert (evaluation.answers["mscharge"], evaluation.answers["newservicecharges"]) == ("80.50", "95.00")


def test_each_sale_type_reads_its_own_price_columns(sales: Definition) -> None:
    assert read_row(sales, SO_ROW)[1].answers["value"] == "200000.00"
    assert read_row(sales, ST_ROW)[1].answers["value"] == "220000.00"
    assert read_row(sales, DO_ROW)[1].answers["value"] == "150000.00"
    assert read_row(sales, DO_ROW)[1].derived["type"] == 9


# --- the file ---------------------------------------------------------------------------------------------------


def test_bf1_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="empty"):
        read_layout(path)
    harness.write_template_file(tmp_path / "filled.csv", [SO_ROW], ORG)
    assert read_layout(tmp_path / "filled.csv").kind == "template"


def test_bf3_the_template_has_the_sales_field_numbers(sales: Definition, tmp_path: Path) -> None:
    """Field numbers the 136-field template does not have, or most of them missing, are refused."""
    import csv  # (to change one cell of the header block, whose cells hold line breaks)

    path = tmp_path / "template.csv"
    harness.write_template_file(path, [SO_ROW], ORG)
    assert len(match_template(read_layout(path), sales).columns) == 136
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[harness.TEMPLATE_HEADER_ROWS - 1][-1] = "137"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(FileRejected, match="field numbers the 2026 to 2027 template does not have"):
        match_template(read_layout(path), sales)
    del rows[harness.TEMPLATE_HEADER_ROWS - 1][20:]  # most of the fields left out
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(FileRejected, match="missing most of the 2026 to 2027 fields"):
        match_template(read_layout(path), sales)


def test_bf5_a_template_of_another_year_is_refused(sales: Definition, tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    harness.write_template_file(path, [SO_ROW], ORG)
    text = path.read_text(encoding="utf-8-sig")
    assert "26 - 27" in text
    path.write_text(text.replace("26 - 27", "25 - 26"), encoding="utf-8")
    with pytest.raises(FileRejected, match="template for 2025 to 2026, not 2026 to 2027"):
        match_template(read_layout(path), sales)


# --- whole uploads, in the database --------------------------------------------------------------------------------


@pytest.fixture
def uploader(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(), role="data_coordinator")


def upload(user: Any, path: Path, form: str = "sales") -> Any:
    from dcp_platform.uploads import services  # (needs the collection's schema: imported inside the tests)

    with open(path, "rb") as handle:
        received = services.receive_file(user=user, form=form, year=2026, handle=handle, filename=path.name)
    services.process_upload(received.upload.pk, today=TODAY)
    return type(received.upload).objects.get(pk=received.upload.pk)


def test_a_filled_sales_template_maps_every_field_without_asking_and_makes_complete_logs(
    uploader: Any, tmp_path: Path
) -> None:
    from dcp_platform.records.models import Record
    from dcp_platform.uploads import services
    from dcp_platform.uploads.models import UploadRow, UploadStatus

    path = tmp_path / "sales.csv"
    harness.write_template_file(path, list(harness.TEMPLATE_ROWS), uploader.organisation.code)
    done = upload(uploader, path)
    assert done.status == UploadStatus.READY, done.message
    assert done.kind == "template"
    assert sorted(int(v.removeprefix("field:")) for v in done.column_mapping.values()) == list(range(1, 137))
    rows = UploadRow.objects.filter(upload=done).order_by("row_number")
    # Answers the route skips come back as notes of answers not kept (issue 17), never as errors.
    assert [(r.row_number, r.status, [p for p in r.problems if p.get("severity") != "not_kept"]) for r in rows] == [
        (9, "completed", []), (10, "completed", []), (11, "completed", [])]
    assert services.confirm_upload(done) == 3
    records = {r.answers["purchid"]: r for r in Record.objects.filter(upload_id=done.pk, visible=True)}
    assert {r.status for r in records.values()} == {"completed"} and {r.form for r in records.values()} == {"sales"}
    assert (records["SO1"].derived["type"], records["ST1"].derived["type"], records["RTB1"].derived["type"]) == (30, 30, 9)
    assert records["ST1"].answers["persons"][1]["relat"] == "P"
    assert records["RTB1"].answers["prevloc"] == "E08000035"  # the last settled home is the property (RTB)
    assert records["SO1"].reference == "SO1" and records["SO1"].record_date == date(2026, 5, 20)


def test_a_sales_template_chosen_as_lettings_is_refused_naming_the_sales_form(uploader: Any, tmp_path: Path) -> None:
    from dcp_platform.records.models import Record
    from dcp_platform.uploads.models import UploadRow, UploadStatus

    path = tmp_path / "sales.csv"
    harness.write_template_file(path, [SO_ROW], uploader.organisation.code)
    refused = upload(uploader, path, form="lettings")
    assert refused.status == UploadStatus.REJECTED
    assert refused.message == ("This is the sales log template, but you chose to upload lettings logs. "
                               "Choose “Sales log 2026 to 2027” and upload the file again.")
    assert not Record.objects.filter(upload_id=refused.pk).exists()
    assert not UploadRow.objects.filter(upload=refused).exists()


def test_a_lettings_template_chosen_as_sales_is_refused_naming_the_lettings_form(uploader: Any, tmp_path: Path) -> None:
    from dcp_platform.uploads.models import UploadStatus

    path = tmp_path / "lettings.csv"
    harness.write_template_file(path, [{8: "1", 9: "5", 10: "26", 1: "ORG"}], uploader.organisation.code,
                                form="lettings")
    refused = upload(uploader, path)
    assert refused.status == UploadStatus.REJECTED
    assert refused.message.startswith("This is the lettings log template, but you chose to upload sales logs.")


def test_a_flat_file_of_lettings_logs_chosen_as_sales_is_refused(uploader: Any, tmp_path: Path) -> None:
    from dcp_platform.uploads.flat import empty_flat_file
    from dcp_platform.uploads.models import UploadStatus

    path = tmp_path / "lettings-flat.csv"
    header = empty_flat_file(definition_for("core", "lettings", 2026)).decode("utf-8-sig").splitlines()[0]
    path.write_text(header + "\n" + ",".join("" for _ in header.split(",")[:-1]) + ",x\n", encoding="utf-8")
    refused = upload(uploader, path)
    assert refused.status == UploadStatus.REJECTED
    assert refused.message.startswith("This is a file of lettings logs, but you chose to upload sales logs.")


def test_sbr7_sbr8_rows_outside_the_window_or_for_another_organisation_are_refused(
    uploader: Any, make_org: Any, tmp_path: Path
) -> None:
    from dcp_platform.uploads.models import UploadRow

    stranger = make_org()
    rows = [SO_ROW | {3: "25", 7: "OLD"}, SO_ROW | {4: stranger.code, 5: stranger.code, 7: "THEIRS"}, SO_ROW]
    path = tmp_path / "sales.csv"
    harness.write_template_file(path, rows, uploader.organisation.code)
    done = upload(uploader, path)
    old, theirs, ours = UploadRow.objects.filter(upload=done).order_by("row_number")
    assert old.status == "refused" and any(p["rule"] == "window" and p["fields"] == [1, 2, 3] for p in old.problems)
    assert theirs.status == "refused"
    assert any("cannot upload records for the organisation" in p["message"] for p in theirs.problems)
    assert ours.status == "completed"


def test_sbr18_sbr19_duplicates_within_the_file_and_of_existing_logs_are_flagged(uploader: Any, tmp_path: Path) -> None:
    from dcp_platform.uploads import services
    from dcp_platform.uploads.models import UploadRow

    path = tmp_path / "sales.csv"
    harness.write_template_file(path, [SO_ROW, DO_ROW, SO_ROW], uploader.organisation.code)
    first = upload(uploader, path)
    assert [r.duplicate_of for r in UploadRow.objects.filter(upload=first).order_by("row_number")] == ["", "", "row 9"]
    services.confirm_upload(first, create="all")
    again = tmp_path / "again.csv"
    harness.write_template_file(again, [DO_ROW, SO_ROW | {7: "SO2"}], uploader.organisation.code)
    second = upload(uploader, again)
    assert [r.duplicate_of for r in UploadRow.objects.filter(upload=second).order_by("row_number")] == [
        "an existing record", ""]


def sales_definition() -> Definition:
    return definition_for("core", "sales", 2026)


PROVIDER_EXPORT = """Purchaser Code,Sale Completion Date,Ownership Scheme,Shared Ownership Type,Staircasing,Joint Purchase,\
Buyer Interviewed,Postcode,Local Authority,Bedrooms,Property Type,Buyer 1 Age,Buyer 1 Sex,Buyer 1 Working Situation,\
Buyer 1 Income,Savings,Purchase Price,Initial Equity Share,Mortgage Used,Deposit,Monthly Rent
SO1,20/05/2026,Shared Ownership,Shared Ownership (new model lease),No,No,Yes,LS6 1AA,E08000035,2,Flat or maisonette,\
34,Female,Full-time,35000,12000,200000,25,No,50000,350
SO2,21/05/2026,Shared Ownership,Shared Ownership (old model lease),No,No,Yes,LS6 2AB,E08000035,3,House,41,Male,\
Part-time,28000,5000,180000,30,No,54000,300
"""


def test_a_providers_own_sales_export_is_mapped_automatically_then_read(uploader: Any, tmp_path: Path) -> None:
    """Headers and values in the housing system's own words: the platform proposes which question each column
    answers (and which code each value is), the user confirms, and the rows become sales logs in progress."""
    from dcp_platform.records.models import Record
    from dcp_platform.uploads import services
    from dcp_platform.uploads.models import UploadStatus

    path = tmp_path / "export.csv"
    path.write_text(PROVIDER_EXPORT, encoding="utf-8")
    proposed = upload(uploader, path)
    assert proposed.status == UploadStatus.NEEDS_MAPPING and proposed.kind == "columns"
    headers = PROVIDER_EXPORT.splitlines()[0].split(",")
    by_header = {headers[int(index)]: target for index, target in proposed.column_mapping.items()}
    expected = {"Purchaser Code": "purchid", "Sale Completion Date": "saledate", "Ownership Scheme": "ownershipsch",
                "Shared Ownership Type": "shared_ownership_type", "Staircasing": "staircase",
                "Joint Purchase": "jointpur", "Buyer Interviewed": "noint", "Postcode": "postcode_full",
                "Bedrooms": "beds", "Property Type": "proptype", "Buyer 1 Age": "age1",
                "Buyer 1 Sex": "sexrab1", "Buyer 1 Income": "income1", "Savings": "savings",
                "Purchase Price": "value", "Mortgage Used": "mortgageused", "Deposit": "deposit"}
    right = [h for h, question in expected.items() if question in by_header.get(h, "")]
    wrong = {h: by_header.get(h) for h in expected if h not in right}
    assert len(right) >= len(expected) - 2, wrong
    from dcp_platform.uploads import reports

    # The user accepts every proposed meaning of the providers' values ("Shared Ownership" is 1, "No" is 2 ...).
    reviews = reports.value_reviews(sales_definition(), proposed, services.column_values(proposed))
    values = {review.target_key: {choice.value: choice.selected for choice in review.choices} for review in reviews}
    assert values["ownershipsch"]["Shared Ownership"] == "1" and values["staircase"]["No"] == "2"
    services.confirm_mapping(proposed, column_mapping=proposed.column_mapping, value_mapping=values)
    services.process_upload(proposed.pk, today=TODAY)
    records = Record.objects.filter(upload_id=proposed.pk).order_by("upload_row")
    assert [r.answers.get("purchid") for r in records] == ["SO1", "SO2"]
    assert records[0].answers["saledate"] == "2026-05-20" and records[0].answers["ownershipsch"] == 1
    assert {r.form for r in records} == {"sales"} and {r.status for r in records} == {"in_progress"}


def test_a_flat_file_of_sales_logs_is_read_by_its_column_names(uploader: Any, tmp_path: Path) -> None:
    """The flat file (one column per answer, named as the definition names it) needs no mapping either."""
    import csv  # (to write the file)

    from dcp_platform.records.models import Record
    from dcp_platform.uploads.flat import empty_flat_file
    from dcp_platform.uploads.models import UploadStatus

    sales = sales_definition()
    header = next(csv.reader([empty_flat_file(sales).decode("utf-8-sig").splitlines()[0]]))
    answers = {**harness.SHARED_OWNERSHIP, "owning_organisation_id": uploader.organisation.code,
               "managing_organisation_id": uploader.organisation.code, "privacynotice": "privacynotice"}
    person = answers.pop("persons")[0]
    values = {**{k: str(v) for k, v in answers.items()},
              **{sales.flat_name(sales.question(k), 1): str(v) for k, v in person.items()}}
    path = tmp_path / "flat.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow([values.get(name, "") for name in header])
    done = upload(uploader, path)
    assert done.status == UploadStatus.READY and done.kind == "flat", done.message
    record = Record.objects.get(upload_id=done.pk)
    assert record.status == "completed", record.answers
    assert record.answers["persons"][0]["age"] == 34 and record.derived["type"] == 30
