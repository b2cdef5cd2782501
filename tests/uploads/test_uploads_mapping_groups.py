"""The column-mapping page: the columns that need a decision first, the confident matches grouped below,
collapsed and still editable, each with sample values (issue 20, point 11)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_PASSWORD, assert_accessible, live_url

# "Zorbl" means nothing to the mapper; the other two it matches with confidence.
HEADERS = ["Tenancy Start Date", "Zorbl", "Needs Type"]


def write_export(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for number in range(3):
            writer.writerow([f"0{number + 1}/05/2026", f"ZB{number}7", "General needs"])
    return path


def test_columns_to_decide_come_first_and_matches_are_grouped(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    from tests.uploads.test_uploads_review import post_file

    client = client_for("core", make_user(make_org()))
    upload = post_file(client, write_export(tmp_path / "ours.csv"))
    html = client.get(f"/uploads/{upload.pk}/mapping/").content.decode()
    decide, matched = html.split("Columns to decide", 1)[1].split("Columns we matched", 1)
    assert "Column 2: Zorbl" in decide and "Tenancy Start Date" not in decide
    assert "Column 1: Tenancy Start Date" in matched and "Column 3: Needs Type" in matched
    assert '<details class="govuk-details">' in matched  # collapsed, since some columns need a decision
    assert "“ZB07”" in decide and "“01/05/2026”" in matched  # sample values beside each column
    # Every column is still in the form, so the matches stay editable.
    for index in range(3):
        assert f'name="column-{index}"' in html


@pytest.mark.browser
def test_mapping_page_in_chromium_with_axe(
    live_server: Any, browser: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    user = make_user(make_org())
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_url(live_server, "core", "/uploads/new/"))
    page.check("input[name='form_year'][value='lettings:2026']")
    page.set_input_files("#file", str(write_export(tmp_path / "ours.csv")))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Check the column matches").click()
    assert page.get_by_role("heading", name="Columns to decide (1)").is_visible()
    assert not page.locator("#column-0").is_visible()  # a confident match, collapsed
    assert_accessible(page, context="column mapping")
    page.get_by_text("Check or change the 2 columns we matched").click()
    assert page.locator("#column-0").is_visible()
    # Two columns for one question: the error state, its column shown among those to decide.
    page.select_option("#column-1", page.locator("#column-0").input_value())
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, context="column mapping, error")
    context.close()
