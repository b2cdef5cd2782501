"""The footer's pages in Chromium, reached by their footer links on the public site and a collection: axe on each."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, live_url

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", [None, "core"])
def test_the_footer_links_lead_to_accessible_statements_and_the_cookies_page(
    live_server: Any, page: Any, slug: str | None
) -> None:
    for link, heading in (("Accessibility statement", "Accessibility statement"),
                          ("Privacy notice", "Privacy notice"), ("Cookies", "Cookies")):
        page.goto(live_url(live_server, slug, "/"))
        with page.expect_navigation():
            page.locator("footer").get_by_role("link", name=link).click()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page, context=f"{heading} on {slug or 'the public site'}")
