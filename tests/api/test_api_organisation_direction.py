"""Owner and manager follow the relationships' direction, in the API (issue 20, point 5).

A stock owner's managing agent manages its lettings: it is offered (and accepted) as the managing organisation,
never as the owning one. The agent's users may name the stock owner as owner.
"""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship

RECORDS = "/api/v1/lettings/2026/records"


@pytest.fixture
def owner_and_agent(core: Any, make_org: Any) -> tuple[Any, Any]:
    owner, agent = make_org("Direction Stock Owner"), make_org("Direction Managing Agent")
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    return owner, agent


def test_the_api_refuses_the_agent_as_owner_and_points_at_the_owner(
    make_user: Any, api_for: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, agent = owner_and_agent
    api = api_for("core", make_user(owner, role="data_coordinator"))
    refused = api.post(RECORDS, {"answers": {"owning_organisation_id": agent.code}})
    assert refused.status_code == 403, refused.content
    error = refused.json()["errors"][0]
    assert error["code"] == "organisation_not_allowed" and error["pointer"] == "/answers/owning_organisation_id"
    # The other way round is the relationship: owner owns, agent manages.
    accepted = api.post(RECORDS, {"answers": {"owning_organisation_id": owner.code,
                                              "managing_organisation_id": agent.code}})
    assert accepted.status_code == 201, accepted.content


def test_a_manager_that_does_not_manage_for_the_owner_points_at_the_manager(
    make_org: Any, make_user: Any, api_for: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, agent = owner_and_agent
    other_owner = make_org("Direction Other Owner")
    OrganisationRelationship.objects.create(stock_owner=other_owner, managing_agent=agent)
    api = api_for("core", make_user(agent, role="data_coordinator"))
    refused = api.post(RECORDS, {"answers": {"owning_organisation_id": owner.code,
                                             "managing_organisation_id": other_owner.code}})
    assert refused.status_code == 403, refused.content
    assert refused.json()["errors"][0]["pointer"] == "/answers/managing_organisation_id"
