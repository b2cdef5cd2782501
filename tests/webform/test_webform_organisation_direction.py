"""Owner and manager follow the relationships' direction, in the web form and the API (issue 20, point 5).

A stock owner's managing agent manages its lettings: it is offered (and accepted) as the managing organisation,
never as the owning one. The agent's users may name the stock owner as owner.
"""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import Record


@pytest.fixture
def owner_and_agent(core: Any, make_org: Any) -> tuple[Any, Any]:
    owner, agent = make_org("Direction Stock Owner"), make_org("Direction Managing Agent")
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    return owner, agent


def test_the_stock_owner_is_not_offered_its_agent_as_owner_and_cannot_choose_it(
    client_for: Any, make_user: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, agent = owner_and_agent
    client = client_for("core", make_user(owner))
    record_path = client.post("/records/new/lettings/2026/")["Location"]
    page = client.get(record_path + "questions/stock_owner/").content.decode()
    assert owner.name in page and agent.name not in page
    response = client.post(record_path + "questions/stock_owner/", {"owning_organisation_id": agent.code})
    assert response.status_code == 400  # an error on the question, not a bounce to the task list
    html = response.content.decode()
    assert 'id="owning_organisation_id-error"' in html and f"{agent.code} cannot own this record" in html
    # Refused: nothing was stored, not even an empty record.
    assert not Record.objects.filter(created_by__organisation=owner).exists()


def test_the_agent_may_name_the_stock_owner_as_owner_and_itself_as_manager(
    client_for: Any, make_user: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, agent = owner_and_agent
    client = client_for("core", make_user(agent))
    record_path = client.post("/records/new/lettings/2026/")["Location"]
    page = client.get(record_path + "questions/stock_owner/").content.decode()
    assert owner.name in page
    saved = client.post(record_path + "questions/stock_owner/", {"owning_organisation_id": owner.code})
    assert saved.status_code == 302
    # The first saved answer created the record.
    record = Record.objects.get(public_id=saved["Location"].split("/records/")[1].split("/")[0])
    assert record.owning_organisation == owner
