"""Issue 20's web form pages in Chromium with axe: a page headed by its question (one <h1>), the start date
refused on the question, and the are-you-sure page with its Back link, each in its error state too."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_issue20_web_form_pages(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org(provider_type="PRP"))
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    base = live_url(live_server, "core").rstrip("/")
    page.goto(base + "/records/")
    page.get_by_role("button", name=re.compile("Create a new lettings log")).click()
    record = page.url.rstrip("/")

    # A page whose question reveals another: headed by the question, one <h1>.
    page.goto(record + "/questions/rent_type/")
    assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip() == "What is the rent type?"
    assert_accessible(page, context="rent type")
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.locator("h1").count() == 1
    assert_accessible(page, context="rent type, error")

    # A start date outside the collection year: an error on the question, typed values kept.
    page.goto(record + "/questions/tenancy_start_date/")
    page.fill("#startdate-day", "3")
    page.fill("#startdate-month", "4")
    page.fill("#startdate-year", "2020")
    page.get_by_role("button", name="Save and continue").click()
    assert "/questions/tenancy_start_date/" in page.url
    assert "outside the 2026 to 2027 collection year" in page.locator("#startdate-error").inner_text()
    assert page.input_value("#startdate-year") == "2020"
    assert_accessible(page, context="start date outside the year")

    # The are-you-sure page has a Back link to its question, in its error state too.
    page.goto(record + "/questions/household_members/")
    page.fill("#hhmemb", "1")
    page.get_by_role("button", name="Save and continue").click()
    # That first saved answer created the record: on with it.
    record = page.url.split("/questions/")[0]
    assert "/records/new/" not in record
    page.goto(record + "/questions/person_age/1/")
    page.check("#age_known")
    page.fill("#age", "70")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(record + "/questions/person_working_situation/1/")
    page.check("#ecstat")
    page.get_by_role("button", name="Save and continue").click()
    assert "/confirm/" in page.url
    back = page.locator("a.govuk-back-link")
    assert back.get_attribute("href", timeout=2000).endswith("/questions/person_working_situation/1/")  # type: ignore[union-attr]
    assert_accessible(page, context="are you sure")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible() and page.locator("a.govuk-back-link").count() == 1
    assert_accessible(page, context="are you sure, error")
    back = page.locator("a.govuk-back-link")
    back.click()
    assert page.url.endswith("/questions/person_working_situation/1/")
    context.close()
