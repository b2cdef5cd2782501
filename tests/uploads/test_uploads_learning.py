"""The automatic mapper learns from every confirmed mapping: at once for the organisation that confirmed it,
and for other organisations once more than one organisation made the same choice (issue 25, point 3)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.records.models import Record
from dcp_platform.uploads.learned import header_key
from dcp_platform.uploads.learning import learned_mappings_for
from dcp_platform.uploads.models import LearnedHeader, LearnedValue, Upload, UploadStatus

from tests.uploads.test_uploads_review import post_file, selects, value_selects

# "Zorbl" means nothing to the mapper, "GNX" nothing to the needs type question: only users can teach them.
HEADERS = ["Zorbl", "Tenancy Start Date", "Needs Type", "Internal Notes"]


def write_export(path: Path, extra_headers: tuple[str, ...] = ()) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADERS, *extra_headers])
        for number in range(3):
            writer.writerow([f"ZB{number}7", f"0{number + 1}/05/2026", "GNX", "call back", *("x" for _ in extra_headers)])
    return path


def confirm(client: Any, upload: Upload, columns: dict[str, str], values: dict[str, str]) -> None:
    """Choose the columns and the values' codes on the two mapping pages, as a user does."""
    response = client.post(f"/uploads/{upload.pk}/mapping/", {f"column-{i}": key for i, key in columns.items()})
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"/uploads/{upload.pk}/mapping/values/").content.decode()
    chosen = value_selects(page)
    form = {name: values.get(value, code or "") for value, (name, code) in chosen.items()}
    response = client.post(f"/uploads/{upload.pk}/mapping/values/", form)
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message


TAUGHT = {"0": "tenancycode", "1": "startdate", "2": "needstype", "3": ""}


@pytest.fixture
def organisations(core: Any, make_org: Any, make_user: Any) -> list[Any]:
    return [make_user(make_org(), role="data_coordinator") for _ in range(3)]


def test_a_confirmed_mapping_is_proposed_to_its_organisation_at_once_and_to_others_once_two_agree(
    client_for: Any, organisations: list[Any], tmp_path: Path,
) -> None:
    first, second, third = organisations
    # Nobody has taught anything: the unknown header is left for the user and "GNX" gets no suggestion.
    upload = post_file(client_for("core", first), write_export(tmp_path / "a.csv"))
    proposal = selects(client_for("core", first).get(f"/uploads/{upload.pk}/mapping/").content.decode())
    assert not proposal["column-0"] and proposal["column-1"] == "startdate"  # "Do not use this column"
    confirm(client_for("core", first), upload, TAUGHT, {"GNX": "1"})
    assert LearnedHeader.objects.filter(organisation_id=first.organisation_id, header="zorbl",
                                        target="tenancycode").exists()
    assert LearnedHeader.objects.filter(organisation_id=first.organisation_id, header="internal notes",
                                        target="").exists()  # "do not use this column" is learned too
    assert LearnedValue.objects.get(organisation_id=first.organisation_id, target="needstype", value="gnx").code == "1"

    # The same organisation's next file (another shape, so no saved mapping applies): proposed straight away.
    upload = post_file(client_for("core", first), write_export(tmp_path / "b.csv", ("Batch",)))
    assert upload.status == UploadStatus.NEEDS_MAPPING
    page = client_for("core", first).get(f"/uploads/{upload.pk}/mapping/").content.decode()
    assert selects(page)["column-0"] == "tenancycode"
    assert not selects(page)["column-3"]
    response = client_for("core", first).post(f"/uploads/{upload.pk}/mapping/", {
        name: key for name, key in selects(page).items() if key})
    assert response.status_code == 302, selects(page)
    values = value_selects(client_for("core", first).get(f"/uploads/{upload.pk}/mapping/values/").content.decode())
    assert values["GNX"][1] == "1"  # the value -> code choice, pre-selected

    # Another organisation is not taught by one organisation's choice ...
    upload = post_file(client_for("core", second), write_export(tmp_path / "c.csv"))
    assert selects(client_for("core", second).get(f"/uploads/{upload.pk}/mapping/").content.decode())["column-0"] == ""
    values = value_selects(_after_columns(client_for("core", second), upload))
    assert not values["GNX"][1]
    confirm(client_for("core", second), upload, TAUGHT, {"GNX": "1"})

    # ... but once two organisations have confirmed the same choices, a third gets them proposed.
    upload = post_file(client_for("core", third), write_export(tmp_path / "d.csv"))
    page = client_for("core", third).get(f"/uploads/{upload.pk}/mapping/").content.decode()
    assert selects(page)["column-0"] == "tenancycode" and selects(page)["column-3"] == ""
    assert value_selects(_after_columns(client_for("core", third), upload))["GNX"][1] == "1"


