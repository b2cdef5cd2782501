"""Celery tasks: thin wrappers that run a service inside the collection's schema."""

from __future__ import annotations

import logging
import os
from datetime import date
from typing import Any

from celery.signals import worker_ready
from django_tenants.utils import get_public_schema_name, schema_context

from dcp_platform.celery import app
from dcp_platform.tenancy.models import Collection

from .services import (
    finish_confirming_soft_problem,
    process_upload,
    stalled_confirmations,
    stalled_upload_ids,
)

log = logging.getLogger(__name__)


@app.task(name="uploads.process_upload", acks_late=True, reject_on_worker_lost=True)
def process_upload_task(schema_name: str, upload_id: int, today: str | None = None) -> None:
    """`today` (ISO date) fixes the date the collection window is checked against; by default the real today."""
    with schema_context(schema_name):
        process_upload(upload_id, today=date.fromisoformat(today) if today else None)


@app.task(name="uploads.confirm_soft_problem", acks_late=True, reject_on_worker_lost=True)
def confirm_soft_problem_task(schema_name: str, upload_id: int, rule_id: str, user_id: int) -> None:
    """Confirm one soft problem for every row of an upload that has it (thousands of records: not in a request)."""
    with schema_context(schema_name):
        finish_confirming_soft_problem(upload_id, rule_id=rule_id, user_id=user_id)


@worker_ready.connect
def resume_stalled_uploads(**_kwargs: Any) -> None:
    """A worker that starts (or restarts after a crash) re-queues uploads whose worker died in the middle of
    processing them, or of confirming a soft problem for all their rows.

    Without this a killed worker's upload waits for the broker's visibility timeout (an hour) before its
    unacknowledged task is handed out again. `DCP_UPLOAD_STALE_AFTER` (seconds without progress, default 300)
    must be longer than one chunk takes; the advisory lock in process_upload stops a double run anyway.
    """
    older_than = float(os.environ.get("DCP_UPLOAD_STALE_AFTER", "300"))
    for schema_name in Collection.objects.exclude(schema_name=get_public_schema_name()).values_list(
        "schema_name", flat=True
    ):
        with schema_context(schema_name):
            for upload_id in stalled_upload_ids(older_than_seconds=older_than):
                log.info("re-queueing stalled upload %s in %s", upload_id, schema_name)
                process_upload_task.delay(schema_name, upload_id)
            for stalled in stalled_confirmations(older_than_seconds=older_than):
                log.info("re-queueing the stalled confirmation of upload %s in %s", stalled.upload_id, schema_name)
                confirm_soft_problem_task.delay(schema_name, stalled.upload_id, stalled.rule_id, stalled.user_id)
