from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest

from dcp_platform.theming.themes import theme_for


def theme(request: HttpRequest) -> dict[str, Any]:
    """The theme of the collection being shown (or the deployment default on the public site)."""
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    is_collection = tenant is not None and getattr(tenant, "schema_name", "public") != "public"
    chosen = theme_for(
        theme_slug=getattr(tenant, "theme", "") if is_collection else "",
        service_name=getattr(tenant, "service_name", "") if is_collection else "",
    )
    return {"theme": chosen, "collection": tenant if is_collection else None}
