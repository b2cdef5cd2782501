"""Flat files (uploads/flat.py): headers from any definition, recognised without asking, decoded by column.

H-CLIC is the worked example because it has no official numbered template and two repeating groups of any
size (household members and temporary accommodation placements).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.definitions import Definition
from dcp_platform.records.models import Record
from dcp_platform.registry import all_plugins, definition_for, definitions_for
from dcp_platform.tenancy.models import Collection, Participation
from dcp_platform.uploads import services
from dcp_platform.uploads.flat import (
    FlatDecoder,
    empty_flat_file,
    flat_file_for,
    flat_headers,
    match_flat,
)
from dcp_platform.uploads.models import Upload, UploadRow, UploadStatus
from dcp_platform.uploads.reading import FileRejected
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

TODAY = date(2026, 6, 1)


def hclic_definition() -> Definition:
    return definition_for("hclic", "cases", 2026)


def every_definition() -> list[Definition]:
    return [definition for slug in sorted(all_plugins()) for definition in definitions_for(slug).values()]


# ---------------------------------------------------------------------------------------------- headers


def test_headers_follow_the_definition_with_numbered_column_sets() -> None:
    headers = flat_headers(hclic_definition(), {"people": 2, "placements": 1})
    assert headers[:4] == ["case_reference", "local_authority", "reporting_date", "application_date"]
    people = [h for h in headers if h.startswith("people_")]
    assert people == [f"people_{n}_{q}" for n in (1, 2)
                      for q in ("relationship", "age", "sex", "nationality", "economic_status")]
    assert [h for h in headers if h.startswith("placements_")] == [
        "placements_1_ta_type", "placements_1_ta_duty", "placements_1_ta_start", "placements_1_ta_end"]
    # Group columns sit where the group is asked; derived values are never columns.
    assert headers.index("people_1_age") > headers.index("current_accommodation")
    assert headers.index("people_2_economic_status") < headers.index("has_support_needs")
    assert not {"household_size", "children", "partner", "prevention_days"} & set(headers)


def test_an_unbounded_group_gets_three_sets_by_default_and_a_bounded_one_all_of_them() -> None:
    headers = flat_headers(hclic_definition())
    assert "people_3_age" in headers and "people_4_age" not in headers
    for definition in every_definition():
        for group_id, group in definition.groups.items():
            if group.max_items is not None:
                last = definition.question(group.question_ids[0])
                assert definition.flat_name(last, group.max_items) in flat_headers(definition), group_id


@pytest.mark.parametrize("definition", every_definition(), ids=lambda d: f"{d.collection}-{d.form}-{d.year}")
def test_every_definitions_headers_are_recognised_back_to_their_questions(definition: Definition) -> None:
    items = {group_id: 4 if group.max_items is None else group.max_items for group_id, group in definition.groups.items()}
    headers = flat_headers(definition, items)
    assert len(headers) == len(set(headers)), "two answers share a flat name"
    match = match_flat(headers, definition)
    assert match is not None and match.ignored == []
    assert [definition.flat_name(c.question, c.item) for _, c in sorted(match.columns.items())] == headers


def test_the_empty_file_is_a_header_row_excel_can_open() -> None:
    data = empty_flat_file(hclic_definition())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [flat_headers(hclic_definition())]
    name, same = flat_file_for("hclic", "cases", 2026, {"people": 6})
    assert name == "hclic-cases-2026-2027-flat.csv"
    assert "people_6_sex" in same.decode("utf-8-sig")


# ---------------------------------------------------------------------------------------------- recognising


def test_headers_match_whatever_their_case_and_spacing_and_item_numbers_may_grow() -> None:
    match = match_flat(["Case_Reference", " reporting date ", "PEOPLE_12_AGE", "people-07-sex"], hclic_definition())
    assert match is not None
    assert [c.key for _, c in sorted(match.columns.items())] == [
        "case_reference", "reporting_date", "people.12.age", "people.7.sex"]


def test_a_file_with_mostly_other_headers_is_not_flat() -> None:
    definition = hclic_definition()
    assert match_flat(["Case ref", "Applied on", "Age of person 1", "case_reference"], definition) is None
    mostly = match_flat(["case_reference", "reporting_date", "application_date", "people_1_age", "notes"], definition)
    assert mostly is not None and mostly.ignored == ["notes"]


def test_two_columns_for_one_answer_or_too_many_items_refuse_the_file() -> None:
    with pytest.raises(FileRejected, match="both for the same answer"):
        match_flat(["case_reference", "people_1_age", "people_01_age"], hclic_definition())
    bounded = next(((d, g) for d in every_definition() for g in d.groups.values() if g.max_items), None)
    assert bounded is not None, "an installed definition has a group with a maximum"
    definition, group = bounded
    question = definition.question(group.question_ids[0])
    record_level = [definition.flat_name(q) for q in definition.questions.values() if q.group is None][:8]
    with pytest.raises(FileRejected, match=f"at most {group.max_items}"):
        match_flat([*record_level, definition.flat_name(question, group.max_items + 1)], definition)


def test_cells_decode_with_the_definitions_coercion() -> None:
    definition = hclic_definition()
    headers = ["case_reference", "application_date", "has_support_needs", "support_needs", "people_1_age",
               "people_3_sex", "placements_1_ta_start", "current_accommodation"]
    match = match_flat(headers, definition)
    assert match is not None
    decoder = FlatDecoder(definition, match.columns, headers)
    answers, errors, problems = decoder.decode(
        ["C/1", "01/04/2026", "Yes", "da; MH", "34", "female", "2026-05-15", "Living with friends"])
    assert errors == {} and problems == []
    assert answers == {
        "case_reference": "C/1", "application_date": "2026-04-01", "has_support_needs": 1,
        "support_needs": ["MH", "DA"], "current_accommodation": 2,
        "people": [{"age": 34}, {}, {"sex": "F"}],  # a gap is kept as an empty item
        "placements": [{"ta_start": "2026-05-15"}],
    }
    answers, errors, problems = decoder.decode(["C/2", "31/02/2026", "maybe", "MH;XX", "old", "", "", "11"])
    assert sorted(errors) == [1, 2, 3, 4, 7]
    assert {p["column"] for p in problems} == {"application_date", "has_support_needs", "support_needs",
                                              "people_1_age", "current_accommodation"}
    assert "people" not in answers


# ---------------------------------------------------------------------------------------------- end to end


PEOPLE_SETS = 5
PLACEMENT_SETS = 2


def case_row(reference: str, la: str, people: list[dict[str, Any]], placements: list[dict[str, Any]],
             **answers: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_reference": reference, "local_authority": la, "reporting_date": "20/05/2026",
        "application_date": "2026-04-01", "assessment_date": "2026-04-10", "current_accommodation": 3,
        "has_support_needs": 0, "prevention_duty": 0, "relief_duty": 1, "relief_start": "2026-04-10",
        "placed_in_temporary_accommodation": 1 if placements else 0,
    }
    for number, person in enumerate(people, start=1):
        row.update({f"people_{number}_{key}": value for key, value in person.items()})
    for number, placement in enumerate(placements, start=1):
        row.update({f"placements_{number}_{key}": value for key, value in placement.items()})
    return {**row, **answers}


def write_flat(path: Path, rows: list[dict[str, Any]]) -> None:
    headers = flat_headers(hclic_definition(), {"people": PEOPLE_SETS, "placements": PLACEMENT_SETS})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        for row in rows:
            assert set(row) <= set(headers), set(row) - set(headers)
            writer.writerow(row)


def adult(**more: Any) -> dict[str, Any]:
    return {"age": 40, "sex": "F", "nationality": 1, "economic_status": 1, **more}


def child(age: int) -> dict[str, Any]:
    return {"relationship": 2, "age": age, "sex": "M"}


def upload(user: Any, path: Path) -> Upload:
    with open(path, "rb") as handle:
        received = services.receive_file(user=user, form="cases", year=2026, handle=handle, filename=path.name)
    services.process_upload(received.upload.pk, today=TODAY)
    return Upload.objects.get(pk=received.upload.pk)


@pytest.fixture
def council(hclic: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(provider_type="LA"), role="data_coordinator")


def test_three_cases_become_hidden_records_with_their_household_members_and_placements(
    council: Any, tmp_path: Path
) -> None:
    la = council.organisation.code
    family = [adult(), adult(relationship=1, sex="M", age=42), child(15), child(9), child(2)]
    rows = [
        case_row("HC-1", la, family, [
            {"ta_type": 1, "ta_duty": 1, "ta_start": "10/04/2026", "ta_end": "2026-04-30"},
            {"ta_type": 4, "ta_duty": 1, "ta_start": "2026-04-30"},
        ], has_support_needs="Yes", support_needs="MH;DA"),
        case_row("HC-2", la, [adult(age=23, sex="M")], []),
        case_row("HC-3", la, [adult(), child(4)], [{"ta_type": "Hostel", "ta_duty": 1, "ta_start": "2026-05-01"}]),
    ]
    path = tmp_path / "cases.csv"
    write_flat(path, rows)
    result = upload(council, path)
    assert result.status == UploadStatus.READY, result.message
    assert result.kind == "flat" and result.column_mapping["0"] == "flat:case_reference"
    records = {r.answers["case_reference"]: r for r in Record.objects.filter(upload_id=result.pk)}
    assert sorted(records) == ["HC-1", "HC-2", "HC-3"]
    assert not any(r.visible for r in records.values())
    first = records["HC-1"]
    assert [p.get("age") for p in first.answers["people"]] == [40, 42, 15, 9, 2]
    assert first.answers["people"][1] == {"relationship": 1, "age": 42, "sex": "M", "nationality": 1,
                                          "economic_status": 1}
    assert first.answers["people"][4] == {"relationship": 2, "age": 2, "sex": "M"}
    assert first.answers["placements"] == [
        {"ta_type": 1, "ta_duty": 1, "ta_start": "2026-04-10", "ta_end": "2026-04-30"},
        {"ta_type": 4, "ta_duty": 1, "ta_start": "2026-04-30"},
    ]
    assert first.answers["support_needs"] == ["MH", "DA"]
    assert first.derived["household_size"] == 5 and first.derived["children"] == 3
    assert first.answers["reporting_date"] == "2026-05-20" and first.record_date == date(2026, 5, 20)
    assert records["HC-2"].answers["people"] == [{"age": 23, "sex": "M", "nationality": 1, "economic_status": 1}]
    assert "placements" not in records["HC-2"].answers
    assert records["HC-3"].answers["placements"] == [{"ta_type": 3, "ta_duty": 1, "ta_start": "2026-05-01"}]
    assert {r.status for r in records.values()} == {"completed"}
    assert all(row.problems == [] for row in UploadRow.objects.filter(upload=result))
    assert services.confirm_upload(result) == 3
    assert Record.objects.filter(upload_id=result.pk, visible=True).count() == 3


def test_problems_are_reported_against_the_column_that_holds_the_answer(council: Any, tmp_path: Path) -> None:
    la = council.organisation.code
    rows = [
        case_row("OK-1", la, [adult()], []),
        # rule: placement 2 ends before it starts
        case_row("BAD-2", la, [adult()], [{"ta_type": 1, "ta_duty": 1, "ta_start": "2026-04-10"},
                                          {"ta_type": 1, "ta_duty": 2, "ta_start": "2026-05-01",
                                           "ta_end": "2026-04-20"}]),
        # cell: person 3's age is not a number; rule: two partners
        case_row("BAD-3", la, [adult(), adult(relationship=1), {**child(3), "age": "three"}, adult(relationship=1)],
                 []),
    ]
    path = tmp_path / "errors.csv"
    write_flat(path, rows)
    result = upload(council, path)
    assert result.status == UploadStatus.READY, result.message
    by_row = {row.row_number: row for row in UploadRow.objects.filter(upload=result)}
    assert by_row[2].problems == [] and by_row[2].status == "completed"
    [ends] = [p for p in by_row[3].problems if p["severity"] == "hard"]
    assert ends["rule"] == "placement_ends_before_start" and ends["column"] == "placements_2_ta_end"
    assert ends["question"] == "placements.2.ta_end"
    hard = {(p["rule"], p["column"]) for p in by_row[4].problems if p["severity"] == "hard"}
    assert hard == {("cell.people_3_age", "people_3_age"), ("partner_in_household_once", "people_2_relationship"),
                    ("partner_in_household_once", "people_4_relationship")}
    assert by_row[3].status == by_row[4].status == "in_progress"
    # The records are kept (hidden) so they can be fixed in the web form, without the bad cell.
    bad = Record.objects.get(upload_id=result.pk, answers__case_reference="BAD-3")
    assert bad.status == "in_progress" and "age" not in bad.answers["people"][2]
    # The summary groups problems by column for the results page.
    assert any(g["question"] == "placements.2.ta_end" for g in result.summary["problem_groups"])


def test_a_case_for_another_organisation_or_outside_the_window_is_refused_on_its_column(
    council: Any, make_org: Any, tmp_path: Path
) -> None:
    other = make_org(provider_type="LA")
    rows = [case_row("X-1", other.code, [adult()], []),
            case_row("X-2", council.organisation.code, [adult()], [], reporting_date="2025-05-20")]
    path = tmp_path / "refused.csv"
    write_flat(path, rows)
    result = upload(council, path)
    refused = {row.row_number: row for row in UploadRow.objects.filter(upload=result)}
    assert {r.status for r in refused.values()} == {"refused"}
    assert {p["column"] for p in refused[2].problems if p["severity"] == "refuse"} == {"local_authority"}
    assert {p["column"] for p in refused[3].problems if p["severity"] == "refuse"} == {"reporting_date"}
    assert not Record.objects.filter(upload_id=result.pk).exists()


# ---------------------------------------------------------------------------------------------- who may use it


def test_a_housing_association_cannot_use_an_la_only_collection(
    hclic: Any, make_org: Any, make_user: Any, client_for: Any, tmp_path: Path
) -> None:
    assert all_plugins()["hclic"].eligible_provider_types == frozenset({"LA"})
    association = make_org(provider_type="PRP")
    user = make_user(association, role="data_coordinator")
    collection = Collection.objects.get(schema_name="hclic")
    # It cannot be made to take part (the support admin validates participation) ...
    assert not Participation.objects.filter(organisation=association, collection=collection).exists()
    with pytest.raises(ValidationError, match="only takes organisations of type LA"):
        Participation(organisation=association, collection=collection).full_clean()
    # ... so the collection's pages, the upload pages included, refuse its users ...
    client = client_for("hclic", user)
    assert client.get("/uploads/new/").status_code == 403
    path = tmp_path / "association.csv"
    write_flat(path, [case_row("HA-1", association.code, [adult()], [])])
    response = client.post("/uploads/new/", {
        "form_year": "cases:2026", "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")})
    assert response.status_code == 403
    assert not Upload.objects.filter(organisation=association).exists()
    # ... and a file that reaches the upload service another way is refused as a whole, storing nothing.
    result = upload(user, path)
    assert result.status == UploadStatus.REJECTED and "does not take part" in result.message
    assert not Record.objects.filter(upload_id=result.pk).exists()
    assert not UploadRow.objects.filter(upload=result).exists()
