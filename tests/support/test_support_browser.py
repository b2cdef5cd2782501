"""Support journeys in Chromium, axe on every page and every error state: organisations and their links,
users and invitations, collections and analysts, the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from dcp_platform.accounts.models import Organisation, OrganisationRelationship, User
from dcp_platform.notifications.models import PlatformBanner
from dcp_platform.tenancy.models import CollectionAnalyst, Participation
from django_otp.plugins.otp_static.models import StaticDevice

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser


def sign_in_as_support(page: Any, live_server: Any, make_user: Any) -> Any:
    user = make_user(None, role="support", name="Sasha Support")
    StaticDevice.objects.create(user=user, name="backup").token_set.create(token="24681357")  # noqa: S106
    page.goto(live_url(live_server, None, "/support/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.fill("#id_code", "24681357")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Support", exact=True).wait_for()
    assert_accessible(page, context="support home")
    return user


def open_section(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="Support").get_by_role("link", name=name).click()


def click(page: Any, role: str, name: str, *, exact: bool = False) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=exact).first.click()


def test_support_manages_an_organisation_its_links_and_collections(
    live_server: Any, page: Any, make_user: Any, make_org: Any
) -> None:
    sign_in_as_support(page, live_server, make_user)
    agent = make_org(f"Agent {uuid.uuid4().hex[:6]} Lettings")
    code = f"BR{uuid.uuid4().hex[:6].upper()}"
    open_section(page, "Organisations")
    assert_accessible(page, context="organisations")
    click(page, "button", "Add an organisation")
    assert_accessible(page, context="add an organisation")
    click(page, "button", "Add organisation")
    assert "There is a problem" in page.content()
    assert_accessible(page, context="add an organisation, with errors")
    page.get_by_label("Name").fill("Browser Test Homes")
    page.get_by_label("Code").fill(code)
    page.get_by_label("Private registered provider (housing association)").check()
    click(page, "button", "Add organisation")
    assert "Browser Test Homes has been added." in page.content()
    assert_accessible(page, context="organisation page")
    organisation = Organisation.objects.get(code=code)

    click(page, "button", "Add managing agent")
    assert "Choose an organisation" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="organisation page, agent not chosen")
    page.get_by_label("Add a managing agent").select_option(label=f"{agent.name} ({agent.code})")
    click(page, "button", "Add managing agent")
    assert f"{agent.name} now manages lettings for Browser Test Homes." in page.content()
    page.get_by_label("Collection").select_option("core")
    click(page, "button", "Add collection")
    assert Participation.objects.filter(organisation=organisation, collection__slug="core").exists()
    assert_accessible(page, context="organisation page with a link and a collection")

    click(page, "link", f"Remove {agent.name} as a managing agent")
    assert_accessible(page, context="confirm removing a link")
    click(page, "button", "Remove the link")
    assert not OrganisationRelationship.objects.filter(stock_owner=organisation).exists()
    click(page, "button", "Change details of Browser Test Homes")
    assert_accessible(page, context="change an organisation")
    page.get_by_label("Name").fill("")
    click(page, "button", "Save changes")
    assert_accessible(page, context="change an organisation, with errors")
    page.get_by_label("Name").fill("Browser Test Homes Renamed")
    click(page, "button", "Save changes")
    assert "Browser Test Homes Renamed" in page.get_by_role("heading", level=1).inner_text()


def test_support_invites_changes_and_deactivates_a_user_and_resends_an_invitation(
    live_server: Any, page: Any, make_user: Any, make_org: Any
) -> None:
    sign_in_as_support(page, live_server, make_user)
    organisation = make_org(f"Users {uuid.uuid4().hex[:6]} Homes")
    email = f"invitee.{uuid.uuid4().hex[:8]}@example.com"
    open_section(page, "Users")
    assert_accessible(page, context="users")
    page.get_by_label("Name, email address or organisation").fill("nobody-matches-this")
    click(page, "button", "Filter")
    assert "No users match." in page.content()
    assert_accessible(page, context="users, filtered to none")
    click(page, "button", "Invite a user")
    assert_accessible(page, context="invite a user")
    click(page, "button", "Send invitation")
    assert_accessible(page, context="invite a user, with errors")
    page.get_by_label("Full name").fill("Ivo Invitee")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Data provider: enters and uploads records").check()
    page.get_by_label("Organisation", exact=True).select_option(label=f"{organisation.name} ({organisation.code})")
    click(page, "button", "Send invitation")
    assert f"We have sent an invitation to {email}." in page.content()
    assert_accessible(page, context="user page")

    page.get_by_label("Data coordinator: also manages users").check()
    click(page, "button", "Save changes")
    assert User.objects.get(email=email).is_coordinator
    click(page, "button", "Send the invitation again")
    assert f"We have sent the invitation to {email} again." in page.content()
    open_section(page, "Invitations")
    assert email in page.content()
    assert_accessible(page, context="invitations")
    click(page, "link", "Ivo Invitee")
    click(page, "button", "Deactivate Ivo Invitee")
    assert_accessible(page, context="confirm deactivating")
    click(page, "button", "Deactivate")
    assert "can no longer sign in" in page.content() and not User.objects.get(email=email).is_active
    assert_accessible(page, context="user page, deactivated")


def test_support_assigns_an_analyst_changes_a_collection_and_reads_the_audit_trail(
    live_server: Any, page: Any, make_user: Any, make_org: Any
) -> None:
    support = sign_in_as_support(page, live_server, make_user)
    analyst = make_user(make_org(provider_type="OTHER", collections=()), name="Arlo Analyst")
    open_section(page, "Collections and analysts")
    assert_accessible(page, context="collections")
    click(page, "link", "CORE: social housing lettings")
    assert_accessible(page, context="collection page")
    page.get_by_label("Email address of the analyst").fill("no.such.person@example.com")
    click(page, "button", "Add analyst")
    assert "There is no user with this email address" in page.content()
    assert_accessible(page, context="collection page, analyst unknown")
    page.get_by_label("Email address of the analyst").fill(analyst.email)
    click(page, "button", "Add analyst")
    assert "Arlo Analyst is now an analyst of CORE" in page.content()
    assert CollectionAnalyst.objects.filter(user=analyst, collection__slug="core").exists()
    page.get_by_label("Title").fill("")
    click(page, "button", "Save settings")
    assert_accessible(page, context="collection settings, with errors")
    click(page, "link", "Remove Arlo Analyst as an analyst")
    assert_accessible(page, context="confirm removing an analyst")
    click(page, "button", "Remove analyst")
    assert not CollectionAnalyst.objects.filter(user=analyst).exists()

    open_section(page, "Audit trail")
    assert_accessible(page, context="audit trail")
    page.get_by_label("Done by (email address or part of it)").fill(support.email)
    page.get_by_label("What happened").select_option("analyst_assigned")
    click(page, "button", "Filter")
    assert "Arlo Analyst" in page.locator("table").inner_text()
    assert_accessible(page, context="audit trail, filtered")
    page.locator("#id_from_day").fill("31")
    page.locator("#id_from_month").fill("2")
    page.locator("#id_from_year").fill("2026")
    click(page, "button", "Filter")
    assert "The start date must be a real date" in page.content()
    assert_accessible(page, context="audit trail, impossible date")


def test_support_schedules_a_platform_banner_after_fixing_the_form(
    live_server: Any, page: Any, make_user: Any
) -> None:
    sign_in_as_support(page, live_server, make_user)
    heading = f"Browser banner {uuid.uuid4().hex[:6]}"
    try:
        schedule_banner(page, heading)
    finally:  # browser tests' data is kept: every page of the later browser tests would show it
        PlatformBanner.objects.filter(heading=heading).delete()


def schedule_banner(page: Any, heading: str) -> None:
    open_section(page, "Service banners")
    assert_accessible(page, context="service banners")
    click(page, "button", "Add a banner")
    assert_accessible(page, context="add a banner")
    page.locator("#id_start_day").fill("31")
    page.locator("#id_start_month").fill("2")
    page.get_by_label("Start time").fill("9 o'clock")
    click(page, "button", "Save banner")
    assert "There is a problem" in page.content()
    assert_accessible(page, context="add a banner, with errors")
    page.get_by_label("Heading").fill(heading)
    page.locator("#id_start_day").fill("1")
    page.locator("#id_start_month").fill("1")
    page.locator("#id_start_year").fill("2026")
    page.get_by_label("Start time").fill("09:00")
    click(page, "button", "Save banner")
    assert f"The banner “{heading}” is saved." in page.content()
    assert page.get_by_text(heading, exact=True).first.is_visible()  # it shows on the support pages too
    assert_accessible(page, context="service banners with one showing")
