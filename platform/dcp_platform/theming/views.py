"""The footer's pages on the public site (collections have theirs in Wagtail) and the cookies page (every host)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dcp_platform.theming.cookies import cookies_set_by_the_service
from dcp_platform.theming.statements import STATEMENTS, statement_html
from dcp_platform.theming.themes import theme_for


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "dcp/cookies.html", {
        "cookies": cookies_set_by_the_service(), "domain": settings.SESSION_COOKIE_DOMAIN.lstrip("."),
    })


def statement(request: HttpRequest, slug: str) -> HttpResponse:
    """The public site's accessibility statement or privacy notice."""
    if slug not in STATEMENTS:
        raise Http404("No such page")
    theme = theme_for()
    title, _template = STATEMENTS[slug]
    return render(request, "dcp/statement.html", {
        "title": title, "body": statement_html(slug, theme=theme, subject=f"the {theme.service_name} website"),
    })
