"""Sign-in events go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import User


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(action="sign_in", actor=user, target=user, request=request)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="sign_out", actor=user, target=user, request=request)


@receiver(user_login_failed)
def audit_failed_sign_in(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_record(action="sign_in_failed", details={"email": email}, request=request)
