"""Which collection a request is for, from its host name (django-tenants' middleware, remembering answers)."""

from __future__ import annotations

import copy
import time
from typing import Any

from django.conf import settings
from django_tenants.middleware.main import TenantMainMiddleware

from dcp_platform.tenancy.models import Collection

# host name -> (monotonic time read, the collection it serves). Unknown hosts are never remembered.
_collections_by_host: dict[str, tuple[float, Collection]] = {}


def forget_collection_hosts() -> None:
    _collections_by_host.clear()


class CollectionFromHostMiddleware(TenantMainMiddleware):
    """Selects the collection's schema for the request's host, as TenantMainMiddleware does.

    The host-to-collection answer is kept per process for `DCP_TENANT_CACHE_SECONDS` (a query saved on every
    request); each request gets its own copy of the collection, so nothing set on it leaks into the next.
    """

    def get_tenant(self, domain_model: Any, hostname: str) -> Collection:
        ttl = float(getattr(settings, "DCP_TENANT_CACHE_SECONDS", 60))
        now = time.monotonic()
        cached = _collections_by_host.get(hostname)
        if cached is not None and now - cached[0] < ttl:
            return copy.copy(cached[1])
        collection: Collection = super().get_tenant(domain_model, hostname)
        if ttl > 0:
            _collections_by_host[hostname] = (now, copy.copy(collection))
        return collection
