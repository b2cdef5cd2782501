"""A small diagnostic task: what the worker process imported (used by the start-up checks in tests)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dcp.worker_environment")
def worker_environment() -> dict[str, str]:
    import collections  # noqa: PLC0415  (the worker's own answer, at call time: see test_stdlib_not_shadowed)
    import platform  # noqa: PLC0415  (as above: the standard library's, not this repository's folder)

    return {"platform": platform.__file__, "collections": str(collections.__file__), "system": platform.system()}
