"""Readiness checks: can this process reach the database, the cache and the task broker right now?"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import redis
from django.conf import settings
from django.db import connection

TIMEOUT_SECONDS = 2.0


def database() -> None:
    # A new short connection rather than the request's: a probe must not wait on, or break, a pooled one.
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["connect_timeout"] = int(TIMEOUT_SECONDS)
    with psycopg.connect(**params) as probe:
        probe.execute("select 1")


def _redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def cache() -> None:
    _redis(settings.REDIS_URL)


def broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        _redis(url)


CHECKS: dict[str, Callable[[], None]] = {"database": database, "cache": cache, "broker": broker}


def readiness() -> dict[str, dict[str, object]]:
    """Each check's result: {"ok": bool, "ms": duration, "error": the exception's kind when not ok}."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # any failure means "not ready"; its kind is enough for an operator
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round(1000 * (time.monotonic() - started), 1)
    return results
