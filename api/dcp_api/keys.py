"""API keys: create, revoke, list, and find the key a request carries (services and selectors)."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from dcp_platform.access import may_manage_api_keys
from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import User
from dcp_platform.tenancy.models import Collection, Participation
from django.db import connection, models
from django.db.models import QuerySet
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


def api_key_create(*, user: User, name: str) -> NewKey:
    if not may_manage_api_keys(user):
        raise KeyNotAllowed("Only data coordinators can create API keys")
    assert user.organisation_id is not None  # may_manage_api_keys checked it
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name.strip()[:100], prefix=secret[: len(KEY_PREFIX) + 6], digest=digest_of(secret),
        organisation_id=user.organisation_id, created_by=user,
    )
    audit_record(actor=user, action="api_key.create", target=api_key, details={"name": api_key.name})
    return NewKey(api_key, secret)


def api_key_revoke(*, user: User, api_key: ApiKey) -> None:
    if not may_manage_api_keys(user) or api_key.organisation_id != user.organisation_id:
        raise KeyNotAllowed("You can only revoke your organisation's keys")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.revoked_by = user
        api_key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=user, action="api_key.revoke", target=api_key, details={"name": api_key.name})


def keys_visible_to(*, user: User) -> QuerySet[ApiKey]:
    if not may_manage_api_keys(user) or user.organisation_id is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation_id=user.organisation_id)


@functools.cache
def _key_lookup_sql() -> tuple[str, list[str], list[str]]:
    """The key, its coordinator and whether the key's organisation takes part in a collection, in one statement.

    Written out once per process from the models' own fields: the ORM spent about a millisecond building the
    same query on every request. Returns the SQL and the attribute names of the key's and the user's columns.
    """
    quote = connection.ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    key_fields = list(ApiKey._meta.concrete_fields)
    user_fields = list(User._meta.concrete_fields)
    columns = [f"k.{quote(str(f.column))}" for f in key_fields] + [f"u.{quote(str(f.column))}" for f in user_fields]
    # Names come from the models' metadata only; the values are bound parameters.
    sql = (
        f"SELECT {', '.join(columns)}, EXISTS (SELECT 1 FROM {quote(Participation._meta.db_table)} p "  # noqa: S608
        f"WHERE p.{column(Participation, 'organisation')} = k.{column(ApiKey, 'organisation')} "
        f"AND p.{column(Participation, 'collection')} = %s) "
        f"FROM {quote(ApiKey._meta.db_table)} k INNER JOIN {quote(User._meta.db_table)} u "
        f"ON u.{column(User, 'id')} = k.{column(ApiKey, 'created_by')} "
        f"WHERE k.{column(ApiKey, 'digest')} = %s AND k.{column(ApiKey, 'revoked_at')} IS NULL"
    )
    return sql, [f.attname for f in key_fields], [f.attname for f in user_fields]


def active_key_for_secret(secret: str, *, collection: Collection | None = None) -> ApiKey | None:
    """The key a request presents, if it is live and its coordinator may still act for the organisation.

    A key stops working when it is revoked, or when the coordinator who made it leaves the organisation, is
    deactivated or is no longer a coordinator: access follows people, as it does on the web. With a
    `collection`, the same query also finds out whether the key's organisation takes part in it
    (`api_key.organisation_takes_part`), which every request needs to know.
    """
    if not secret.startswith(KEY_PREFIX):
        return None
    sql, key_names, user_names = _key_lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [collection.pk if collection is not None else None, digest_of(secret)])
        row = cursor.fetchone()  # the digest is unique
    if row is None:
        return None
    split = len(key_names)
    api_key = ApiKey.from_db(connection.alias, key_names, row[:split])
    creator = User.from_db(connection.alias, user_names, row[split:split + len(user_names)])
    ApiKey._meta.get_field("created_by").set_cached_value(api_key, creator)  # as select_related would
    if collection is not None:
        api_key.organisation_takes_part = row[-1]  # type: ignore[attr-defined]
    if not may_manage_api_keys(creator) or creator.organisation_id != api_key.organisation_id:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
