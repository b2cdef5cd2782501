"""Only support users, with their second factor verified, open the support pages; every other role gets 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.services import analyst_assign, editors_group_name
from django.contrib.auth.models import Group

from conftest import TEST_PASSWORD

PAGES = [
    "/support/", "/support/organisations/", "/support/organisations/new/", "/support/organisations/{org}/",
    "/support/organisations/{org}/edit/", "/support/users/", "/support/users/new/", "/support/users/{user}/",
    "/support/users/{user}/deactivate/", "/support/invitations/", "/support/collections/",
    "/support/collections/core/", "/support/audit/",
]


@pytest.fixture
def targets(make_org: Any, make_user: Any) -> dict[str, int]:
    org = make_org()
    return {"org": org.pk, "user": make_user(org).pk}


def people(make_org: Any, make_user: Any) -> dict[str, Any]:
    org = make_org()
    department = make_org(provider_type="OTHER", collections=())
    analyst = make_user(department)
    analyst_assign(user=analyst, collection=Collection.objects.get(slug="core"), by=make_user(None, role="support"))
    editor = make_user(None)
    editor.groups.add(Group.objects.get(name=editors_group_name("core")))
    return {"data provider": make_user(org), "data coordinator": make_user(org, role="data_coordinator"),
            "analyst": analyst, "content designer": editor}


@pytest.mark.parametrize("page", PAGES)
def test_every_role_but_support_is_refused_every_support_page(
    client_for: Callable[..., Any], make_org: Any, make_user: Any, targets: dict[str, int], page: str
) -> None:
    path = page.format(**targets)
    for role, person in people(make_org, make_user).items():
        response = client_for(None, person).get(path)
        assert response.status_code == 403, f"{role} on {path}"
    response = client_for(None).get(path)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_support_opens_every_support_page_once_their_second_factor_is_verified(
    client_for: Callable[..., Any], support: Any, support_user: Any, targets: dict[str, int], page: str
) -> None:
    path = page.format(**targets)
    assert support.get(path).status_code == 200
    unverified = client_for(None)
    unverified.post("/sign-in/", {"email": support_user.email, "password": TEST_PASSWORD})
    response = unverified.get(path)
    assert response.status_code == 302 and "/account/two-factor/" in response["Location"]


def test_support_pages_are_not_served_on_collection_hosts(client_for: Callable[..., Any], support: Any) -> None:
    assert client_for("core").get("/support/").status_code == 404


def test_changes_are_refused_to_everyone_but_support(
    client_for: Callable[..., Any], make_org: Any, make_user: Any, targets: dict[str, int]
) -> None:
    from dcp_platform.accounts.models import Organisation

    coordinator = make_user(make_org(), role="data_coordinator")
    client = client_for(None, coordinator)
    response = client.post(f"/support/organisations/{targets['org']}/edit/", {
        "name": "Taken over", "code": "TAKEN", "provider_type": "PRP"})
    assert response.status_code == 403
    assert Organisation.objects.get(pk=targets["org"]).name != "Taken over"
    assert client.post(f"/support/users/{targets['user']}/deactivate/").status_code == 403
    assert client.post("/support/collections/core/", {"analyst-email": coordinator.email}).status_code == 403
