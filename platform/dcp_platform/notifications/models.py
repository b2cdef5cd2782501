from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dcp_platform.notifications.kinds import kind_label


class Notification(models.Model):
    """Something the service tells one person, listed on their notifications page (and perhaps emailed).

    `dedupe_key` makes sending idempotent: a second notification with the same key is never stored or sent (a
    monthly digest uses e.g. "reminder_digest:<user>:2026-05"). Keys are global, so they name the person.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)  # a slug of kinds.KINDS (no choices: kinds change without migrations)
    collection_slug = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Where the notification leads (an absolute URL).")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count and the list, on every page a signed-in person opens.
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({kind_label(self.kind)}) for {self.user_id}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class NotificationPreference(models.Model):
    """Whether a person gets one kind of notification by email (no row: the kind's default, which is yes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)  # a slug of kinds.KINDS (no choices: kinds change without migrations)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_notification_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'email' if self.email else 'no email'}"


class PlatformBanner(models.Model):
    """A message support shows at the top of every page of every collection and the public site."""

    heading = models.CharField(max_length=120)
    message = models.TextField(blank=True)
    link_text = models.CharField(max_length=80, blank=True)
    link_url = models.CharField(max_length=500, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.heading
