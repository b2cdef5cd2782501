"""Organisation relationships drive who owns and manages a letting, and who sees the record."""

from __future__ import annotations

from typing import Any

from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import Record


def test_owner_choices_are_the_users_organisation_and_related_ones_only(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    owner = make_org("Stock Owner Housing")
    agent = make_org("Agent Lettings")
    stranger = make_org("Unrelated Homes")
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    user = make_user(agent)
    client = client_for("core", user)
    record_path = client.post("/records/new/lettings/2026/")["Location"]
    page = client.get(record_path + "questions/stock_owner/").content.decode()
    assert "Stock Owner Housing" in page and "Agent Lettings" in page and "Unrelated Homes" not in page
    # Submitting for the stock owner is allowed (the first saved answer creates the record); for an unrelated
    # organisation it is refused.
    saved = client.post(record_path + "questions/stock_owner/", {"owning_organisation_id": owner.code})
    assert saved.status_code == 302
    record = Record.objects.get(public_id=saved["Location"].split("/records/")[1].split("/")[0])
    assert record.owning_organisation == owner
    record_path = f"/records/{record.public_id}/"
    client.post(record_path + "questions/stock_owner/", {"owning_organisation_id": stranger.code})
    record.refresh_from_db()
    assert record.owning_organisation == owner


def test_coordinator_sees_records_of_organisations_their_organisation_submits_for(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    owner = make_org("Owner Org")
    agent = make_org("Agent Org")
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    owner_provider = make_user(owner)
    client = client_for("core", owner_provider)
    saved = client.post("/records/new/lettings/2026/questions/tenant_code/", {"tenancycode": "OWNED-1"})
    record_path = "/records/" + saved["Location"].split("/records/")[1].split("/")[0] + "/"
    agent_coordinator = make_user(agent, role="data_coordinator")
    agent_provider = make_user(agent)
    assert "OWNED-1" in client_for("core", agent_coordinator).get("/records/").content.decode()
    assert "OWNED-1" not in client_for("core", agent_provider).get("/records/").content.decode()
    assert client_for("core", agent_provider).get(record_path).status_code == 404


def test_parent_organisation_coordinator_sees_child_records(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    parent = make_org("Group Parent")
    child = make_org("Group Child", parent=parent)
    client = client_for("core", make_user(child))
    record_path = client.post("/records/new/lettings/2026/")["Location"]
    client.post(record_path + "questions/tenant_code/", {"tenancycode": "CHILD-9"})
    assert "CHILD-9" in client_for("core", make_user(parent, role="data_coordinator")).get("/records/").content.decode()
    assert "CHILD-9" not in client_for("core", make_user(parent)).get("/records/").content.decode()
