"""A data coordinator makes an API key in Chromium, a system uses it, and the coordinator revokes it (axe on each page)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser


def press(page: Any, role: str, name: Any) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def call_api(url: str, secret: str, host: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}", "Host": host})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live test server
            json.loads(response.read())
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_coordinator_creates_and_revokes_a_key(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org(provider_type="PRP"), role="data_coordinator", name="Cora Coordinator")
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    press(page, "button", "Sign in")
    base = live_url(live_server, "core").rstrip("/")

    page.goto(base + "/records/")
    press(page, "link", "API keys")
    assert page.get_by_role("heading", level=1).inner_text() == "API keys"
    assert_accessible(page, context="API keys (none yet)")

    press(page, "button", "Create an API key")  # a link styled and announced as a button
    press(page, "button", "Create key")  # without a name
    assert "Enter a name for the key" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="new key with an error")
    page.fill("#name", "Housing system")
    press(page, "button", "Create key")
    secret = page.locator("#api-key").inner_text().strip()
    assert secret.startswith("dcp_")
    assert_accessible(page, context="key created")

    # A system uses the key through real HTTP against the live server.
    api_url = f"http://127.0.0.1:{live_server.url.rsplit(':', 1)[1]}/api/v1/organisations"
    host = base.removeprefix("http://")
    assert call_api(api_url, secret, host) == 200

    press(page, "link", "Back to API keys")
    listing = page.locator("table").inner_text()
    assert "Housing system" in listing and secret not in page.content()
    press(page, "link", "Revoke Housing system")
    assert_accessible(page, context="revoke key")
    press(page, "button", "Revoke key")
    assert "Revoked" in page.locator("table").inner_text()
    assert call_api(api_url, secret, host) == 401
    page.context.close()
