"""Department analysts never reach the submission API: their organisation takes part in no collection."""

from __future__ import annotations

from typing import Any

from dcp_platform.records.models import Record
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.services import analyst_assign
from django_tenants.utils import schema_context


def test_an_analyst_cannot_use_the_api(make_org: Any, make_user: Any, api_for: Any, lettings_answers: Any) -> None:
    # Even a coordinator of the department, analyst of CORE, gets a key refused: the department takes no part.
    department = make_org(provider_type="OTHER", collections=())
    support = make_user(None, role="support")
    coordinator = make_user(department, role="data_coordinator")
    analyst_assign(user=coordinator, collection=Collection.objects.get(slug="core"), by=support)
    api = api_for("core", coordinator)
    assert api.post("/api/v1/lettings/2026/records", {"answers": lettings_answers(coordinator.organisation.code)}
                    ).status_code == 403
    assert api.get("/api/v1/lettings/2026/records").status_code == 403
    with schema_context("core"):
        assert not Record.objects.filter(created_by_id=coordinator.pk).exists()


def test_an_analyst_whose_organisation_later_takes_part_is_still_refused_every_write(
    make_org: Any, make_user: Any, api_for: Any, lettings_answers: Any
) -> None:
    # A state the support services never make (an analyst's organisation taking part): the record services
    # still refuse analysts themselves, whatever the channel's own checks let through.
    from dcp_platform.tenancy.models import Participation

    department = make_org(provider_type="OTHER", collections=())
    coordinator = make_user(department, role="data_coordinator")
    analyst_assign(user=coordinator, collection=Collection.objects.get(slug="core"),
                   by=make_user(None, role="support"))
    Participation.objects.create(organisation=department, collection=Collection.objects.get(slug="core"))
    api = api_for("core", coordinator)
    response = api.post("/api/v1/lettings/2026/records", {"answers": lettings_answers(department.code)})
    # Refused because of who they are, not what they sent: 403 (read_only), as for an organisation not allowed.
    assert response.status_code == 403 and "analyst" in response.content.decode()
    assert response.json()["errors"][0]["code"] == "read_only"
    batch = api.post("/api/v1/lettings/2026/records/batch", {"records": [{"answers": lettings_answers(department.code)}]})
    assert "analyst" in batch.content.decode()
    assert [(r["status"], r["errors"][0]["code"]) for r in batch.json()["results"]] == [(403, "read_only")]
    with schema_context("core"):
        assert not Record.objects.filter(created_by_id=coordinator.pk).exists()
