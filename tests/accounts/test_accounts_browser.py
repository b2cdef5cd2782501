"""Sign-in journeys in Chromium: one sign-in for both collections, sign out everywhere, an invitation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser


def sign_in(page: Any, live_server: Any, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(live_url(live_server, None, "/sign-in/"))
    assert_accessible(page, context="sign-in page")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_sign_in_once_reach_both_collections_then_sign_out_everywhere(
    live_server: Any, page: Any, make_org: Any, make_user: Any
) -> None:
    council = make_org("Eastwick Borough Council", provider_type="LA")
    user = make_user(council, name="Lena Local")
    sign_in(page, live_server, user.email)
    assert "Your data collections" in page.content()
    assert_accessible(page, context="public home, signed in")
    links = page.locator("main a.govuk-link")
    titles = [links.nth(i).inner_text() for i in range(links.count())]
    assert any("CORE" in t for t in titles) and any("H-CLIC" in t for t in titles)
    for slug in ("core", "hclic"):
        page.goto(live_url(live_server, slug, "/records/"))
        assert "/sign-in/" not in page.url, f"a second sign-in was asked on {slug}"
        assert page.get_by_role("heading", name="Records").is_visible()
        assert_accessible(page, context=f"{slug} records list")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert "You have signed out" in page.content()
    assert_accessible(page, context="signed out")
    for slug in ("core", "hclic"):
        page.goto(live_url(live_server, slug, "/records/"))
        assert "/sign-in/" in page.url


def test_coordinator_invites_a_user_who_sets_a_password_and_signs_in(
    live_server: Any, page: Any, make_org: Any, make_user: Any
) -> None:
    org = make_org("Harbour Homes")
    coordinator = make_user(org, role="data_coordinator", name="Cora Coordinator")
    sign_in(page, live_server, coordinator.email)
    page.goto(live_url(live_server, None, "/users/"))
    assert_accessible(page, context="users")
    with page.expect_navigation():
        page.get_by_role("button", name="Invite a user").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert "There is a problem" in page.content()
    assert_accessible(page, context="invite form with errors")
    page.fill("#id_name", "Ivan Invitee")
    page.fill("#id_email", "ivan.invitee@example.com")
    page.check("#id_role")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert "We have sent an invitation" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    body = mail.outbox[-1].body
    link = re.search(r"https?://\S+/set-password/\S+/", body)
    assert link, body
    page.goto(link.group(0))
    assert_accessible(page, context="set password")
    page.fill("#id_new_password1", "ivan-picks-a-long-password")
    page.fill("#id_new_password2", "ivan-picks-a-long-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Set password").click()
    assert "Your password is set" in page.content()
    sign_in(page, live_server, "ivan.invitee@example.com", "ivan-picks-a-long-password")
    assert "Your data collections" in page.content()
