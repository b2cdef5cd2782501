"""Authentication, permission and rate limiting for the API: one key per system, per organisation and collection."""

from __future__ import annotations

import functools
import time
from typing import Any

import redis
from dcp_platform.accounts.models import User
from dcp_platform.tenancy.selectors import user_takes_part_in
from django.conf import settings
from django.core.cache import cache
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .keys import active_key_for_secret
from .models import ApiKey


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationFailed("Send your API key in the header Authorization: Bearer <key>")
        api_key = active_key_for_secret(secret.strip(), collection=getattr(request._request, "tenant", None))
        if api_key is None:
            raise AuthenticationFailed(
                "This API key is not valid for this collection: it may be for another collection, revoked, "
                "or its data coordinator may no longer have access. Ask a data coordinator for a new key."
            )
        return api_key.created_by, api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class KeyForThisCollection(BasePermission):
    """A valid key whose organisation still takes part in this collection."""

    message = "Send an API key in the header Authorization: Bearer <key>"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        tenant = getattr(request._request, "tenant", None)
        # Found out with the key itself (one query); the key's organisation is its coordinator's.
        takes_part = getattr(request.auth, "organisation_takes_part", None)
        if takes_part is None and tenant is not None:
            takes_part = user_takes_part_in(user=request.user, collection=tenant)  # type: ignore[arg-type]
        if tenant is None or not takes_part:
            raise PermissionDenied("Your organisation does not take part in this collection")
        return True


def _rate() -> tuple[int, int]:
    text = str(getattr(settings, "DCP_API_RATE_LIMIT", "600/minute"))
    count, _, unit = text.partition("/")
    seconds = {"second": 1, "minute": 60, "hour": 3600}[unit.strip() or "minute"]
    return int(count), seconds


@functools.cache
def _redis() -> redis.Redis:
    # One client (and connection pool) per process: building a client per request costs more than the count.
    return redis.Redis.from_url(settings.REDIS_URL)


class PerKeyRateThrottle(BaseThrottle):
    """A fixed window counter per key in Redis, shared by every web process."""

    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True
        limit, period = _rate()
        now = time.time()
        # The cache's key function adds the deployment's prefix and the collection's schema.
        name = cache.make_key(f"api-rate:{api_key.pk}:{int(now // period)}")
        # One round trip: count this request and make sure the window's counter expires.
        pipeline = _redis().pipeline(transaction=False)
        pipeline.incr(name)
        pipeline.expire(name, period + 5)
        count = int(pipeline.execute()[0])
        self._wait = period - (now % period)
        return count <= limit

    def wait(self) -> float:
        return max(1.0, self._wait)
