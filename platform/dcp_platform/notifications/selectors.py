"""Reads of notifications and email preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from dcp_platform.accounts.models import User
from dcp_platform.notifications.kinds import KINDS, Kind, get_kind
from dcp_platform.notifications.models import Notification, NotificationPreference


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def email_preferences(*, user: User) -> list[tuple[Kind, bool]]:
    """Every kind, in the registry's order, with whether this person gets it by email."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "email"))
    return [(kind, chosen.get(kind.slug, kind.email_by_default)) for kind in KINDS.values()]


def wants_email(*, user: User, kind: str) -> bool:
    chosen = NotificationPreference.objects.filter(user_id=user.pk, kind=kind).values_list("email", flat=True).first()
    return get_kind(kind).email_by_default if chosen is None else bool(chosen)
