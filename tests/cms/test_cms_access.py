"""Per-collection Wagtail admin rights: enforced by CollectionAdminAccessMiddleware, not Wagtail defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dcp_platform.cms.wagtail_hooks import without_support_only_items
from dcp_platform.tenancy.services import SUPPORT_GROUP_NAME, editors_group_name
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_of(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> Callable[[str], Any]:
    def make(slug: str) -> Any:
        user = make_user(make_org(provider_type="LA"))
        user.groups.add(Group.objects.get(name=editors_group_name(slug)))
        return user

    return make


@pytest.fixture
def verified_support_client(make_user: Callable[..., Any]) -> Callable[[str | None], Client]:
    """A support user who has passed the second factor (support must use an authenticator app)."""

    def make(slug: str | None) -> Client:
        from conftest import host_for

        user = make_user(None, role="support")
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client(HTTP_HOST=host_for(slug))
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


def test_editor_of_core_can_open_core_cms(client_for: Callable[..., Client], editor_of: Callable[[str], Any]) -> None:
    response = client_for("core", editor_of("core")).get("/cms/")
    assert response.status_code == 200


def test_editor_of_core_is_refused_on_hclic_cms(
    client_for: Callable[..., Client], editor_of: Callable[[str], Any]
) -> None:
    client = client_for("hclic", editor_of("core"))
    assert client.get("/cms/").status_code == 403
    assert client.get("/cms/pages/").status_code == 403


def test_access_admin_permission_alone_does_not_open_a_collection(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    # Wagtail would let this user in (access_admin is global); our rule is editors-group membership.
    user = make_user(make_org())
    user.groups.add(Group.objects.get(name=editors_group_name("hclic")))  # has access_admin via hclic
    assert client_for("core", user).get("/cms/").status_code == 403


def test_provider_without_editor_group_is_refused(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    assert client_for("core", make_user(make_org())).get("/cms/").status_code == 403


def test_anonymous_is_sent_to_our_sign_in_page(client_for: Callable[..., Client]) -> None:
    response = client_for("core").get("/cms/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fcms%2Fpages%2F"


def test_cms_is_not_served_on_the_public_host(client_for: Callable[..., Client], editor_of: Callable[[str], Any]) -> None:
    assert client_for(None, editor_of("core")).get("/cms/").status_code == 403


@pytest.mark.parametrize("path", ["/cms/users/", "/cms/groups/", "/cms/users/add/"])
def test_editor_cannot_open_user_and_group_screens(
    client_for: Callable[..., Client], editor_of: Callable[[str], Any], path: str
) -> None:
    assert client_for("core", editor_of("core")).get(path).status_code == 403


@pytest.mark.parametrize("path", ["/cms/users/", "/cms/groups/"])
def test_support_can_open_user_and_group_screens(
    verified_support_client: Callable[[str | None], Client], path: str
) -> None:
    assert verified_support_client("core").get(path).status_code == 200


@pytest.mark.parametrize("slug", ["core", "hclic"])
def test_support_can_edit_pages_in_every_collection(
    verified_support_client: Callable[[str | None], Client], slug: str
) -> None:
    from dcp_platform.cms.models import GuidancePage
    from django_tenants.utils import schema_context
    from wagtail.models import Page

    with schema_context(slug):
        guidance_id = GuidancePage.objects.get(slug="how-to-submit").pk
        assert Page.objects.filter(pk=guidance_id).exists()
    response = verified_support_client(slug).get(f"/cms/pages/{guidance_id}/edit/")
    assert response.status_code == 200


def test_editor_can_edit_own_collection_guidance(
    client_for: Callable[..., Client], editor_of: Callable[[str], Any]
) -> None:
    from dcp_platform.cms.models import GuidancePage
    from django_tenants.utils import schema_context

    with schema_context("core"):
        guidance_id = GuidancePage.objects.get(slug="how-to-submit").pk
    assert client_for("core", editor_of("core")).get(f"/cms/pages/{guidance_id}/edit/").status_code == 200


def test_support_group_membership_follows_the_role(make_user: Callable[..., Any]) -> None:
    user = make_user(None, role="support")
    assert user.groups.filter(name=SUPPORT_GROUP_NAME).exists()
    user.role = "data_provider"
    user.save()
    assert not user.groups.filter(name=SUPPORT_GROUP_NAME).exists()


class _Item:
    def __init__(self, name: str) -> None:
        self.name = name


def test_settings_menu_hides_users_and_groups_from_editors(editor_of: Callable[[str], Any]) -> None:
    request = RequestFactory().get("/cms/")
    request.user = editor_of("core")
    items = [_Item("users"), _Item("groups"), _Item("redirects")]
    assert [item.name for item in without_support_only_items(request, items)] == ["redirects"]


def test_settings_menu_keeps_users_and_groups_for_support(make_user: Callable[..., Any]) -> None:
    request = RequestFactory().get("/cms/")
    request.user = make_user(None, role="support")
    items = [_Item("users"), _Item("groups"), _Item("redirects")]
    assert [item.name for item in without_support_only_items(request, items)] == ["users", "groups", "redirects"]


def test_editor_dashboard_has_no_link_to_users(client_for: Callable[..., Client], editor_of: Callable[[str], Any]) -> None:
    html = client_for("core", editor_of("core")).get("/cms/").content.decode()
    assert "/cms/users/" not in html
    assert "/cms/groups/" not in html
