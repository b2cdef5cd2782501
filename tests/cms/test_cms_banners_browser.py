"""Service banners in Chromium: shown signed out and signed in, hidden with one button (also without
JavaScript), axe-clean with two banners on a page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from dcp_platform.cms.models import ServiceBanner
from dcp_platform.notifications.models import PlatformBanner
from django.utils import timezone

from conftest import assert_accessible, live_url
from tests.cms.test_cms_banners import published_banner

pytestmark = pytest.mark.browser


def banner_headings(page: Any, marker: str) -> list[str]:
    texts = page.locator(".govuk-notification-banner__heading").all_inner_texts()
    return [text.strip() for text in texts if marker in text]


@pytest.fixture
def marker() -> Iterator[str]:
    """Names this test's banners; they are removed afterwards, since browser tests' data is kept and every page
    of the later browser tests would show them."""
    from django_tenants.utils import schema_context

    marker = uuid.uuid4().hex[:6]
    yield marker
    PlatformBanner.objects.filter(heading__contains=marker).delete()
    with schema_context("core"):
        ServiceBanner.objects.filter(heading__contains=marker).delete()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_visitor_sees_both_banners_and_hides_one_for_every_host(
    live_server: Any, browser: Any, javascript: bool, marker: str
) -> None:
    PlatformBanner.objects.create(heading=f"Platform notice {marker}", message="Sign-in changes next week.",
                                  link_text="What is changing", link_url="/",
                                  starts_at=timezone.now() - timedelta(hours=1))
    published_banner("core", f"CORE notice {marker}")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_url(live_server, "core", "/"))
    assert banner_headings(page, marker) == [f"Platform notice {marker}", f"CORE notice {marker}"]
    assert_accessible(page, context="collection start page with two banners")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Hide this message “Platform notice {marker}”").click()
    assert page.url.startswith(live_url(live_server, "core", "/"))
    assert banner_headings(page, marker) == [f"CORE notice {marker}"]
    assert_accessible(page, context="collection start page, one banner hidden")
    page.goto(live_url(live_server, None, "/"))  # the public site shares the cookie
    assert f"Platform notice {marker}" not in banner_headings(page, marker)
    context.close()
