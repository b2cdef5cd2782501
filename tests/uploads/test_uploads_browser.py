"""A data coordinator's bulk upload in Chromium against a live server, with JavaScript on and off.

The coordinator downloads the empty file from the upload page, uploads a small CORE 2026/27 template file, reads
the results and the row-by-row report, creates the records and finds them in the records list. Every page of
the journey is checked with axe-core. Celery runs eagerly in tests, so the file has been checked by the time the
results page is shown; the progress page is therefore shown for an upload put in the "checking the records"
state directly, and seen to move on to the results by itself (JavaScript polling, or the no-JavaScript refresh).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ROWS = 3


def write_template(path: Path, organisation_code: str, rows: int) -> None:
    """A CORE template file from the bulk upload benchmark's writer (field numbers header, one record a row)."""
    from dcp_platform.registry import definition_for

    spec = importlib.util.spec_from_file_location("bulk_upload_bench_browser", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.write_template(path, definition_for("core", "lettings", 2026), organisation_code, rows)


def press(page: Any, role: str, name: Any) -> None:
    """Click a button or link and wait for the next page."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def signed_in_page(browser: Any, live_server: Any, user: Any, *, javascript: bool) -> Any:
    context = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    press(page, "button", "Sign in")
    return page


def in_core(query: Any) -> Any:
    from dcp_platform.tenancy.models import Collection

    connection.set_tenant(Collection.objects.get(schema_name="core"))
    try:
        return query()
    finally:
        connection.set_schema_to_public()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_coordinator_uploads_a_template_reviews_the_results_and_creates_the_records(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    organisation = make_org(provider_type="PRP")
    user = make_user(organisation, role="data_coordinator", name="Cora Coordinator")
    path = tmp_path / "lettings-template.csv"
    write_template(path, organisation.code, ROWS)
    page = signed_in_page(browser, live_server, user, javascript=javascript)
    base = live_url(live_server, "core").rstrip("/")

    # The upload page: what files are accepted, the limits, and an empty file to fill in.
    page.goto(base + "/uploads/new/")
    assert page.get_by_role("heading", level=1).inner_text() == "Upload a file of records"
    assert "no more than 30 MB" in page.inner_text("#limits")
    assert_accessible(page, context=f"upload page (javascript {'on' if javascript else 'off'})")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download an empty file for Lettings log 2026 to 2027 (CSV)").click()
    assert download.value.suggested_filename == "core-lettings-2026-2027-flat.csv"
    headers = next(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert headers[:2] == ["owning_organisation_id", "managing_organisation_id"]

    # Without choosing a file: an error summary that links to the file input.
    press(page, "button", "Upload and check")
    assert page.locator(".govuk-error-summary").inner_text().count("Select a file to upload") == 1
    assert_accessible(page, context="upload page with an error")

    page.check("input[name='form_year'][value='lettings:2026']")
    page.set_input_files("#file", str(path))
    press(page, "button", "Upload and check")

    # The results page (the task ran eagerly while the upload was received).
    assert re.search(r"/uploads/\d+/$", page.url), page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Ready to review"
    summary = page.locator(".govuk-summary-list").inner_text()
    counts = {key: int(value) for key, value in re.findall(r"(Complete records|Records with answers to fix|Rows "
                                                            r"refused)\s+(\d+)", summary)}
    assert counts["Rows refused"] == 0 and counts["Complete records"] + counts["Records with answers to fix"] == ROWS
    assert "we ignored" not in page.content()  # a template: every column is read by its field number
    assert_accessible(page, context="upload results")
    results_url = page.url

    press(page, "link", "See the problems row by row")
    assert page.get_by_role("heading", level=1).inner_text() == "Problems, row by row"
    assert_accessible(page, context="problem report")
    page.goto(results_url)

    # Both buttons when some records are complete and some have answers to fix; one when all are alike.
    press(page, "button", re.compile(r"^Create (all records \(fix the others on the web\)|the records)"))
    assert page.url.endswith("/records/"), page.url
    assert f"{ROWS} records created from lettings-template.csv" in page.inner_text("body")
    assert_accessible(page, context="records list after the upload")
    page.context.close()

    from dcp_platform.records.models import Record
    from dcp_platform.uploads.models import Upload

    upload = in_core(lambda: Upload.objects.get(organisation=organisation))
    assert upload.status == "confirmed" and upload.kind == "template"
    records = in_core(lambda: list(Record.objects.filter(upload_id=upload.pk).order_by("upload_row")))
    assert all(r.visible and r.source_channel == "upload" and r.owning_organisation_id == organisation.pk
               for r in records)
    assert len(records) == ROWS


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_the_progress_page_moves_on_to_the_results_by_itself(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any
) -> None:
    from dcp_platform.uploads.models import Upload, UploadStatus
    from playwright.sync_api import expect

    organisation = make_org(provider_type="PRP")
    user = make_user(organisation, role="data_coordinator")
    upload = in_core(lambda: Upload.objects.create(
        form="lettings", year=2026, organisation=organisation, user=user, filename="big-file.csv",
        stored_path="/nonexistent/big-file.csv", file_hash=f"progress-{organisation.pk}", kind="template",
        status=UploadStatus.PROCESSING, total_rows=200, processed_rows=50,
    ))
    page = signed_in_page(browser, live_server, user, javascript=javascript)
    page.goto(live_url(live_server, "core", f"/uploads/{upload.pk}/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Checking the records"
    assert "50 of 200 rows checked" in page.inner_text("#progress-text")
    assert page.locator("progress#progress").get_attribute("value") == "25"
    assert_accessible(page, context="upload progress")

    if javascript:  # the bar moves without reloading the page
        in_core(lambda: Upload.objects.filter(pk=upload.pk).update(processed_rows=150))
        expect(page.locator("#progress-text")).to_contain_text("150 of 200 rows checked", timeout=10_000)
    in_core(lambda: Upload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.READY, processed_rows=200, summary={"completed": 200}))
    # With JavaScript the page reloads when the status changes; without it, it refreshes every 3 seconds.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ready to review", timeout=10_000)
    assert "200" in page.locator(".govuk-summary-list").inner_text()
    page.context.close()
