"""Celery tasks: thin wrappers that run a service inside each collection's schema."""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name, schema_context

from dcp_platform.celery import app
from dcp_platform.exports.background import run_export_job
from dcp_platform.exports.feed import write_feed
from dcp_platform.tenancy.models import Collection


@app.task(name="exports.write_feeds")
def write_feeds_task() -> list[str]:
    """Every collection's feed for the department's data platform (scheduled nightly by Celery beat)."""
    written: list[str] = []
    for collection in Collection.objects.exclude(schema_name=get_public_schema_name()):
        with schema_context(collection.schema_name):
            written += write_feed(collection.slug)
    return written


@app.task(name="exports.run_export_job", acks_late=True)
def run_export_job_task(schema_name: str, job_id: int, link_base: str = "") -> None:
    with schema_context(schema_name):
        run_export_job(job_id, link_base=link_base)
