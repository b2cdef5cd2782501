"""A housing officer sets up a CORE 2026/27 sales log in Chromium, with JavaScript on and off: the setup
section page by page (the definition decides the route), each page type and an error state checked with
axe-core, then the task list and the records list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser

# Answers by page id: name -> value (dates are (day, month, year), checkboxes lists, else the code or text).
SETUP: dict[str, dict[str, Any]] = {
    "owning_organisation": {},  # the organisation's code, at run time
    "managing_organisation": {},
    "completion_date": {"saledate": ("20", "5", "2026")},
    "assigned_to": {"assigned_to": ""},
    "purchaser_code": {"purchid": "SALE-42"},
    "ownership_scheme": {"ownershipsch": "1"},
    "shared_ownership_type": {"shared_ownership_type": "30"},
    "staircasing": {"staircase": "2"},
    "joint_purchase": {"jointpur": "1"},
    "number_joint_buyers": {"jointmore": "2"},
    "buyer_interview": {"noint": "2"},
    "privacy_notice": {"privacynotice": ["privacynotice"]},
}


def press(page: Any, role: str, name: Any) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def fill(page: Any, answers: dict[str, Any]) -> None:
    for name, value in answers.items():
        if isinstance(value, list):
            for code in value:
                page.check(f"input[name='{name}'][value='{code}']")
        elif isinstance(value, tuple):
            for part, text in zip(("day", "month", "year"), value, strict=True):
                page.fill(f"#{name}-{part}", text)
        elif page.locator(f"input[type='radio'][name='{name}']").count():
            page.check(f"input[name='{name}'][value='{value}']")
        else:
            page.fill(f"#{name}", value)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_setting_up_a_joint_shared_ownership_sale(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any
) -> None:
    organisation = make_org(provider_type="PRP")
    user = make_user(organisation, name="Sunita Sales")
    answers = {**SETUP, "owning_organisation": {"owning_organisation_id": organisation.code},
               "managing_organisation": {"managing_organisation_id": organisation.code}}
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    base = live_url(live_server, "core").rstrip("/")
    page.goto(base + "/records/")
    assert_accessible(page, context="records list with two forms")
    press(page, "button", re.compile("Create a new sales log"))
    assert "Set up this sales log" in page.content()
    assert_accessible(page, context="sales task list")
    with page.expect_navigation():
        page.get_by_role("link", name="Set up this sales log").click()
    asked: list[str] = []
    while "/questions/" in page.url:
        key = re.search(r"/questions/([a-z0-9_]+)/", page.url).group(1)  # type: ignore[union-attr]
        assert key in answers, f"the form asked a setup page this test has no answer for: {key}"
        if not asked:  # the first page, empty: its error state
            press(page, "button", "Save and continue")
            assert page.locator(".govuk-error-summary").count() == 1
            assert "Select" in page.locator(".govuk-error-summary").inner_text()
            assert_accessible(page, context=f"error state of {key}")
        fill(page, answers[key])
        assert_accessible(page, context=key)
        asked.append(key)
        press(page, "button", "Save and continue")
    assert asked == list(SETUP)  # joint shared ownership: neither the discounted types nor the single-buyer pages
    assert "/check/setup/" in page.url
    public_id = re.search(r"/records/([0-9a-f-]{36})/", page.url).group(1)  # type: ignore[union-attr]
    assert "Shared ownership (new model lease)" in page.content() and "SALE-42" in page.content()
    assert_accessible(page, context="check your answers")
    press(page, "button", "Save and return to the task list")
    task = page.locator(".govuk-task-list__item", has_text="Set up this sales log")
    assert "Completed" in task.inner_text()
    assert_accessible(page, context="task list after setup")
    page.goto(base + "/records/?form=sales")
    assert page.locator("table tbody tr").count() == 1 and "Sales log" in page.locator("table tbody").inner_text()
    assert_accessible(page, context="records list filtered to sales logs")
    context.close()

    from dcp_platform.records.models import Record
    from dcp_platform.tenancy.models import Collection

    connection.set_tenant(Collection.objects.get(schema_name="core"))
    record = Record.objects.get(public_id=public_id)  # made by the first saved answer
    assert (record.form, record.year, record.reference) == ("sales", 2026, "SALE-42")
    assert record.answers["saledate"] == "2026-05-20" and record.answers["jointpur"] == 1
    assert record.derived["type"] == 30 and record.status == "in_progress"
    connection.set_schema_to_public()
