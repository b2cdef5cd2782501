"""Error answers: branded pages for people, JSON for the API (`/api/`), whatever went wrong.

The 500 and 503 pages need no database, cache or context processor: they are shown when those failed.
"""

from __future__ import annotations

import sys
from typing import Any

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

API_PREFIX = "/api/"
# What a lost database or Redis raises: the request could succeed in a moment, so it is a 503, not a 500.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": [{"code": code, "message": message}]}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def plain_page(template: str, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(context or {}), status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(404, "not_found", "There is nothing at this address.")
    return defaults.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(403, "forbidden", "You do not have access to this.")
    return defaults.permission_denied(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(400, "bad_request", "The request could not be understood.")
    return defaults.bad_request(request, exception)


def is_outage(error: BaseException | None) -> bool:
    """The error, or one it was raised from, is a database or Redis that did not answer."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block, so the error being handled is the current exception.
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request, settings.DCP_RETRY_AFTER_SECONDS)
    if is_api(request):
        return api_error(500, "server_error", "Something went wrong on our side. Try again later.")
    return plain_page("500.html", 500)


def service_unavailable(request: HttpRequest, retry_after: int) -> HttpResponse:
    if is_api(request):
        return api_error(
            503, "service_unavailable", "The service is unavailable for a moment. Try again later.",
            Retry_After=str(retry_after),
        )
    response = plain_page("503.html", 503, {"retry_after": retry_after})
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
