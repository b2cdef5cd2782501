"""How long the API keeps what it needs for safe retries: first responses to Idempotency-Key requests."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import IdempotentRequest


def idempotency_retention() -> timedelta:
    return timedelta(hours=float(getattr(settings, "DCP_API_IDEMPOTENCY_HOURS", 24)))


def forget_old_idempotent_requests(*, older_than: timedelta | None = None) -> int:
    """Delete remembered responses older than the retention period (current collection); returns how many.

    A retry within the period gets the first response again; a key sent again after it is a new request.
    """
    cutoff = timezone.now() - (older_than if older_than is not None else idempotency_retention())
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
