from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dcp_platform.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count (one small indexed count, only for signed-in people)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": unread_count(user=user)}  # type: ignore[arg-type]
