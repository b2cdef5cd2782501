"""Every night: purge records deleted more than DCP_DELETED_RECORDS_KEPT_DAYS ago, in every collection."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from dcp_platform.records.lifecycle import purge_deleted_records
from dcp_platform.tenancy.models import Collection


@shared_task(name="records.purge_deleted_records")
def purge_deleted() -> dict[str, int]:
    purged: dict[str, int] = {}
    for collection in Collection.objects.exclude(schema_name="public"):
        with schema_context(collection.schema_name):
            purged[collection.slug] = purge_deleted_records()
    return purged
