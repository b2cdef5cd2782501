"""Celery tasks: thin wrappers that run a service inside the collection's schema."""

from __future__ import annotations

from datetime import date

from django_tenants.utils import schema_context

from dcp_platform.celery import app


@app.task(name="uploads.process_upload", acks_late=True, reject_on_worker_lost=True)
def process_upload_task(schema_name: str, upload_id: int, today: str | None = None) -> None:
    """`today` (ISO date) fixes the date the collection window is checked against; by default the real today."""
    from .services import process_upload

    with schema_context(schema_name):
        process_upload(upload_id, today=date.fromisoformat(today) if today else None)
