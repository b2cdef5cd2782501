"""Reads of records. `records_visible_to` is THE scoping function: every query for records goes through it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dcp_platform.accounts.models import User
from dcp_platform.accounts.selectors import record_organisation_ids_for_user
from dcp_platform.records.models import Record


def records_visible_to(*, user: User, include_hidden: bool = False) -> QuerySet[Record]:
    """Records of the current collection that this user may see and change.

    A record belongs to the organisation that owns the property and the one that manages the letting;
    either organisation's users (as scoped by their role) may see it.
    """
    records = Record.objects.all()
    if not include_hidden:
        records = records.filter(visible=True)
    organisation_ids = record_organisation_ids_for_user(user=user)
    if organisation_ids is None:
        return records
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
