"""A person reads their notifications and chooses which come by email, in Chromium, with and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.notifications import kinds
from dcp_platform.notifications.models import NotificationPreference
from dcp_platform.notifications.services import notification_send

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser


def sign_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_person_reads_notifications_and_chooses_which_come_by_email(
    live_server: Any, browser: Any, make_org: Any, make_user: Any, javascript: bool
) -> None:
    person = make_user(make_org(), name="Nora Notified")
    for title in ("Your upload has been processed", "A query was raised about record 12"):
        notification_send(user=person, kind=kinds.UPLOAD_PROCESSED, title=title, body="118 rows ready, 2 to fix.",
                          link=live_url(live_server, "core", "/uploads/"), collection_slug="core")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, live_server, person.email)
    navigation = page.get_by_role("navigation", name="Menu")
    assert navigation.get_by_role("link", name="Notifications 2 unread").is_visible()
    with page.expect_navigation():
        navigation.get_by_role("link", name="Notifications").click()
    assert page.get_by_role("heading", name="Notifications", exact=True).is_visible()
    assert "You have 2 unread notifications." in page.content()
    assert_accessible(page, context="notifications, two unread")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark as read notification “Your upload has been processed”").click()
    assert "The notification is marked as read." in page.content()
    assert "You have 1 unread notification." in page.content()
    assert_accessible(page, context="notifications, one marked as read")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark all as read").click()
    assert "You have no unread notifications." in page.content()
    assert "unread" not in navigation.inner_text()
    assert_accessible(page, context="notifications, all read")

    with page.expect_navigation():
        page.get_by_role("link", name="Choose which notifications you get by email").click()
    assert_accessible(page, context="email choices")
    page.get_by_label("An upload has been processed").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save choices").click()
    assert "Your email choices are saved." in page.content()
    assert not page.get_by_label("An upload has been processed").is_checked()
    assert page.get_by_label("A download is ready").is_checked()
    assert_accessible(page, context="email choices saved")
    assert NotificationPreference.objects.get(user=person, kind=kinds.UPLOAD_PROCESSED).email is False

    # A choice the page never offers (a tampered form) is an error, shown the GOV.UK way.
    page.eval_on_selector("#id_emailed", "box => { box.value = 'gossip'; box.checked = true; }")
    with page.expect_navigation():
        page.get_by_role("button", name="Save choices").click()
    assert "There is a problem" in page.content()
    assert_accessible(page, context="email choices with an error")
    context.close()
