"""Each process remembers which collection a host name serves, without changing what any request sees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dcp_platform.tenancy.middleware import forget_collection_hosts
from dcp_platform.tenancy.models import Collection
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def host_cache(settings: Any) -> Iterator[None]:
    settings.DCP_TENANT_CACHE_SECONDS = 60  # as in production (the test settings turn it off)
    forget_collection_hosts()
    yield
    forget_collection_hosts()


def _domain_queries(client: Any, path: str = "/api/v1/") -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, sum("tenancy_domain" in q["sql"] for q in queries.captured_queries)


def test_the_second_request_for_a_host_does_not_look_the_collection_up(client_for: Callable[..., Any]) -> None:
    client = client_for("core")
    first, looked_up_first = _domain_queries(client)
    second, looked_up_second = _domain_queries(client)
    assert (looked_up_first, looked_up_second) == (1, 0)
    assert first.wsgi_request.tenant.schema_name == second.wsgi_request.tenant.schema_name == "core"


def test_each_request_gets_its_own_copy_of_the_collection(client_for: Callable[..., Any]) -> None:
    client = client_for("core")
    first = client.get("/api/v1/").wsgi_request.tenant
    first.title = "changed by a request"
    second = client.get("/api/v1/").wsgi_request.tenant
    assert second is not first
    assert second.title != "changed by a request"


def test_a_changed_collection_is_seen_at_once(client_for: Callable[..., Any]) -> None:
    client = client_for("core")
    client.get("/api/v1/")
    core = Collection.objects.get(schema_name="core")
    original = core.title
    try:
        core.title = "Renamed collection"
        core.save()
        assert client.get("/api/v1/").wsgi_request.tenant.title == "Renamed collection"
    finally:
        core.title = original
        core.save()


def test_collections_are_told_apart(client_for: Callable[..., Any]) -> None:
    assert client_for("core").get("/api/v1/").wsgi_request.tenant.schema_name == "core"
    assert client_for("hclic").get("/api/v1/").wsgi_request.tenant.schema_name == "hclic"


def test_an_unknown_host_is_not_found_every_time(client_for: Callable[..., Any]) -> None:
    for _ in range(2):
        response, looked_up = _domain_queries(client_for("no-such-collection"))
        assert (response.status_code, looked_up) == (404, 1)
