"""Sending notifications, marking them read, choosing which kinds come by email; the platform banner."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import User
from dcp_platform.email_adapter import EmailNotSent, EmailTemplateError, email_template_path, send_email
from dcp_platform.notifications.kinds import KINDS, get_kind
from dcp_platform.notifications.models import Notification, NotificationPreference, PlatformBanner
from dcp_platform.notifications.selectors import wants_email

log = logging.getLogger(__name__)


def _email_template_for(kind: str) -> str:
    """A kind's own template (notification_<kind>) if there is one, else the general one."""
    try:
        email_template_path(f"notification_{kind}")
    except EmailTemplateError:
        return "notification"
    return f"notification_{kind}"


def notification_send(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    collection_slug: str = "",
    dedupe_key: str | None = None,
) -> Notification | None:
    """Store a notification for the person and email it unless they turned that kind off.

    A dedupe_key already used sends nothing and returns None (a reminder sent twice in one period is sent once).
    An email the adapter cannot send is logged; the notification stays on the person's notifications page.
    """
    get_kind(kind)  # refuses a kind the registry does not declare
    if not user.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, title=title[:200], body=body, link=link[:500],
                collection_slug=collection_slug, dedupe_key=dedupe_key or None,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if wants_email(user=user, kind=kind):
        context = {
            "name": user.name or user.email, "title": notification.title, "body": notification.body,
            "link": notification.link, "kind": KINDS[kind].label, "service_name": settings.WAGTAIL_SITE_NAME,
            "preferences_link": notification_preferences_url(),
        }
        try:
            send_email(to=user.email, template=_email_template_for(kind), context=context)
        except EmailNotSent as error:
            log.warning("Notification %s was not emailed to user %s: %s", notification.pk, user.pk, error)
        else:
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return notification


def notification_preferences_url() -> str:
    path = reverse("notifications:preferences", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    port = "" if settings.PRODUCTION else f":{settings.PUBLIC_PORT}"
    return f"{settings.URL_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the person's own notifications read; False when it is not theirs (or does not exist)."""
    updated = Notification.objects.filter(pk=notification_id, user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return bool(updated) or Notification.objects.filter(pk=notification_id, user_id=user.pk).exists()


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preferences_set(*, user: User, emailed_kinds: set[str]) -> None:
    """Email the person these kinds and no others (every kind still shows on the notifications page)."""
    unknown = emailed_kinds - set(KINDS)
    if unknown:
        raise LookupError(f"Not kinds of notification: {', '.join(sorted(unknown))}")
    for slug in KINDS:
        NotificationPreference.objects.update_or_create(user=user, kind=slug, defaults={"email": slug in emailed_kinds})


# Platform banners (support) -------------------------------------------------------------------------------------

BANNER_FIELDS = ("heading", "message", "link_text", "link_url", "starts_at", "ends_at")


def _check_banner(values: dict[str, object]) -> None:
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
        raise ValidationError({"ends_at": "The banner must stop showing after it starts"})
    link_text, link_url = str(values.get("link_text") or ""), str(values.get("link_url") or "")
    if bool(link_text) != bool(link_url):
        raise ValidationError({"link_url": "Give both the link's words and its address, or neither"})
    if link_url and not (link_url.startswith("/") or link_url.startswith("https://")):
        raise ValidationError({"link_url": "Give a page of this service (starting with /) or an https:// address"})


@transaction.atomic
def platform_banner_save(*, by: User, banner: PlatformBanner | None = None, request: HttpRequest | None = None,
                         **values: object) -> PlatformBanner:
    """Create or change the banner every page of every collection shows (support only; audited)."""
    if not by.is_support:
        raise PermissionDenied("Only support can publish platform banners.")
    unknown = set(values) - set(BANNER_FIELDS)
    if unknown:
        raise TypeError(f"Platform banners have no {', '.join(sorted(unknown))}")
    _check_banner(values)
    created = banner is None
    banner = banner or PlatformBanner(created_by=by)
    for name, value in values.items():
        setattr(banner, name, value.strip() if isinstance(value, str) else value)
    banner.save()
    audit_record(action="platform_banner_created" if created else "platform_banner_changed", actor=by,
                 target=banner, request=request, details={"fields": sorted(values)})
    return banner


@transaction.atomic
def platform_banner_delete(*, by: User, banner: PlatformBanner, request: HttpRequest | None = None) -> None:
    if not by.is_support:
        raise PermissionDenied("Only support can remove platform banners.")
    audit_record(action="platform_banner_removed", actor=by, target=banner, request=request)
    banner.delete()