def _after_columns(client: Any, upload: Upload) -> str:
    """Confirm the columns as taught and return the value page."""
    response = client.post(f"/uploads/{upload.pk}/mapping/", {f"column-{i}": key for i, key in TAUGHT.items()})
    assert response.status_code == 302
    return str(client.get(f"/uploads/{upload.pk}/mapping/values/").content.decode())


def test_an_organisations_latest_choice_wins_and_disagreeing_organisations_teach_nobody(
    core: Any, make_org: Any,
) -> None:
    first, second, third = make_org(), make_org(), make_org()
    for organisation, target in ((first, "propcode"), (second, "tenancycode")):
        LearnedHeader.objects.create(organisation=organisation, form="lettings", header="zorbl", target=target)
    assert learned_mappings_for(organisation_id=third.pk, form="lettings", headers=["Zorbl"]).headers == {}
    LearnedHeader.objects.create(organisation=first, form="lettings", header="zorbl", target="tenancycode")
    own = learned_mappings_for(organisation_id=first.pk, form="lettings", headers=["ZORBL "])
    assert own.target_for("zorbl") is not None and own.target_for("zorbl").key == "tenancycode"  # the latest
    shared = learned_mappings_for(organisation_id=third.pk, form="lettings", headers=["Zorbl"])
    assert shared.target_for("zorbl") is not None and shared.target_for("zorbl").key == "tenancycode"
    assert learned_mappings_for(organisation_id=third.pk, form="sales", headers=["Zorbl"]).headers == {}


def test_header_keys_ignore_case_spacing_and_end_punctuation() -> None:
    assert header_key("  Tenancy   Start Date? ") == header_key("tenancy start date") == "tenancy start date"


def test_each_answer_in_a_list_column_is_matched_and_the_match_is_learned(
    client_for: Any, organisations: list[Any], tmp_path: Path,
) -> None:
    user = organisations[0]
    path = tmp_path / "lists.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Tenancy Start Date", "How was the letting allocated? (tick all that apply)"])
        writer.writerows([["01/05/2026", "CBL;Zork;"], ["02/05/2026", "Common housing register;"]])
    client = client_for("core", user)
    upload = post_file(client, path)
    assert selects(client.get(f"/uploads/{upload.pk}/mapping/").content.decode())["column-1"] == "letting_allocation=*"
    response = client.post(f"/uploads/{upload.pk}/mapping/", {"column-0": "startdate", "column-1": "letting_allocation=*"})
    assert response.status_code == 302
    values = value_selects(client.get(f"/uploads/{upload.pk}/mapping/values/").content.decode())
    # "CBL" is an answer code already; each other answer is asked about once, suggested where it can be.
    assert set(values) == {"Zork", "Common housing register"} and values["Common housing register"][1] == "chr"
    assert not values["Zork"][1]
    form = {name: code or "" for name, code in values.values()} | {values["Zork"][0]: "accessible_register"}
    assert client.post(f"/uploads/{upload.pk}/mapping/values/", form).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message
    ticked = sorted(sorted(r.answers.get("letting_allocation") or []) for r in Record.objects.filter(upload_id=upload.pk))
    assert ticked == [["accessible_register", "cbl"], ["chr"]]
    learned = learned_mappings_for(organisation_id=user.organisation_id, form="lettings")
    assert learned.code_for("letting_allocation=*", "zork") == "accessible_register"
