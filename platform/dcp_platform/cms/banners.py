"""Service banners: the platform's (support, public schema) and the collection's (Wagtail, its schema).

Every page asks for the banners to show, so each process remembers the published ones for a few seconds
(DCP_BANNER_CACHE_SECONDS; a save in this process forgets them at once) and compares start and end times per
request. A banner someone hid is remembered in a cookie shared by every host (it works signed out and without
JavaScript); the key names the banner's version, so a changed banner shows again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dcp_platform.cms.models import ServiceBanner
from dcp_platform.notifications.models import PlatformBanner

MAX_HIDDEN_KEPT = 30


@dataclass(frozen=True)
class Banner:
    key: str  # "<platform or schema>-<id>-<version>": what a person hides
    heading: str
    message: str
    link_text: str
    link_url: str
    starts_at: datetime
    ends_at: datetime | None

    def shows_at(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


_remembered: dict[str, tuple[float, list[Banner]]] = {}


def forget_banners() -> None:
    _remembered.clear()


def _not_ended(now: datetime) -> Q:
    """Banners that have not ended (those still to start are kept: the cache outlives a start time)."""
    return Q(ends_at__isnull=True) | Q(ends_at__gt=now)


def _published(scope: str) -> list[Banner]:
    now = timezone.now()
    if scope == "platform":
        rows = PlatformBanner.objects.filter(_not_ended(now))
        return [Banner(f"platform-{b.pk}-{int(b.updated_at.timestamp() * 1_000_000)}", b.heading, b.message, b.link_text,
                       b.link_url, b.starts_at, b.ends_at) for b in rows.order_by("starts_at", "pk")]
    live = ServiceBanner.objects.filter(_not_ended(now), live=True)
    return [Banner(f"{scope}-{b.pk}-{b.live_revision_id or 0}", b.heading, b.message, b.link_text, b.link_url,
                   b.starts_at, b.ends_at) for b in live.order_by("starts_at", "pk")]


def _banners(scope: str) -> list[Banner]:
    seconds = float(getattr(settings, "DCP_BANNER_CACHE_SECONDS", 30))
    remembered = _remembered.get(scope)
    if remembered is not None and time.monotonic() - remembered[0] < seconds:
        return remembered[1]
    banners = _published(scope)
    if seconds > 0:
        _remembered[scope] = (time.monotonic(), banners)
    return banners


def hidden_keys(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(settings.DCP_BANNER_COOKIE_NAME, "")
    return [key for key in value.split(".") if key][-MAX_HIDDEN_KEPT:]


def banners_for_request(request: HttpRequest, *, now: datetime | None = None) -> list[Banner]:
    """The platform's banners, then this collection's, that show now and that this person has not hidden."""
    now = now or timezone.now()
    schema = str(getattr(connection, "schema_name", "public"))
    scopes = ["platform"] if schema == "public" else ["platform", schema]
    hidden = set(hidden_keys(request))
    return [banner for scope in scopes for banner in _banners(scope)
            if banner.shows_at(now) and banner.key not in hidden]

