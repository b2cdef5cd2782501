"""A record with an open query says so in the API (`open_queries`), in reads, lists and updates."""

from __future__ import annotations

from typing import Any

from dcp_platform.quality.services import query_raise, query_resolve
from dcp_platform.tenancy.models import Collection, CollectionAnalyst
from django_tenants.utils import schema_context

from tests.quality.conftest import create_record


def test_open_queries_are_in_the_record_representation(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    analyst = make_user(make_org(provider_type="OTHER", collections=()))
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    queried, quiet = create_record(coordinator, org), create_record(coordinator, org)
    query = query_raise(by=analyst, subject="Rent far above peers", message="Is it right?", records=[queried])
    api = api_for("core", coordinator)
    with schema_context("core"):
        body = api.get(f"/api/v1/lettings/2026/records/{queried.public_id}").json()
        [shown] = body["open_queries"]
        assert shown["id"] == query.pk and shown["subject"] == "Rent far above peers" and shown["state"] == "open"
        assert shown["link"].endswith(f"/quality/queries/{query.pk}/")
        listed = {r["id"]: r["open_queries"] for r in api.get("/api/v1/lettings/2026/records").json()["records"]}
        assert [q["id"] for q in listed[str(queried.public_id)]] == [query.pk]
        assert listed[str(quiet.public_id)] == []
        changed = api.patch(f"/api/v1/lettings/2026/records/{queried.public_id}", {"answers": {"tenancycode": "X"}},
                            if_match=f'"{queried.version}"')
        assert changed.status_code == 200, changed.json()
        assert [q["id"] for q in changed.json()["open_queries"]] == [query.pk]
        query_resolve(by=analyst, query=query)
        assert api.get(f"/api/v1/lettings/2026/records/{queried.public_id}").json()["open_queries"] == []
