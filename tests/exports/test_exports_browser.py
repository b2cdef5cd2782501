"""The download page in Chromium, with axe-core: from the records list with its filters, its error state, and the
file itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_downloads_the_records_they_filtered(
    live_server: Any, page: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    from dcp_platform.records.services import record_create

    organisation = make_org(f"Download Homes {uuid.uuid4().hex[:6]}")
    user = make_user(organisation, email=f"download-{uuid.uuid4().hex[:8]}@example.com")
    with schema_context("core"):
        for code in ("DL1", "DL2"):
            record_create(form="lettings", year=2026, user=user, today=date(2026, 11, 24), answers={
                "owning_organisation_id": organisation.code, "managing_organisation_id": organisation.code,
                "tenancycode": code})
    page.set_default_timeout(20_000)
    page.goto(live_url(live_server, "core", "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(live_url(live_server, "core", "/records/?q=dl2"))
    with page.expect_navigation():
        page.get_by_role("link", name="Download these records (CSV)").click()
    page.get_by_role("heading", name="Download records", level=1).wait_for()
    assert_accessible(page, context="download page")
    assert page.get_by_text("1 record", exact=True).count() == 1
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download CSV file").click()
    text = Path(waiting.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeffLog ID,") and "DL2" in text and "DL1" not in text
    # The error state: a choice that does not exist.
    page.goto(live_url(live_server, "core", "/downloads/?download=1&what=none"))
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page, context="download page with an error")


def test_the_data_dictionary_pages_are_accessible(live_server: Any, page: Any) -> None:
    page.set_default_timeout(30_000)
    page.goto(live_url(live_server, "core", "/data-dictionary/"))
    assert_accessible(page, context="data dictionaries")
    with page.expect_navigation():
        page.get_by_role("link", name="Sales log, 2026 to 2027").click()
    page.get_by_role("heading", name="Data dictionary: Sales log, 2026 to 2027", level=1).wait_for()
    assert_accessible(page, context="sales data dictionary")


def test_a_background_downloads_pages_are_accessible(
    live_server: Any, page: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    from dcp_platform.exports.models import ExportJob

    user = make_user(make_org(), email=f"job-{uuid.uuid4().hex[:8]}@example.com")
    with schema_context("core"):
        running = ExportJob.objects.create(user=user, request={}, rows_total=90_000, rows_done=30_000,
                                           status="running", file_name="big.csv")
        failed = ExportJob.objects.create(user=user, request={}, status="failed", file_name="big.csv")
    page.set_default_timeout(20_000)
    page.goto(live_url(live_server, "core", "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(live_url(live_server, "core", f"/downloads/jobs/{running.pk}/"))
    page.get_by_text("30000 of 90000 records written (33%).").wait_for()
    assert_accessible(page, context="background download in progress")
    page.goto(live_url(live_server, "core", f"/downloads/jobs/{failed.pk}/"))
    page.get_by_role("heading", name="Your download could not be made").wait_for()
    assert_accessible(page, context="background download failed")
    page.goto(live_url(live_server, "core", "/downloads/files/forged/"))
    page.get_by_role("heading", name="This download link has expired").wait_for()
    assert_accessible(page, context="expired link")
