"""A content designer edits guidance in CORE's Wagtail and the change shows on CORE's site; not on H-CLIC.

Real Chromium against the live server. axe-core checks every page of ours the journey visits (public home,
sign-in, start, guidance, windows, window, permission refused). Wagtail's own admin screens are not checked
with axe: they are Wagtail's markup, outside our control, and Wagtail tracks its own accessibility issues.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from dcp_platform.cms.models import CollectionWindowPage, GuidancePage
from dcp_platform.tenancy.services import editors_group_name
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from conftest import TEST_PASSWORD, live_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, live_server: Any, email: str, axe: Callable[..., None]) -> None:
    page.goto(live_url(live_server, None, "/"))
    axe(page, context="public home, signed out")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/"))
    axe(page, context="sign-in page")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your data collections").wait_for()
    axe(page, context="public home, signed in")


def edit_and_publish_guidance(page: Any, live_server: Any, guidance_id: int, new_text: str) -> None:
    """In Wagtail: replace the body of the guidance page and publish it (Wagtail admin: no axe, see above)."""
    page.goto(live_url(live_server, "core", f"/cms/pages/{guidance_id}/edit/"))
    body = page.locator("[data-contentpath='body'] [contenteditable='true']").first
    body.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(new_text)
    # Draftail copies the editor's content into the form's hidden input after a short pause.
    page.wait_for_function(
        "text => document.querySelector(\"input[name='body']\").value.includes(text)", arg=new_text
    )
    # "Publish" sits in the footer's action menu, behind the "More actions" toggle next to "Save draft".
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/cms/pages/\d+/"))


def test_content_designer_edits_guidance_and_is_refused_on_another_collection(
    page: Any, live_server: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], axe: Callable[..., None]
) -> None:
    page.set_default_timeout(15_000)
    designer = make_user(make_org(provider_type="LA"), email=f"designer-{uuid.uuid4().hex[:8]}@example.com")
    designer.groups.add(Group.objects.get(name=editors_group_name("core")))
    with schema_context("core"):
        guidance = GuidancePage.objects.get(slug="how-to-submit")
        guidance_url = guidance.url
        window_url = CollectionWindowPage.objects.live().first().url  # type: ignore[union-attr]
    new_text = f"Send your lettings logs by the deadline. Reference {uuid.uuid4().hex[:10]}."

    sign_in(page, live_server, designer.email, axe)

    # The collection's public pages, before the change.
    page.goto(live_url(live_server, "core", "/"))
    axe(page, context="core start page")
    page.goto(live_url(live_server, "core", "/windows/"))
    axe(page, context="core windows page")
    page.goto(live_url(live_server, "core", window_url))
    axe(page, context="core window page")
    page.goto(live_url(live_server, "core", guidance_url))
    assert new_text not in page.content()

    # One sign-in: the session from the public host works in CORE's Wagtail admin.
    edit_and_publish_guidance(page, live_server, guidance.pk, new_text)

    page.goto(live_url(live_server, "core", guidance_url))
    page.get_by_text(new_text).wait_for()
    axe(page, context="core guidance page after publishing")

    # The same person is not an editor of H-CLIC.
    response = page.goto(live_url(live_server, "hclic", "/cms/"))
    assert response is not None and response.status == 403
    page.get_by_role("heading", name="You do not have permission to view this page").wait_for()
    axe(page, context="hclic /cms/ refused")
    with schema_context("hclic"):
        assert new_text not in GuidancePage.objects.get(slug="how-to-submit").body
