"""Answers the health probes before anything else looks at the request.

They run first in MIDDLEWARE so that a probe needs no known host name (a cluster probes a pod by its address),
no session and no database: `/healthz` says the process is alive.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

LIVENESS_PATH = "/healthz"


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == LIVENESS_PATH:
            response: HttpResponse = JsonResponse({"status": "ok"})
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
