"""Answers sent through the API that the other answers make not apply are never dropped without a word: a hard
rule that refuses the combination refuses the record (422, on the question), otherwise the record is stored and
the response lists each answer not kept and why (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.records.models import Record

RECORDS = "/api/v1/lettings/2026/records"


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org()


@pytest.fixture
def api(core: Any, org: Any, make_user: Any, api_for: Any) -> Any:
    return api_for("core", make_user(org, role="data_coordinator"))


def test_a_tenancy_length_for_a_lifetime_tenancy_is_refused_on_the_length(api: Any, org: Any, lettings_answers: Any) -> None:
    """H3.5: a length given for a tenancy type that has none. The engine does not ask the length, so it used to
    disappear and the record came back completed."""
    answers = lettings_answers(org.code) | {"tenancy": 2, "tenancylength": 5}
    response = api.post(RECORDS, {"answers": answers})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["rule"], e["question"], e["pointer"]) for e in errors] == [
        ("tenancy_length_not_needed", "tenancylength", "/answers/tenancylength")]
    assert not Record.objects.filter(owning_organisation=org).exists()
    # Without the length the same record is stored.
    del answers["tenancylength"]
    assert api.post(RECORDS, {"answers": answers}).status_code == 201


def test_validate_and_batch_refuse_the_same_contradictions(api: Any, org: Any, lettings_answers: Any) -> None:
    """H5.5 (armed forces follow-up for a household that never served) and H5.7 (condition effects without a
    condition), in a dry run and in a batch, where the other record is stored."""
    contradictory = lettings_answers(org.code) | {"armedforces": 2, "leftreg": 6, "illness": 2,
                                                  "condition_effects": ["illness_type_1"]}
    checked = api.post(f"{RECORDS}/validate", {"answers": contradictory})
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["valid"] is False
    assert {e["rule"] for e in body["errors"]} == {"leftreg_without_regular", "reservist_without_armed_forces", "condition_effects_without_condition"}
    batch = api.post(f"{RECORDS}/batch", {"records": [{"answers": contradictory},
                                                      {"answers": lettings_answers(org.code)}]})
    assert batch.status_code == 200, batch.content
    results = batch.json()["results"]
    assert [r["status"] for r in results] == [422, 201]
    assert {e["rule"] for e in results[0]["errors"]} == {"leftreg_without_regular", "reservist_without_armed_forces",
                                                         "condition_effects_without_condition"}


def test_an_answer_no_rule_refuses_is_stored_without_it_and_named_in_not_kept(
    api: Any, org: Any, lettings_answers: Any
) -> None:
    """An answer whose question does not apply and that no rule makes an error: the record is stored, and the
    response says which answer was not kept and why."""
    answers = lettings_answers(org.code)
    answers["persons"] = [*answers["persons"], {"age_known": 0, "age": 40}]  # one more person than hhmemb says
    response = api.post(RECORDS, {"answers": answers})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["errors"] == []
    not_kept = {(n["question"], n["item"], n["pointer"]) for n in body["not_kept"]}
    assert ("age", len(answers["persons"]), f"/answers/persons/{len(answers['persons']) - 1}/age") in not_kept
    message = next(n["message"] for n in body["not_kept"] if n["question"] == "age")
    assert "was not kept" in message and "fewer household members" in message
    assert len(Record.objects.get(public_id=body["id"]).answers["persons"]) == len(answers["persons"]) - 1
    # Reading the record back has nothing to report: only the request that sent the answers did.
    assert api.get(body["links"]["self"]).json()["not_kept"] == []
