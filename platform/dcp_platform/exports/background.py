"""Big downloads in the background: past DCP_EXPORT_BACKGROUND_ROWS rows a download is made by a Celery task,
with its progress on the page, and the person is told (in the service and by email) when it is ready. The file is
fetched by a signed link that expires after DCP_EXPORT_LINK_DAYS days and opens only for the person who asked."""

from __future__ import annotations

import dataclasses
import tempfile

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from dcp_platform.accounts.models import User
from dcp_platform.exports.models import ExportJob, ExportStatus
from dcp_platform.exports.services import ExportRequest, check_export, export_count, stream_export
from dcp_platform.notifications.kinds import DOWNLOAD_READY
from dcp_platform.notifications.services import notification_send
from dcp_platform.records.selectors import RecordFilters

_SALT = "dcp.exports.file"
PROGRESS_EVERY = 5000  # rows between progress updates


def background_threshold() -> int:
    return int(getattr(settings, "DCP_EXPORT_BACKGROUND_ROWS", 50_000))


def link_max_age() -> int:
    return int(getattr(settings, "DCP_EXPORT_LINK_DAYS", 7)) * 86_400


def start_export_job(*, user: User, request: ExportRequest) -> ExportJob:
    check_export(user=user, request=request)
    payload = dataclasses.asdict(request)
    payload["filters"] = request.filters.as_query()
    return ExportJob.objects.create(user=user, request=payload, rows_total=export_count(user=user, request=request),
                                    file_name=request.file_name())


def _request_of(job: ExportJob) -> ExportRequest:
    data = dict(job.request)
    return ExportRequest(**{**data, "filters": RecordFilters.from_query(data.get("filters") or {})})


def file_token(job: ExportJob) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(job.pk))


def job_for_token(token: str) -> ExportJob | None:
    """The job a link names, or None when the link is forged or has expired."""
    try:
        pk = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=link_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return ExportJob.objects.filter(pk=int(pk), status=ExportStatus.READY).first()


def run_export_job(job_id: int, *, link_base: str = "") -> None:
    """Makes the file (in the collection's schema), keeping the job's progress, then tells the person."""
    job = ExportJob.objects.select_related(None).get(pk=job_id)
    if job.status == ExportStatus.READY:
        return
    user = User.objects.get(pk=job.user_id)
    request = _request_of(job)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=0)
    done = -2  # the two header rows
    try:
        with tempfile.TemporaryFile() as spool:  # on disk, not in memory, until it is stored
            for chunk in stream_export(user=user, request=request):
                spool.write(chunk)
                before, done = done, done + chunk.count(b"\n")
                if done // PROGRESS_EVERY != before // PROGRESS_EVERY:
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=max(done, 0))
            spool.seek(0)
            stored = default_storage.save(f"exports/{job.pk}-{job.file_name}", File(spool))
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, finished_at=timezone.now())
        raise
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.READY, rows_done=max(done, 0),
                                               stored_as=stored, finished_at=timezone.now())
    job.refresh_from_db()
    link = link_base + reverse("exports:file", args=[file_token(job)])
    notification_send(user=user, kind=DOWNLOAD_READY, title="Your download is ready",
                      body=f"{job.file_name} ({job.rows_done} records). The link works for "
                           f"{link_max_age() // 86_400} days.", link=link, collection_slug=request.collection_slug,
                      dedupe_key=f"export-{request.collection_slug}-{job.pk}")
