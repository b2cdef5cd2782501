"""API keys: made and revoked by data coordinators on the web, shown once, stored hashed, scoped to a collection."""

from __future__ import annotations

import re
from typing import Any

from dcp_api.models import ApiKey
from dcp_platform.accounts.models import AuditEvent
from django_tenants.utils import schema_context


def test_a_coordinator_creates_a_key_that_is_shown_once_and_stored_hashed(
    core: Any, make_org: Any, make_user: Any, client_for: Any, api_for: Any
) -> None:
    coordinator = make_user(make_org(), role="data_coordinator")
    web = client_for("core", coordinator)
    assert web.get("/api-keys/").status_code == 200
    empty = web.post("/api-keys/new/", {"name": ""})
    assert empty.status_code == 400 and "Enter a name for the key" in empty.content.decode()
    created = web.post("/api-keys/new/", {"name": "Housing system"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', created.content.decode()).group(1)  # type: ignore[union-attr]
    key = ApiKey.objects.get(name="Housing system", created_by=coordinator)
    assert secret not in (key.digest, key.prefix) and secret.startswith(key.prefix) and len(key.digest) == 64
    listing = web.get("/api-keys/").content.decode()
    assert key.prefix in listing and secret not in listing and "Never" in listing
    api = api_for("core", secret=secret)
    assert api.get("/api/v1/organisations").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert AuditEvent.objects.filter(action="api_key.create", actor=coordinator).exists()

    assert web.post(f"/api-keys/{key.pk}/revoke/").status_code == 302
    refused = api.get("/api/v1/organisations")
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "authentication_failed"


def test_data_providers_cannot_manage_keys(core: Any, make_org: Any, make_user: Any, client_for: Any) -> None:
    provider = make_user(make_org())
    web = client_for("core", provider)
    assert web.get("/api-keys/").status_code == 404
    assert web.post("/api-keys/new/", {"name": "Mine"}).status_code == 404
    assert not ApiKey.objects.filter(name="Mine").exists()


def test_requests_without_a_valid_key_are_refused(core: Any, api_for: Any) -> None:
    anonymous = api_for("core")
    response = anonymous.get("/api/v1/lettings/2026/records")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["message"]
    wrong = api_for("core", secret="dcp_not-a-real-key")
    assert wrong.get("/api/v1/lettings/2026/records").status_code == 401


def test_a_key_for_one_collection_cannot_touch_another(
    core: Any, hclic: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    council = make_org(provider_type="LA")
    coordinator = make_user(council, role="data_coordinator")
    core_api = api_for("core", coordinator)
    hclic_api = api_for("hclic", secret=core_api.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer "))
    assert core_api.get("/api/v1/organisations").status_code == 200
    assert hclic_api.get("/api/v1/cases/2026/records").status_code == 401
    with schema_context("hclic"):
        assert not ApiKey.objects.exists()


def test_a_key_stops_working_when_its_coordinator_loses_access(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    coordinator = make_user(make_org(), role="data_coordinator")
    api = api_for("core", coordinator)
    assert api.get("/api/v1/organisations").status_code == 200
    coordinator.role = "data_provider"
    coordinator.save()
    assert api.get("/api/v1/organisations").status_code == 401


def test_the_key_lookup_loads_the_key_and_its_coordinator_as_the_orm_does(
    core: Any, make_org: Any, make_user: Any
) -> None:
    """active_key_for_secret reads the key with hand-written SQL: every field must come back as the ORM loads it."""
    from dcp_api.keys import active_key_for_secret, api_key_create
    from dcp_platform.accounts.models import User
    from dcp_platform.tenancy.models import Collection, Participation
    from django.forms.models import model_to_dict

    org = make_org(collections=("core",))
    coordinator = make_user(org, role="data_coordinator", name="Kim Coordinator")
    secret = api_key_create(user=coordinator, name="System").secret
    core_collection, hclic_collection = Collection.objects.get(slug="core"), Collection.objects.get(slug="hclic")
    found = active_key_for_secret(secret, collection=core_collection)
    assert found is not None
    stored = ApiKey.objects.get(pk=found.pk)
    assert model_to_dict(found) == model_to_dict(stored) and found.created_at == stored.created_at
    assert found.last_used_at == stored.last_used_at is not None
    assert not found._state.adding and found._state.db == "default"
    creator = found.created_by  # loaded with the key: no query
    assert {f.attname: getattr(creator, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(coordinator, f.attname) for f in User._meta.concrete_fields
    }
    assert found.organisation_takes_part is True  # type: ignore[attr-defined]
    assert Participation.objects.filter(organisation=org, collection=hclic_collection).count() == 0
    elsewhere = active_key_for_secret(secret, collection=hclic_collection)
    assert elsewhere is not None and elsewhere.organisation_takes_part is False  # type: ignore[attr-defined]
    assert not hasattr(active_key_for_secret(secret), "organisation_takes_part")
    assert active_key_for_secret(secret + "x", collection=core_collection) is None
    assert active_key_for_secret("not-a-key", collection=core_collection) is None
