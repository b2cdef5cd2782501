"""API keys: create, revoke, list, and find the key a request carries (services and selectors)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Role, User
from dcp_platform.tenancy.models import Collection, Participation
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "dcp_"
# Writing last_used_at on every request would make every API call a write to the same row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyNotAllowed(Exception):
    """Only data coordinators (for their organisation) and support may manage keys."""


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    secret: str  # shown to the coordinator once, never stored


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def can_manage_keys(user: User) -> bool:
    return user.is_active and user.role == Role.DATA_COORDINATOR and user.organisation_id is not None


def api_key_create(*, user: User, name: str) -> NewKey:
    if not can_manage_keys(user):
        raise KeyNotAllowed("Only data coordinators can create API keys")
    assert user.organisation_id is not None  # can_manage_keys checked it
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name.strip()[:100], prefix=secret[: len(KEY_PREFIX) + 6], digest=digest_of(secret),
        organisation_id=user.organisation_id, created_by=user,
    )
    audit_record(actor=user, action="api_key.create", target=api_key, details={"name": api_key.name})
    return NewKey(api_key, secret)


def api_key_revoke(*, user: User, api_key: ApiKey) -> None:
    if not can_manage_keys(user) or api_key.organisation_id != user.organisation_id:
        raise KeyNotAllowed("You can only revoke your organisation's keys")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.revoked_by = user
        api_key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=user, action="api_key.revoke", target=api_key, details={"name": api_key.name})


def keys_visible_to(*, user: User) -> QuerySet[ApiKey]:
    if not can_manage_keys(user) or user.organisation_id is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation_id=user.organisation_id)


def active_key_for_secret(secret: str, *, collection: Collection | None = None) -> ApiKey | None:
    """The key a request presents, if it is live and its coordinator may still act for the organisation.

    A key stops working when it is revoked, or when the coordinator who made it leaves the organisation, is
    deactivated or is no longer a coordinator: access follows people, as it does on the web. With a
    `collection`, the same query also finds out whether the key's organisation takes part in it
    (`api_key.organisation_takes_part`), which every request needs to know.
    """
    if not secret.startswith(KEY_PREFIX):
        return None
    keys = ApiKey.objects.select_related("created_by").filter(digest=digest_of(secret), revoked_at=None)
    if collection is not None:
        keys = keys.annotate(organisation_takes_part=Exists(Participation.objects.filter(
            organisation_id=OuterRef("organisation_id"), collection_id=collection.pk,
        )))
    api_key = keys.first()
    if api_key is None:
        return None
    creator = api_key.created_by
    if not can_manage_keys(creator) or creator.organisation_id != api_key.organisation_id:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
