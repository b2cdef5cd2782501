"""Answers the health probes before anything else looks at the request.

They run first in MIDDLEWARE so that a probe needs no known host name (a cluster probes a pod by its address),
no session and no database: `/healthz` says the process is alive (restart it if not), `/readyz` whether it
can serve now (the database, the cache and the task broker answer; send it no traffic if not).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from dcp_platform.health.checks import readiness

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == LIVENESS_PATH:
            response: HttpResponse = JsonResponse({"status": "ok"})
            response["Cache-Control"] = "no-store"
            return response
        if path == READINESS_PATH:
            checks = readiness()
            ready = all(result["ok"] for result in checks.values())
            response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
