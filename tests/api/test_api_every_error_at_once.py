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


def test_an_unreadable_answer_comes_back_with_the_other_problems(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    """An answer that is not valid (not a date, an unknown code) is no longer reported alone: the record's hard
    rules, window and organisations are checked on the answers that could be read, in the same response."""
    api = api_for("core", make_user(make_org(), role="data_coordinator"))
    stranger = make_org()
    start = (date.today() + timedelta(days=40)).isoformat()
    body = {"answers": {"owning_organisation_id": stranger.code, "startdate": start, "hhmemb": "many"}}
    for response in (api.post(RECORDS, body), api.post(f"{RECORDS}/validate", body)):
        assert response.status_code == 422, response.content
        errors = response.json()["errors"]
        codes = [error["code"] for error in errors]
        assert "invalid_answer" in codes and "organisation_not_allowed" in codes, errors
        assert [e["pointer"] for e in errors if e["code"] == "invalid_answer"] == ["/answers/hhmemb"]
    batch = api.post(f"{RECORDS}/batch", {"records": [body]})
    [result] = batch.json()["results"]
    assert {"invalid_answer", "organisation_not_allowed"} <= {e["code"] for e in result["errors"]}, result


def test_an_unreadable_answer_in_a_change_comes_back_with_the_other_problems(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    org = make_org()
    api = api_for("core", make_user(org, role="data_coordinator"))
    created = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code}})
    assert created.status_code == 201, created.content
    record = created.json()
    response = api.patch(f"{RECORDS}/{record['id']}", {"answers": {"owning_organisation_id": make_org().code,
                                                                  "hhmemb": "many"}},
                         **{"If-Match": created["ETag"]})
    assert response.status_code == 422, response.content
    assert {"invalid_answer", "organisation_not_allowed"} <= {e["code"] for e in response.json()["errors"]}
