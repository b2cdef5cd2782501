"""The footer's pages exist: each collection's accessibility statement and privacy notice (Wagtail pages with
starting content, made by ensure_collections), the public site's own, and a cookies page worked out from settings."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.cms.models import InformationPage, StartPage
from dcp_platform.cms.setup import ensure_information_pages
from dcp_platform.registry import get_plugin
from dcp_platform.theming.cookies import cookies_set_by_the_service
from dcp_platform.theming.themes import available_themes
from django_tenants.utils import schema_context


@pytest.mark.parametrize("slug", ["core", "hclic"])
@pytest.mark.parametrize("path, heading", [("/accessibility/", "Accessibility statement"),
                                           ("/privacy/", "Privacy notice")])
def test_each_collection_has_its_statements_as_wagtail_pages(client_for: Any, slug: str, path: str,
                                                             heading: str) -> None:
    response = client_for(slug).get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"<h1 class=\"govuk-heading-l\">{heading}</h1>" in text
    with schema_context(slug):
        page = InformationPage.objects.get(slug=path.strip("/"))
        assert page.live and get_plugin(slug).title in page.body


@pytest.mark.parametrize("path, words", [
    ("/accessibility/", "Equality and Human Rights Commission"),
    ("/privacy/", "Information Commissioner"),
    ("/cookies/", "Essential cookies"),
])
def test_the_public_site_has_the_footer_pages(client_for: Any, path: str, words: str) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 200 and words in response.content.decode()


def test_every_footer_link_of_every_theme_leads_to_a_page(client_for: Any) -> None:
    for theme in available_themes().values():
        for link in theme.footer_links:
            if link.href == "/contact/":
                continue  # the departmental theme's own page: its deployment provides it
            for slug in (None, "core"):
                assert client_for(slug).get(link.href).status_code == 200, (theme.slug, link.href, slug)


def test_the_cookies_page_lists_the_cookies_the_settings_name(client_for: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_NAME = "dcp_session"
    names = [cookie.name for cookie in cookies_set_by_the_service()]
    assert names[:3] == ["dcp_session", settings.CSRF_COOKIE_NAME, settings.DCP_BANNER_COOKIE_NAME]
    text = client_for("core").get("/cookies/").content.decode()
    for name in names:
        assert f"<code>{name}</code>" in text
    assert "When you close your browser, or after 30 minutes without using the service" in text
    assert "1 year" in text


def test_every_cookie_the_service_sets_is_listed(client_for: Any, make_org: Any, make_user: Any) -> None:
    """Sign in, hide a banner, see a message: every cookie set on the way is on the cookies page."""
    from conftest import TEST_PASSWORD

    user = make_user(make_org())
    client = client_for(None)
    client.get("/sign-in/")
    client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    client.post("/banners/hide/", {"banner": "platform-1-1", "next": "/"})
    response = client.post("/notifications/preferences/", {"emailed": []})  # "Your email choices are saved."
    assert response.status_code == 302 and "messages" in client.cookies
    listed = {cookie.name for cookie in cookies_set_by_the_service()}
    assert set(client.cookies) <= listed, set(client.cookies) - listed


def test_statements_are_added_to_a_collection_made_before_them_and_edits_are_kept(core: Any) -> None:
    start = StartPage.objects.get()
    privacy = InformationPage.objects.get(slug="privacy")
    privacy.body = "<p>Our own words.</p>"
    privacy.save_revision().publish()
    InformationPage.objects.filter(slug="accessibility").delete()
    ensure_information_pages(start, get_plugin("core"))
    assert InformationPage.objects.filter(slug="accessibility").exists()
    assert InformationPage.objects.get(slug="privacy").body == "<p>Our own words.</p>"


def test_the_statements_are_not_listed_as_guidance(client_for: Any) -> None:
    text = client_for("core").get("/").content.decode()
    guidance = text[text.find("Guidance</h2>"):]
    assert "How to submit data" in guidance and "Accessibility statement</a></li>" not in guidance.split("</ul>")[0]
