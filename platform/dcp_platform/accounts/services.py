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
from dcp_platform.accounts.selectors import organisation_descendant_ids
from dcp_platform.email_adapter import send_email

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
    if role != Role.SUPPORT and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation the person works for"})
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email address already exists"})
    user = User.objects.create_user(email, None, name=name.strip(), organisation=organisation, role=role,
                                    is_staff=role == Role.SUPPORT)
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
    if stock_owner.pk == managing_agent.pk:
        raise ValidationError({"organisation": "An organisation cannot manage its own stock as its own agent"})
    link, created = OrganisationRelationship.objects.get_or_create(stock_owner=stock_owner, managing_agent=managing_agent)
    if created:
        audit_record(action="relationship_added", actor=actor, target=link, request=request, details={
            "stock_owner": stock_owner.code, "managing_agent": managing_agent.code})
    return link


@transaction.atomic
def relationship_remove(*, actor: User, relationship: OrganisationRelationship, request: HttpRequest | None = None) -> None:
    """The managing agent stops submitting for the stock owner (records already sent stay as they are)."""
    if not actor.is_support:
        raise PermissionDenied("Only support can unlink organisations.")
    audit_record(action="relationship_removed", actor=actor, target=relationship, request=request, details={
        "stock_owner": relationship.stock_owner.code, "managing_agent": relationship.managing_agent.code})
    relationship.delete()


def _support_only(actor: User) -> None:
    if not actor.is_support:
        raise PermissionDenied("Only support can change organisations.")


def _code_taken(code: str, *, other_than: int | None = None) -> bool:
    same = Organisation.objects.filter(code__iexact=code)
    return (same.exclude(pk=other_than) if other_than is not None else same).exists()


@transaction.atomic
def organisation_create(
    *, actor: User, name: str, code: str, provider_type: str, parent: Organisation | None = None,
    holds_own_stock: bool = True, request: HttpRequest | None = None,
) -> Organisation:
    _support_only(actor)
    code = code.strip()
    if _code_taken(code):
        raise ValidationError({"code": f"An organisation with the code {code} already exists"})
    organisation = Organisation.objects.create(
        name=name.strip(), code=code, provider_type=provider_type, parent=parent, holds_own_stock=holds_own_stock,
    )
    audit_record(action="organisation_created", actor=actor, target=organisation, request=request,
                 details={"code": code, "provider_type": provider_type, "parent": parent.code if parent else None})
    return organisation


ORGANISATION_CHANGEABLE = ("name", "code", "provider_type", "parent", "holds_own_stock", "active")


def _audit_value(value: object) -> object:
    return value.code if isinstance(value, Organisation) else value


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, request: HttpRequest | None = None, **changes: object
) -> Organisation:
    """Change an organisation's details or parent (never to itself or one below it: the tree has no loops)."""
    _support_only(actor)
    unknown = set(changes) - set(ORGANISATION_CHANGEABLE)
    if unknown:
        raise TypeError(f"Organisations have no changeable {', '.join(sorted(unknown))}")
    if "code" in changes:
        changes["code"] = str(changes["code"]).strip()
        if _code_taken(str(changes["code"]), other_than=organisation.pk):
            raise ValidationError({"code": f"An organisation with the code {changes['code']} already exists"})
    parent = changes.get("parent")
    if isinstance(parent, Organisation) and parent.pk in organisation_descendant_ids(organisation_id=organisation.pk):
        raise ValidationError({"parent": f"{parent.name} is {organisation.name} or one of its own organisations"})
    before = {field: _audit_value(getattr(organisation, field)) for field in changes}
    for field, value in changes.items():
        setattr(organisation, field, value.strip() if isinstance(value, str) and field == "name" else value)
    organisation.save()
    after = {field: _audit_value(getattr(organisation, field)) for field in changes}
    changed = sorted(field for field in changes if before[field] != after[field])
    if changed:
        audit_record(action="organisation_changed", actor=actor, target=organisation, request=request, details={
            "fields": changed, "from": {f: before[f] for f in changed}, "to": {f: after[f] for f in changed}})
    return organisation


@transaction.atomic
def user_update(
    *, actor: User, user: User, name: str, email: str, role: str, organisation: Organisation | None,
    request: HttpRequest | None = None,
) -> User:
    """Support changes a person's name, email address, role or organisation (audited field by field)."""
    if not actor.is_support:
        raise PermissionDenied("Only support can change people's details.")
    email = email.strip().lower()
    if User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Another user has this email address"})
    if user.pk == actor.pk and role != user.role:
        raise ValidationError({"role": "You cannot change your own role"})
    if role != Role.SUPPORT and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation the person works for"})
    before = {"name": user.name, "email": user.email, "role": user.role,
              "organisation": user.organisation.code if user.organisation else None}
    user.name, user.email, user.role, user.organisation = name.strip(), email, role, organisation
    user.is_staff = role == Role.SUPPORT
    user.save()
    after = {"name": user.name, "email": user.email, "role": user.role,
             "organisation": organisation.code if organisation else None}
    changed = sorted(field for field in before if before[field] != after[field])
    if changed:
        audit_record(action="user_changed", actor=actor, target=user, request=request, details={
            "fields": changed, "from": {f: before[f] for f in changed}, "to": {f: after[f] for f in changed}})
    return user


def invitation_pending(user: User) -> bool:
    """Invited and never signed in: no password set yet."""
    return user.is_active and user.last_login is None and not user.has_usable_password()


def invitation_resend(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Send the invitation again with a new link (the link of an earlier one still works until it expires)."""
    if not _may_manage(actor, user.organisation_id):
        raise PermissionDenied("You cannot invite this user.")
    if not invitation_pending(user):
        raise ValidationError(f"{user.name or user.email} has already set a password: they can reset it to sign in")
    invitation_send(user=user, inviter=actor, request=request)
    audit_record(action="invitation_resent", actor=actor, target=user, request=request)
