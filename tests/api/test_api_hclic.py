"""The same API serves H-CLIC from its definition alone: repeating groups of any size travel as JSON arrays."""

from __future__ import annotations

from typing import Any

CASES = "/api/v1/cases/2026/records"


def case_answers(council_code: str, people: int) -> dict[str, Any]:
    household = [{"age": 34, "sex": "F", "nationality": 1, "economic_status": 2}]
    household += [{"relationship": 2, "age": 3 + n, "sex": "M"} for n in range(people - 1)]
    return {
        "case_reference": "HC/2026/0001", "local_authority": council_code, "reporting_date": "2026-05-20",
        "application_date": "2026-04-01", "assessment_date": "2026-04-10", "current_accommodation": 3,
        "people": household, "has_support_needs": 1, "support_needs": ["MH", "DA"],
        "prevention_duty": 1, "prevention_start": "2026-04-10", "prevention_end": "2026-05-15",
        "prevention_end_reason": 2, "prevention_accommodation": 3, "relief_duty": 1, "relief_start": "2026-05-15",
        "placed_in_temporary_accommodation": 1,
        "placements": [{"ta_type": 1, "ta_duty": 1, "ta_start": "2026-05-15"},
                       {"ta_type": 2, "ta_duty": 1, "ta_start": "2026-05-18"}],
    }


def test_a_case_with_a_large_household_and_placements(hclic: Any, make_org: Any, make_user: Any, api_for: Any) -> None:
    council = make_org(provider_type="LA")
    api = api_for("hclic", make_user(council, role="data_coordinator"))
    created = api.post(CASES, {"answers": case_answers(council.code, people=11)})
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["answers"]["people"]) == 11 and len(body["answers"]["placements"]) == 2
    assert body["answers"]["people"][10]["age"] == 12
    # Sending a group replaces it: the household shrinks to two people.
    smaller = api.patch(body["links"]["self"], {"answers": {"people": case_answers(council.code, 2)["people"]}},
                        if_match=created["ETag"])
    assert smaller.status_code == 200 and len(smaller.json()["answers"]["people"]) == 2


def test_a_problem_inside_a_group_points_at_the_item(
    hclic: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    council = make_org(provider_type="LA")
    api = api_for("hclic", make_user(council, role="data_coordinator"))
    answers = case_answers(council.code, people=3)
    answers["people"][2]["age"] = "three"
    response = api.post(CASES, {"answers": answers})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["pointer"], error["group"], error["item"]) == ("/answers/people/2/age", "people", 3)


def test_housing_associations_cannot_use_hclic(
    hclic: Any, make_org: Any, make_user: Any, client_for: Any
) -> None:
    association = make_org(provider_type="PRP")
    coordinator = make_user(association, role="data_coordinator")
    assert client_for("hclic", coordinator).get("/api-keys/").status_code == 403
    assert client_for("core", coordinator).get("/api-keys/").status_code == 200
