"""The API reports every problem of a record in one response, not in stages (issue 20, point 13)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

RECORDS = "/api/v1/lettings/2026/records"


def test_a_hard_problem_and_an_unknown_organisation_come_back_together(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    api = api_for("core", make_user(make_org(), role="data_coordinator"))
    stranger = make_org()
    # A start date too far ahead (a hard rule) and an organisation the key's organisation may not submit for.
    start = (date.today() + timedelta(days=40)).isoformat()
    response = api.post(RECORDS, {"answers": {"owning_organisation_id": stranger.code, "startdate": start}})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    codes = {error["code"] for error in errors}
    assert "organisation_not_allowed" in codes and len(errors) >= 2, errors
    assert any(error.get("pointer") == "/answers/owning_organisation_id" for error in errors)
