"""The web form from the definition: create, answer pages, clear dependent answers, soft checks, CYA."""

from __future__ import annotations

import re
from typing import Any

import pytest
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.services import record_update


@pytest.fixture
def provider(core: Any, make_org: Any, make_user: Any) -> Any:
    org = make_org("Riverside Test Homes", provider_type="PRP")
    return make_user(org)


def new_record(client: Any) -> Record:
    """A record started in the web form: stored with its first saved answer (the tenant code here)."""
    response = client.post("/records/new/lettings/2026/questions/tenant_code/", {"tenancycode": "FLOW-1"})
    assert response.status_code == 302, response.content[:500]
    public_id = response["Location"].split("/records/")[1].split("/")[0]
    return Record.objects.get(public_id=public_id)


def post_page(client: Any, record: Record, page: str, data: dict[str, Any], item: int | None = None) -> Any:
    url = f"/records/{record.public_id}/questions/{page}/" + (f"{item}/" if item else "")
    return client.post(url, data)


def test_create_record_and_see_task_list(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    assert record.created_by == provider and record.owning_organisation == provider.organisation
    response = client.get(f"/records/{record.public_id}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Set up this lettings log" in text and "Household characteristics" in text
    assert RecordChange.objects.filter(record=record, channel="web").exists()


def test_each_page_type_renders(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    for page in ("needs_type", "tenancy_start_date", "rent_type", "declaration", "stock_owner"):
        response = client.get(f"/records/{record.public_id}/questions/{page}/")
        assert response.status_code == 200, page
    response = client.get(f"/records/{record.public_id}/questions/tenancy_start_date/")
    assert 'name="startdate-day"' in response.content.decode()
    # The owner question offers the user's organisation only (it has no relationships).
    response = client.get(f"/records/{record.public_id}/questions/stock_owner/")
    assert provider.organisation.code in response.content.decode()


def test_answers_are_saved_as_codes_and_next_page_follows(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    response = post_page(client, record, "needs_type", {"needstype": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("/questions/renewal/")
    record.refresh_from_db()
    assert record.answers["needstype"] == 1


def test_required_and_invalid_answers_show_errors_and_save_nothing(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    response = post_page(client, record, "needs_type", {})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    response = post_page(client, record, "tenancy_start_date", {"startdate-day": "31", "startdate-month": "2", "startdate-year": "2026"})
    assert response.status_code == 400
    assert "real date" in response.content.decode()
    record.refresh_from_db()
    assert "startdate" not in record.answers


def test_changing_an_answer_clears_answers_that_no_longer_apply(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "needs_type", {"needstype": "2"})
    post_page(client, record, "scheme", {"scheme_id": "S100", "location_id": "L1"})
    record.refresh_from_db()
    assert record.answers["scheme_id"] == "S100"
    response = post_page(client, record, "needs_type", {"needstype": "1"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert "scheme_id" not in record.answers


def test_inline_revealed_question_is_saved_only_when_revealed(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "rent_type", {"rent_type": "0", "irproduct_other": "ignored"})
    record.refresh_from_db()
    assert record.answers["rent_type"] == 0 and "irproduct_other" not in record.answers
    response = post_page(client, record, "rent_type", {"rent_type": "5", "irproduct_other": ""})
    assert response.status_code == 400
    post_page(client, record, "rent_type", {"rent_type": "5", "irproduct_other": "Key worker rent"})
    record.refresh_from_db()
    assert record.answers["irproduct_other"] == "Key worker rent"


def test_group_pages_repeat_per_household_member(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "household_members", {"hhmemb": "2"})
    response = post_page(client, record, "person_age", {"age_known": "0", "age": "34"}, item=1)
    assert response.status_code == 302
    response = client.get(f"/records/{record.public_id}/questions/person_known/2/")
    assert response.status_code == 200 and "Person 2" in response.content.decode()
    record.refresh_from_db()
    assert record.answers["persons"][0]["age"] == 34


def test_soft_check_interrupts_and_confirmation_is_stored(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "household_members", {"hhmemb": "1"})
    post_page(client, record, "person_age", {"age_known": "0", "age": "70"}, item=1)
    response = post_page(client, record, "person_working_situation", {"ecstat": "1"}, item=1)
    # A 70-year-old working full time: "are you sure?"
    assert response.status_code == 302 and "/confirm/" in response["Location"], response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Yes, this is correct" in page.content.decode()
    response = client.post(response["Location"], {"confirm": "yes", "page": "person_working_situation", "item": "1"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.confirmations, "the confirmation is stored with the record"


def test_check_your_answers_has_change_links_back_to_it(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "needs_type", {"needstype": "1"})
    response = client.get(f"/records/{record.public_id}/check/setup/")
    text = response.content.decode()
    assert response.status_code == 200 and "General needs" in text
    change = re.search(r'href="([^"]*needs_type/\?return=check)"', text)
    assert change
    response = client.post(change.group(1), {"needstype": "1"})
    assert response.status_code == 302


def test_user_of_another_organisation_gets_404(client_for: Any, provider: Any, make_org: Any, make_user: Any) -> None:
    record = new_record(client_for("core", provider))
    other = make_user(make_org("Other Org", provider_type="PRP"))
    client = client_for("core", other)
    assert client.get(f"/records/{record.public_id}/").status_code == 404
    assert client.post(f"/records/{record.public_id}/questions/needs_type/", {"needstype": "1"}).status_code == 404
    assert record.reference not in client.get("/records/").content.decode() or not record.reference


def test_records_list_filters_and_search(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    record = new_record(client)
    post_page(client, record, "tenant_code", {"tenancycode": "TEN-4242"})
    assert "TEN-4242" in client.get("/records/?q=ten-4242").content.decode()
    assert "TEN-4242" not in client.get("/records/?q=nothing-like-it").content.decode()
    assert "TEN-4242" in client.get("/records/?status=in_progress&year=2026").content.decode()
    assert "TEN-4242" not in client.get("/records/?status=completed").content.decode()


def test_organisation_not_taking_part_is_refused(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    outsider = make_user(make_org("No collections", provider_type="PRP", collections=()))
    assert client_for("core", outsider).get("/records/").status_code == 403


def test_check_your_answers_lists_answers_a_derived_value_could_also_set(client_for: Any, provider: Any) -> None:
    """ethnic_group is filled from ethnic when only the detail is sent (uploads); a user's answer still shows."""
    client = client_for("core", provider)
    record = new_record(client)
    record_update(record=record, user=provider, changes={"ethnic_group": 2, "ethnic": 10})
    text = client.get(f"/records/{record.public_id}/check/household_characteristics/").content.decode()
    assert "Asian or Asian British" in text and "Bangladeshi" in text
