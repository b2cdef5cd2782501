"""Every minute: recompute the figures of the forms and years whose records changed, in every collection."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from dcp_platform.playback.services import refresh_changed
from dcp_platform.tenancy.models import Collection


@shared_task(name="playback.refresh_changed_figures")
def refresh_changed_figures() -> dict[str, int]:
    refreshed: dict[str, int] = {}
    for collection in Collection.objects.exclude(schema_name="public"):
        with schema_context(collection.schema_name):
            refreshed[collection.slug] = len(refresh_changed(slug=collection.slug))
    return refreshed
