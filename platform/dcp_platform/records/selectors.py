"""Reads of records. `records_visible_to` is THE scoping function: every query for records goes through it."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from dcp_platform.accounts.models import User
from dcp_platform.accounts.selectors import record_organisation_ids_for_user
from dcp_platform.records.models import Record
from dcp_platform.tenancy.selectors import is_analyst


def records_visible_to(*, user: User, include_hidden: bool = False) -> QuerySet[Record]:
    """Records of the current collection that this user may see (and, but for analysts, change).

    A record belongs to the organisation that owns the property and the one that manages the letting;
    either organisation's users (as scoped by their role) may see it. The collection's department analysts see
    every visible record (never an upload's records under review); the record services refuse their writes.
    """
    records = Record.objects.all()
    if not include_hidden:
        records = records.filter(visible=True)
    organisation_ids = record_organisation_ids_for_user(user=user)
    if organisation_ids is None:
        return records
    if is_analyst(user=user, collection_slug=str(getattr(connection, "schema_name", "public"))):
        return records.filter(visible=True)
    if not organisation_ids:
        return records.none()
    return records.filter(
        Q(owning_organisation_id__in=organisation_ids)
        | Q(managing_organisation_id__in=organisation_ids)
        # A record whose setup is not finished has no organisations yet: its creator still sees it.
        | Q(created_by_id=user.pk, owning_organisation__isnull=True)
    )


def record_for_user(*, user: User, public_id: str) -> Record | None:
    return records_visible_to(user=user).filter(public_id=public_id).first()
