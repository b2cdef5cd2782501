"""Whether the header shows "Dashboards": worked out only when a collection page's header asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dcp_platform.access import dashboard_organisations_for, is_department_reader


def dashboards(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)

    def shown() -> bool:
        if user is None or not user.is_authenticated or getattr(request, "tenant", None) is None:
            return False
        if user.is_support or user.is_coordinator:
            return True
        return is_department_reader(user=user) or dashboard_organisations_for(user=user).exists()

    return {"dashboards_shown": shown}
