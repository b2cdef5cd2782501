"""Periodic API housekeeping (Celery beat runs it; see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import logging

from dcp_platform.celery import app
from dcp_platform.tenancy.models import Collection
from django_tenants.utils import get_public_schema_name, schema_context

from .retention import forget_old_idempotent_requests

log = logging.getLogger(__name__)


@app.task(name="api.forget_old_idempotent_requests")
def forget_old_idempotent_requests_task() -> int:
    """In every collection's schema: forget first responses kept for retries longer than the retention period."""
    total = 0
    for schema_name in Collection.objects.exclude(schema_name=get_public_schema_name()).values_list(
        "schema_name", flat=True
    ):
        with schema_context(schema_name):
            deleted = forget_old_idempotent_requests()
        if deleted:
            log.info("forgot %s idempotent API responses in %s", deleted, schema_name)
        total += deleted
    return total
