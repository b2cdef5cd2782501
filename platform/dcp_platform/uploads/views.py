"""Bulk upload pages: choose a file, watch it being checked, review the results, create the records.

Processing always happens in the Celery worker; these views only store the file, start the task and read the
upload's progress. Not built yet: correcting the proposed column and value mapping on the page (it can only be
accepted as proposed), per-cell error pages and the error file download.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dcp_platform.accounts.models import User
from dcp_platform.cms.windows import check_window
from dcp_platform.registry import definitions_for
from dcp_platform.uploads import services
from dcp_platform.uploads.models import Upload, UploadStatus
from dcp_platform.uploads.reading import FileRejected
from dcp_platform.uploads.tasks import process_upload_task
from dcp_platform.webform.views import collection_member_required

MAX_UPLOAD_BYTES = 30 * 1024 * 1024


def _schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _uploads_for(user: User) -> QuerySet[Upload]:
    uploads = Upload.objects.all()
    if user.is_support:
        return uploads
    return uploads.filter(organisation_id=user.organisation_id) if user.organisation_id else uploads.none()


def _upload(request: HttpRequest, upload_id: int) -> Upload:
    upload = _uploads_for(request.user).filter(pk=upload_id).first()  # type: ignore[arg-type]
    if upload is None:
        raise Http404("No such upload")
    return upload


def _open_forms() -> list[dict[str, Any]]:
    return [
        {"value": f"{form}:{year}", "title": f"{definition.title} {year} to {year + 1}"}
        for (form, year), definition in sorted(definitions_for(_schema()).items())
        if check_window(year=year, record_date=None, action="create").allowed
    ]


@collection_member_required
def upload_list(request: HttpRequest) -> HttpResponse:
    return render(request, "uploads/list.html", {"uploads": _uploads_for(request.user)[:50]})  # type: ignore[arg-type]


@collection_member_required
def upload_new(request: HttpRequest) -> HttpResponse:
    forms = _open_forms()
    error = None
    if request.method == "POST":
        choice = request.POST.get("form_year", "")
        file = request.FILES.get("file")
        if choice not in {f["value"] for f in forms}:
            error = "Select which records the file holds"
        elif file is None or not file.size:
            error = "Select a file to upload" if file is None else "The selected file is empty"
        elif file.size > MAX_UPLOAD_BYTES:
            error = "The file must be smaller than 30 MB. Split it into smaller files."
        else:
            form, year = choice.split(":")
            try:
                received = services.receive_file(
                    user=request.user, form=form, year=int(year), handle=file, filename=file.name or "upload",  # type: ignore[arg-type]
                )
            except FileRejected as refused:
                error = refused.message
            else:
                if received.already_uploaded:
                    messages.info(request, "You have uploaded this file before. These are its results.")
                else:
                    process_upload_task.delay(_schema(), received.upload.pk)
                return redirect("uploads:detail", upload_id=received.upload.pk)
    return render(request, "uploads/new.html", {"forms": forms, "error": error, "form_has_errors": bool(error)},
                  status=400 if error else 200)


@collection_member_required
def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    percent = int(100 * upload.processed_rows / upload.total_rows) if upload.total_rows else 0
    working = upload.status in (UploadStatus.WAITING, UploadStatus.CHECKING, UploadStatus.PROCESSING)
    return render(request, "uploads/detail.html", {
        "upload": upload, "percent": percent, "working": working, "summary": upload.summary or {},
        "mapping": [{"column": header, "target": upload.column_mapping.get(str(index), "")}
                    for index, header in enumerate(upload.headers or [])],
    })


@collection_member_required
def upload_progress(request: HttpRequest, upload_id: int) -> JsonResponse:
    upload = _upload(request, upload_id)
    return JsonResponse({"status": upload.status, "processed": upload.processed_rows, "total": upload.total_rows})


@require_POST
@collection_member_required
def upload_accept_mapping(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    if upload.status != UploadStatus.NEEDS_MAPPING:
        raise Http404("Nothing to match")
    services.confirm_mapping(upload, column_mapping=upload.column_mapping, value_mapping=upload.value_mapping)
    process_upload_task.delay(_schema(), upload.pk)
    return redirect("uploads:detail", upload_id=upload.pk)


@require_POST
@collection_member_required
def upload_confirm(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    if upload.status != UploadStatus.READY:
        raise Http404("Nothing to confirm")
    create = "completed" if request.POST.get("create") == "completed" else "all"
    count = services.confirm_upload(upload, create=create)
    messages.success(request, f"{count} record{'s' if count != 1 else ''} created from {upload.filename}.")
    return redirect("records:list")
