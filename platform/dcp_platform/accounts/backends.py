from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dcp_platform.accounts import throttling
from dcp_platform.accounts.audit import client_address
from dcp_platform.accounts.models import User


class SignInBlocked(PermissionDenied):
    """Too many failed attempts: the password is not checked.

    A PermissionDenied, so Django's `authenticate()` stops there and answers "no user" to any sign-in form
    (Wagtail's admin sign-in too) instead of letting it become a server error; our own form asks
    `throttling.sign_in_blocked` first to say why.
    """


class EmailThrottledBackend(ModelBackend):
    """Email + password sign-in with per-account and per-address throttling."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        address = client_address(request)
        if throttling.sign_in_blocked(email=email, address=address):
            raise SignInBlocked(email)
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            throttling.sign_in_failed(email=email, address=address)
            return None
        throttling.sign_in_succeeded(email=email)
        return user  # type: ignore[return-value]
