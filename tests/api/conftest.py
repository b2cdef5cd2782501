"""Fixtures for API tests: keys made through the real service, clients that send them, complete records."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


class ApiClient:
    """The Django test client speaking JSON to one collection's API with a key."""

    def __init__(self, client: Any, secret: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {**self.headers, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}
        call = getattr(self.client, method)
        if body is None:
            return call(path, **extra)
        return call(path, data=json.dumps(body), content_type="application/json", **extra)

    def get(self, path: str, **headers: str) -> Any:
        return self._send("get", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("post", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)


@pytest.fixture
def api_for(client_for: Callable[..., Any]) -> Callable[..., ApiClient]:
    """api_for(slug, coordinator) -> a client with a new key made by that coordinator on that collection."""
    from django_tenants.utils import schema_context

    def make(slug: str, coordinator: Any = None, *, secret: str | None = None) -> ApiClient:
        if coordinator is not None and secret is None:
            from dcp_api.keys import api_key_create

            with schema_context(slug):
                secret = api_key_create(user=coordinator, name="Test system").secret
        return ApiClient(client_for(slug), secret)

    return make


def _api_benchmark() -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "benchmarks"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # benchmarks/api.py builds on benchmarks/bulk_upload.py
    spec = importlib.util.spec_from_file_location("api_benchmark_for_tests", folder / "api.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lettings_answers() -> Callable[[str], dict[str, Any]]:
    """A complete 2026/27 lettings record for an organisation, as API answers: the API benchmark's record."""
    complete_record: Callable[[str], dict[str, Any]] = _api_benchmark().complete_record
    return complete_record


@pytest.fixture
def varied_lettings_answers() -> Callable[[str, int], list[dict[str, Any]]]:
    """The API benchmark's different complete records (varied_records) for an organisation."""
    module = _api_benchmark()

    def make(org_code: str, count: int) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = module.varied_records(module.complete_record(org_code), count)
        return records

    return make


@pytest.fixture(autouse=True)
def open_windows(db: None) -> None:
    """Keep the 2026 windows open for new records whatever day the tests run (API writes use today's date)."""
    from datetime import timedelta

    from dcp_platform.cms.models import CollectionWindowPage
    from django.utils import timezone
    from django_tenants.utils import schema_context

    later = timezone.localdate() + timedelta(days=365)
    for slug in ("core", "hclic"):
        with schema_context(slug):
            CollectionWindowPage.objects.filter(year=2026).update(submission_deadline=later, edits_close=later)
