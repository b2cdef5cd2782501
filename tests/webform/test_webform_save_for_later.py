"""'Save and come back later' saves what was typed on the page (issue 20, point 6)."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.records.models import Record


@pytest.fixture
def client_and_record(
    core: Any, make_org: Any, make_user: Any, client_for: Any, started_record: Any
) -> tuple[Any, Record]:
    user = make_user(make_org(provider_type="PRP"))
    return client_for("core", user), started_record(user)


def test_save_and_come_back_later_keeps_a_partly_answered_page(client_and_record: tuple[Any, Record]) -> None:
    client, record = client_and_record
    page = f"/records/{record.public_id}/questions/address/"
    html = client.get(page).content.decode()
    assert '<button type="submit" name="later"' in html  # a button that sends the page, not a link
    response = client.post(page, {"address_line1": "1 Later Street", "later": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"/records/{record.public_id}/")
    record.refresh_from_db()
    assert record.answers["address_line1"] == "1 Later Street"
    assert "Your answers have been saved" in client.get(response["Location"]).content.decode()
    # Coming back, the page shows what was typed.
    assert 'value="1 Later Street"' in client.get(page).content.decode()


def test_an_answer_that_cannot_be_saved_is_an_error_even_for_later(client_and_record: tuple[Any, Record]) -> None:
    client, record = client_and_record
    response = client.post(f"/records/{record.public_id}/questions/tenancy_start_date/",
                           {"startdate-day": "31", "startdate-month": "2", "startdate-year": "2026", "later": "1"})
    assert response.status_code == 400 and "real date" in response.content.decode()
    record.refresh_from_db()
    assert "startdate" not in record.answers
