"""In Chromium, with axe-core on every dashboard page (JavaScript on and off): the charts are SVG images with a
title, each beside its table and CSV link, and a refused page explains itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import schema_context

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def people(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    from dcp_platform.playback.services import refresh_figures
    from dcp_platform.records.models import Record
    from dcp_platform.tenancy.models import Collection, CollectionAnalyst

    tag = uuid.uuid4().hex[:6].upper()
    organisations = []
    for n in range(7):
        organisation = make_org(f"Dashboard Homes {tag} {n}", code=f"DASH{tag}{n}", collections=("core",))
        organisation.region = "E12000007"
        organisation.save()
        organisations.append(organisation)
    with schema_context("core"):
        for n, organisation in enumerate(organisations):
            for channel in ("web", "upload", "api"):
                Record.objects.create(
                    form="lettings", year=2026, status="completed", source_channel=channel,
                    owning_organisation=organisation, managing_organisation=organisation,
                    answers={"needstype": 1 + n % 2, "homeless": 11 if n % 3 else 1, "la": "E09000001",
                             "illness": 3 if n == 1 else 1, "rent_type": 0},
                    derived={"wtcharge": f"{100 + 10 * n}.50", "wrent": f"{90 + 10 * n}", "vacdays": n},
                )
        refresh_figures(slug="core", form="lettings", year=2026)
    analyst = make_user(make_org(collections=()), email=f"analyst-{tag.lower()}@example.com")
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    coordinator = make_user(organisations[0], role="data_coordinator", email=f"dash-{tag.lower()}@example.com")
    return {"organisation": organisations[0], "coordinator": coordinator, "analyst": analyst}


def charts_have_titles_and_tables(page: Any) -> None:
    charts = page.locator("svg.dcp-chart[role=img]")
    assert charts.count() >= 3
    for n in range(charts.count()):
        assert charts.nth(n).locator("title").text_content()
    assert page.locator("table.govuk-table").count() >= charts.count()
    assert page.get_by_role("link", name="Download this table as CSV").count() >= charts.count()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_coordinators_dashboard_reads_well(
    javascript: bool, live_server: Any, browser: Any, people: dict[str, Any]
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, people["coordinator"].email)
    page.goto(live_url(live_server, "core", "/records/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Dashboards").click()
    assert_accessible(page, context="dashboards list")
    with page.expect_navigation():
        page.get_by_role("link", name=people["organisation"].name).first.click()
    page.get_by_role("heading", name=people["organisation"].name, level=1).wait_for()
    assert_accessible(page, context="organisation dashboard")
    charts_have_titles_and_tables(page)
    assert page.get_by_text("Peers: Other private registered provider").count()
    page.goto(live_url(live_server, "core", "/dashboards/department/lettings/2026/"))
    page.get_by_role("heading", name="You cannot see this dashboard").wait_for()
    assert_accessible(page, context="department view refused")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_the_department_view_reads_well(
    javascript: bool, live_server: Any, browser: Any, people: dict[str, Any]
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, people["analyst"].email)
    page.goto(live_url(live_server, "core", "/dashboards/"))
    assert_accessible(page, context="dashboards list, analyst")
    with page.expect_navigation():
        page.get_by_role("link", name="Lettings log, 2026 to 2027: England").click()
    page.get_by_role("heading", name="England", level=1).wait_for()
    assert_accessible(page, context="department view")
    charts_have_titles_and_tables(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Median weekly total charge by local authority").click()
    assert_accessible(page, context="measure by local authority")
    assert page.get_by_role("row", name="City of London").count() == 1
    page.goto(live_url(live_server, "core", "/dashboards/department/lettings/2026/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Service measures").click()
    page.get_by_role("heading", name="Service measures", level=1).wait_for()
    assert_accessible(page, context="service measures")
    charts_have_titles_and_tables(page)
    page.goto(live_url(live_server, "core", f"/dashboards/lettings/2026/organisations/{people['organisation'].code}/"))
    assert_accessible(page, context="organisation dashboard, analyst")
    context.close()
