"""Counting failed sign-ins in Redis.

Failures are counted per account (a handful locks that account for a while) and per client address with a
much higher limit: a council's staff often share one address, so an address limit must be high enough
that a few people mistyping never lock the whole council out.

The counters are in the "shared" cache, whose keys do not depend on the host: an account has one count for
the public site and every collection, so each new collection does not add five more guesses.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache


def _cache() -> BaseCache:
    return caches["shared"]


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"signin-failures:{kind}:{digest}"


def sign_in_blocked(*, email: str, address: str | None) -> bool:
    if _cache().get(_key("account", email), 0) >= settings.SIGN_IN_MAX_FAILURES_PER_ACCOUNT:
        return True
    return bool(address) and _cache().get(_key("address", address or ""), 0) >= settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS


def sign_in_failed(*, email: str, address: str | None) -> None:
    for kind, value in (("account", email), ("address", address or "")):
        if not value:
            continue
        key = _key(kind, value)
        _cache().add(key, 0, timeout=settings.SIGN_IN_LOCKOUT_SECONDS)
        try:
            _cache().incr(key)
        except ValueError:  # expired between add and incr
            _cache().set(key, 1, timeout=settings.SIGN_IN_LOCKOUT_SECONDS)


def sign_in_succeeded(*, email: str) -> None:
    _cache().delete(_key("account", email))
