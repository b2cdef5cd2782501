"""In Chromium, with axe-core on every page: the start page and its live parts, the paper form (public and an
organisation's version, with the settings page and its error state), and "Why we ask this" on a question page,
with JavaScript on and off."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def logo_file(tmp_path: Any) -> str:
    path = tmp_path / "logo.png"
    image = Image.new("RGB", (240, 80), "#1d70b8")
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return str(path)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_the_start_page_explains_each_way_and_leads_to_the_paper_form(
    javascript: bool, live_server: Any, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_url(live_server, "core", "/"))
    assert_accessible(page, context="start page")
    for heading in ("Web form", "Bulk upload", "API"):
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    assert page.get_by_role("link", name=re.compile(r"Download the empty file for Lettings log, 2026 to 2027")).count()
    assert page.get_by_role("link", name="API documentation for Lettings log, 2026 to 2027").count()
    with page.expect_navigation():
        page.get_by_role("link", name="Paper form for Lettings log, 2026 to 2027", exact=True).click()
    page.get_by_role("heading", name="Lettings log: paper form", level=1).wait_for()
    assert_accessible(page, context="paper form, public version")
    assert page.locator(".dcp-paper__question").count() > 80
    assert page.get_by_text("Go to question", exact=False).count() > 10
    # Printing hides the service's header and footer: only the form is on paper.
    page.emulate_media(media="print")
    assert not page.locator(".govuk-header").is_visible() and page.locator(".dcp-paper").is_visible()
    context.close()


def test_a_coordinator_makes_their_organisations_version(
    live_server: Any, page: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], tmp_path: Any
) -> None:
    page.set_default_timeout(20_000)
    code = f"PAPER{uuid.uuid4().hex[:6].upper()}"
    organisation = make_org("Paper Test Homes", code=code)
    coordinator = make_user(organisation, role="data_coordinator", email=f"paper-{code.lower()}@example.com")
    sign_in(page, live_server, coordinator.email)
    page.goto(live_url(live_server, "core", "/paper/"))
    assert_accessible(page, context="paper forms list, signed in")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Change Paper Test Homes’s logo and the lettings log")).click()
    assert_accessible(page, context="paper form settings")
    bad = tmp_path / "logo.svg"
    bad.write_text("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    page.set_input_files("#logo", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, context="paper form settings, error state")
    page.set_input_files("#logo", logo_file(tmp_path))
    page.get_by_label("What is the property reference?").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.get_by_text("The paper form of Paper Test Homes is saved").wait_for()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"Open the form for Lettings log 2026 to 2027, Paper Test Homes")).click()
    assert_accessible(page, context="paper form, organisation's version")
    assert page.get_by_role("img", name="Paper Test Homes").is_visible()
    assert page.get_by_text(f"Filled in for Paper Test Homes: {code} Paper Test Homes").count() == 2
    assert page.locator(".dcp-paper__label", has_text="What is the property reference?").count() == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_an_officer_reads_why_we_ask_on_a_question_page(
    javascript: bool, live_server: Any, browser: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    from dcp_platform.paper.models import WhyWeAskText
    from dcp_platform.records.services import record_create

    organisation = make_org()
    officer = make_user(organisation, email=f"why-{uuid.uuid4().hex[:8]}@example.com")
    with schema_context("core"):
        record = record_create(form="lettings", year=2026, user=officer).record
        WhyWeAskText.objects.get_or_create(question_id="nationality_all_group", form="lettings",
                                           defaults={"text": "So we can see who social housing serves."})
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, officer.email)
    page.goto(live_url(live_server, "core", f"/records/{record.public_id}/questions/lead_tenant_ethnic_group/"))
    summary = page.get_by_text("Why we ask this")
    text = page.get_by_text("Ethnic group is collected to check that people of every ethnic group")
    assert not text.is_visible()
    assert_accessible(page, context="question page with why we ask, closed")
    summary.click()
    assert text.is_visible()
    assert_accessible(page, context="question page with why we ask, open")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.get_by_text("Why we ask this").count() == 1
    assert_accessible(page, context="question page with why we ask, error state")
    page.goto(live_url(live_server, "core", f"/records/{record.public_id}/questions/lead_tenant_nationality/"))
    details = page.locator("details", has_text="So we can see who social housing serves.")
    details.locator("summary").click()
    assert details.get_by_text("So we can see who social housing serves.").is_visible()
    context.close()
