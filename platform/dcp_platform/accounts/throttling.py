"""Counting failed sign-ins in Redis.

Failures are counted per account (a handful locks that account for a while) and per client address with a
much higher limit: a council's staff often share one address, so an address limit must be high enough
that a few people mistyping never lock the whole council out.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"signin-failures:{kind}:{digest}"


def sign_in_blocked(*, email: str, address: str | None) -> bool:
    if cache.get(_key("account", email), 0) >= settings.SIGN_IN_MAX_FAILURES_PER_ACCOUNT:
        return True
    return bool(address) and cache.get(_key("address", address or ""), 0) >= settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS


def sign_in_failed(*, email: str, address: str | None) -> None:
    for kind, value in (("account", email), ("address", address or "")):
        if not value:
            continue
        key = _key(kind, value)
        cache.add(key, 0, timeout=settings.SIGN_IN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.SIGN_IN_LOCKOUT_SECONDS)


def sign_in_succeeded(*, email: str) -> None:
    cache.delete(_key("account", email))
