from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dcp_platform.cms.banners import banners_for_request


def service_banners(request: HttpRequest) -> dict[str, Any]:
    """The service banners of this page (platform-wide, then the collection's), signed in or not."""
    return {"service_banners": banners_for_request(request)}
