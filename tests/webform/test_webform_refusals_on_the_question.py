"""A write refused because of an answer on the page is an error on that question (issue 20, point 4)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def provider(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(provider_type="PRP"))




def test_a_start_date_outside_the_collection_year_is_an_error_on_the_question(
    client_for: Any, provider: Any, started_record: Any
) -> None:
    client = client_for("core", provider)
    record = started_record(provider)
    response = client.post(f"/records/{record.public_id}/questions/tenancy_start_date/",
                           {"startdate-day": "3", "startdate-month": "4", "startdate-year": "2020"})
    assert response.status_code == 400  # the page again, not a bounce to the task list
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#startdate-day"' in html
    assert "outside the 2026 to 2027 collection year" in html
    assert 'id="startdate-error"' in html
    # What was typed is kept in the boxes.
    assert 'name="startdate-year" type="text" inputmode="numeric" value="2020"' in html
    assert 'name="startdate-month" type="text" inputmode="numeric" value="4"' in html
    record.refresh_from_db()
    assert "startdate" not in record.answers
