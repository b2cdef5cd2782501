from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware


class CollectionRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in each collection's schema; the public site has none to look up."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(connection, "schema_name", "public") == "public":
            return response
        return super().process_response(request, response)
