"""Changes to users, organisations and their links. Each one writes the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Organisation, OrganisationRelationship, Role, User
from dcp_platform.notifications.email import send_email

COORDINATOR_ASSIGNABLE_ROLES = {Role.DATA_PROVIDER, Role.DATA_COORDINATOR}


def _may_manage(actor: User, organisation_id: int | None) -> bool:
    if actor.is_support:
        return True
    return actor.is_coordinator and organisation_id is not None and organisation_id == actor.organisation_id


def set_password_url(*, user: User, request: HttpRequest | None = None) -> str:
    """An absolute link to set a password, on the public site (one sign-in for every collection)."""
    path = reverse(
        "accounts:set-password",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    if request is not None:
        host = request.get_host()
        port = (":" + host.rsplit(":", 1)[1]) if ":" in host else ""
        return f"{request.scheme}://{settings.BASE_DOMAIN}{port}{path}"
    port = "" if settings.PRODUCTION else f":{settings.PUBLIC_PORT}"
    return f"{settings.URL_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


@transaction.atomic
def user_invite(
    *, actor: User, email: str, name: str, role: str, organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create a user without a password and email them a link to set one."""
    organisation = organisation or actor.organisation
    if not _may_manage(actor, organisation.pk if organisation else None):
        raise PermissionDenied("You can only invite users to your own organisation.")
    if not actor.is_support and role not in COORDINATOR_ASSIGNABLE_ROLES:
        raise PermissionDenied("Only support can give the support role.")
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email address already exists"})
    user = User.objects.create_user(email, None, name=name.strip(), organisation=organisation, role=role)
    audit_record(action="user_invited", actor=actor, target=user, details={"role": role}, request=request)
    invitation_send(user=user, inviter=actor, request=request)
    return user


def invitation_send(*, user: User, inviter: User, request: HttpRequest | None = None) -> None:
    """Email the person a link to set their password (an invitation always goes: it is how they sign in)."""
    send_email(to=user.email, template="invitation", context={
        "name": user.name or user.email, "inviter": inviter.name or inviter.email,
        "organisation": user.organisation.name if user.organisation else "the service",
        "link": set_password_url(user=user, request=request),
    })


@transaction.atomic
def user_change_role(*, actor: User, user: User, role: str, request: HttpRequest | None = None) -> User:
    if not _may_manage(actor, user.organisation_id) or (not actor.is_support and role not in COORDINATOR_ASSIGNABLE_ROLES):
        raise PermissionDenied("You cannot change this user's role.")
    if user.pk == actor.pk:
        raise ValidationError({"role": "You cannot change your own role"})
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(action="user_role_changed", actor=actor, target=user, details={"from": old, "to": role}, request=request)
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, request: HttpRequest | None = None) -> User:
    """Deactivate (or reactivate) a user. Users are never deleted: records in every collection refer to them."""
    if not _may_manage(actor, user.organisation_id):
        raise PermissionDenied("You cannot change this user.")
    if user.pk == actor.pk:
        raise ValidationError({"active": "You cannot deactivate yourself"})
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(action="user_reactivated" if active else "user_deactivated", actor=actor, target=user, request=request)
    return user


@transaction.atomic
def relationship_add(
    *, actor: User, stock_owner: Organisation, managing_agent: Organisation, request: HttpRequest | None = None
) -> OrganisationRelationship:
    if not actor.is_support:
        raise PermissionDenied("Only support can link organisations.")
    link, _ = OrganisationRelationship.objects.get_or_create(stock_owner=stock_owner, managing_agent=managing_agent)
    audit_record(action="relationship_added", actor=actor, target=link, request=request)
    return link
