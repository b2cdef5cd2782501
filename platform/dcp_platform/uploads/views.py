"""Bulk upload pages: download an empty file to fill in, choose a file, watch it being checked, match its columns
and values, review the results (per-cell error report, its CSV, soft problems confirmed for all rows at once, the
columns a flat file's upload ignored), create the records.

Processing always happens in the Celery worker; these views only store the file, start the task and read the
upload's progress. Every page works without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from dcp_platform.access import collection_member_required
from dcp_platform.accounts.models import User
from dcp_platform.cms.windows import check_window
from dcp_platform.definitions import Definition
from dcp_platform.records.models import Record, RecordStatus
from dcp_platform.records.services import build_eval_context
from dcp_platform.registry import definition_for, definitions_for
from dcp_platform.uploads import reports, services
from dcp_platform.uploads.flat import FLAT_KIND, flat_file_for
from dcp_platform.uploads.models import Upload, UploadStatus
from dcp_platform.uploads.numbered_template import numbered_template_for
from dcp_platform.uploads.reading import LIMITS_TEXT, MAX_CELL_CHARS, MAX_FILE_BYTES, FileRejected
from dcp_platform.uploads.tasks import confirm_soft_problem_task, process_upload_task

MAX_UPLOAD_BYTES = MAX_FILE_BYTES


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
    """The forms and years records can be sent for now; `numbered_template`: the year has an official template."""
    return [
        {"value": f"{form}:{year}", "title": f"{definition.title} {year} to {year + 1}", "form": form, "year": year,
         "year_label": f"{year} to {year + 1}", "numbered_template": bool(definition.template_field_map()),
         # The data dictionary where there is one, else the paper form: each question with its answer codes.
         "specification": _url_or_empty("dictionary:page", form, year) or _url_or_empty("paper:form", form, year)}
        for (form, year), definition in sorted(definitions_for(_schema()).items())
        if check_window(year=year, record_date=None, action="create").allowed
    ]


def _url_or_empty(name: str, *args: Any) -> str:
    """A page another app may provide (the data dictionary, the year's specification), or "" without it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


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
    return render(request, "uploads/new.html", {
        "forms": forms, "error": error, "form_has_errors": bool(error), "limits_text": LIMITS_TEXT,
        "max_cell_chars": MAX_CELL_CHARS, "any_numbered_template": any(f["numbered_template"] for f in forms),
    }, status=400 if error else 200)


@collection_member_required
def upload_empty_file(request: HttpRequest, form: str, year: int) -> HttpResponse:
    """An empty file to fill in: one header row of the definition's flat names (uploads/flat.py). A year with an
    official numbered template also offers that, empty (upload_numbered_template)."""
    if (form, year) not in definitions_for(_schema()):
        raise Http404("No such form")
    name, data = flat_file_for(_schema(), form, year)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@collection_member_required
def upload_numbered_template(request: HttpRequest, form: str, year: int) -> HttpResponse:
    """The year's official numbered template, empty, written from the definition (uploads/numbered_template.py)."""
    definition = definitions_for(_schema()).get((form, year))
    if definition is None or not definition.template_field_map():
        raise Http404("No numbered template for this form")
    name, data = numbered_template_for(definition)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@collection_member_required
def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    percent = int(100 * upload.processed_rows / upload.total_rows) if upload.total_rows else 0
    working = upload.status in WORKING_STATUSES
    if upload.status in (UploadStatus.READY, UploadStatus.CONFIRMED):
        services.sync_rows_changed_on_the_web(upload)  # rows fixed in the web form since the last look
    summary = upload.summary or {}
    soft_groups = reports.soft_groups(upload) if upload.status == UploadStatus.READY else []
    wording = _question_wording(_definition(upload))
    problem_groups = [{**group, "question": wording(group.get("question"))} for group in summary.get("problem_groups", [])]
    for soft_group in soft_groups:
        soft_group.question = wording(soft_group.question)
    return render(request, "uploads/detail.html", {
        "upload": upload, "percent": percent, "working": working, "summary": summary, "soft_groups": soft_groups,
        "problem_groups": problem_groups,
        # "Create" is offered only when a row would become a record (refused rows never do).
        "creatable": int(summary.get("completed") or 0) + int(summary.get("in_progress") or 0) > 0,
        "soft_confirmation": _soft_confirmation_note(summary.get("soft_confirmation")),
        "working_statuses_json": json.dumps([str(status) for status in WORKING_STATUSES]),
    })


WORKING_STATUSES = (UploadStatus.WAITING, UploadStatus.CHECKING, UploadStatus.PROCESSING, UploadStatus.CONFIRMING)


def _soft_confirmation_note(note: dict[str, Any] | None) -> str:
    """What the last "confirm for all rows" did, in words."""
    if not note:
        return ""
    confirmed, refused = int(note.get("confirmed", 0)), int(note.get("refused", 0))
    text = f"Confirmed for {confirmed} row{'s' if confirmed != 1 else ''}."
    if refused:
        text += f" {refused} could not be changed: fix them in the web form."
    return text


@collection_member_required
def upload_progress(request: HttpRequest, upload_id: int) -> JsonResponse:
    upload = _upload(request, upload_id)
    return JsonResponse({"status": upload.status, "processed": upload.processed_rows, "total": upload.total_rows})


def _definition(upload: Upload) -> Definition:
    return definition_for(_schema(), upload.form, upload.year)


def _question_wording(definition: Definition) -> Callable[[Any], str]:
    """Problems name questions by id; people read the question's wording (an id the definition no longer has,
    or a problem of the whole row, is shown as it is)."""

    def wording(question_id: Any) -> str:
        question = definition.questions.get(str(question_id)) if question_id else None
        return question.label if question is not None else str(question_id or "")

    return wording


def _upload_needing_mapping(request: HttpRequest, upload_id: int) -> Upload:
    upload = _upload(request, upload_id)
    if upload.status != UploadStatus.NEEDS_MAPPING:
        raise Http404("Nothing to match")
    return upload


def _start_processing(upload: Upload, value_mapping: dict[str, dict[str, Any]]) -> HttpResponse:
    services.confirm_mapping(upload, column_mapping=dict(upload.column_mapping), value_mapping=value_mapping)
    process_upload_task.delay(_schema(), upload.pk)
    return redirect("uploads:detail", upload_id=upload.pk)


def _error_list(errors: dict[str, str], anchor: str) -> list[dict[str, str]]:
    """Error summary entries in page order, one per message (a clash names both columns once)."""
    seen: set[str] = set()
    entries = []
    for key in sorted(errors, key=lambda k: [int(part) for part in k.split("-") if part.isdigit()]):
        if errors[key] not in seen:
            seen.add(errors[key])
            entries.append({"href": f"#{anchor}{key}", "text": errors[key]})
    return entries


@collection_member_required
def upload_mapping(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Step 1 of matching a provider's own file: which question each column fills (pre-selected: the proposal)."""
    upload = _upload_needing_mapping(request, upload_id)
    definition = _definition(upload)
    values = services.column_values(upload)
    headers = list(upload.headers or [])
    chosen = {str(i): upload.column_mapping.get(str(i), services.NOT_USED) for i in range(len(headers))}
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = {str(i): request.POST.get(f"column-{i}", services.NOT_USED) for i in range(len(headers))}
        errors = services.check_column_choices(definition, headers, chosen)
        if not errors:
            services.save_column_choices(upload, {i: key for i, key in chosen.items() if key != services.NOT_USED})
            if reports.value_reviews(definition, upload, values):
                return redirect("uploads:mapping-values", upload_id=upload.pk)
            return _start_processing(upload, {})
    columns = [
        {"index": i, "number": i + 1, "header": header, "samples": values["values"][i][:reports.SAMPLE_VALUES],
         "long_text": values["more"][i], "selected": chosen[str(i)], "error": errors.get(str(i))}
        for i, header in enumerate(headers)
    ]
    # The columns that need a person first (not matched with confidence, or a problem with the match); the
    # confident matches below, collapsed, still editable.
    to_decide = [c for c in columns if c["error"] or c["selected"] == services.NOT_USED]
    return render(request, "uploads/mapping.html", {
        "upload": upload, "columns": columns, "to_decide": to_decide,
        "matched": [c for c in columns if c not in to_decide], "choices": reports.target_choices(definition),
        "not_used": services.NOT_USED, "error_list": _error_list(errors, "column-"), "form_has_errors": bool(errors),
    }, status=400 if errors else 200)


@collection_member_required
def upload_mapping_values(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Step 2: what the provider's own answers mean, for columns whose question has answer options."""
    upload = _upload_needing_mapping(request, upload_id)
    definition = _definition(upload)
    values = services.column_values(upload)
    reviews = reports.value_reviews(definition, upload, values)
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen: dict[str, dict[str, str]] = {}
        for review in reviews:
            codes = {code for code, _label in review.options}
            for choice in review.choices:
                picked = request.POST.get(choice.name, "")
                chosen.setdefault(review.target_key, {})[choice.value] = picked
                if picked and picked not in codes:
                    errors[choice.name] = f"Choose what “{choice.value}” means, or “Leave blank”"
        if not errors:
            return _start_processing(upload, {key: dict(pairs) for key, pairs in chosen.items()})
        reviews = reports.value_reviews(definition, upload, values, chosen=chosen)
    return render(request, "uploads/mapping_values.html", {
        "upload": upload, "reviews": reviews, "errors": errors, "error_list": _error_list(errors, ""),
        "form_has_errors": bool(errors),
    }, status=400 if errors else 200)


def _upload_with_results(request: HttpRequest, upload_id: int) -> Upload:
    upload = _upload(request, upload_id)
    if upload.status not in (UploadStatus.READY, UploadStatus.CONFIRMED):
        raise Http404("No results yet")
    return upload


@collection_member_required
def upload_report(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Every problem of every row, cell by cell, a page of rows at a time."""
    upload = _upload_with_results(request, upload_id)
    services.sync_rows_changed_on_the_web(upload)
    definition = _definition(upload)
    page = Paginator(reports.rows_with_problems(upload), reports.REPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    lines = reports.report_lines(upload, definition, list(page.object_list))
    flat = upload.kind == FLAT_KIND
    return render(request, "uploads/report.html", {
        "upload": upload, "page": page, "lines": lines, "can_fix": upload.status == UploadStatus.READY,
        "missing_rows": _rows_missing_answers(upload, definition),
        "show_fields": not flat,  # template field numbers mean nothing to someone who filled in a flat file
    })


MISSING_ROWS_SHOWN = 50
MISSING_QUESTIONS_NAMED = 5


def _rows_missing_answers(upload: Upload, definition: Definition) -> dict[str, Any]:
    """Rows whose record is not complete because answers the form needs were not in the file (no problem of
    the file's own answers): which answers each is missing, in the form's order. The first rows only."""
    records = Record.objects.filter(upload_id=upload.pk, status=RecordStatus.IN_PROGRESS).order_by("upload_row")
    rows = []
    for record in records[:MISSING_ROWS_SHOWN]:
        evaluation = definition.evaluate(record.answers, confirmations=record.confirmations,
                                         context=build_eval_context(definition=definition, answers=record.answers))
        names = list(dict.fromkeys(definition.questions[ref.question_id].label for ref in evaluation.missing
                                   if ref.question_id in definition.questions))
        if names:
            shown = names[:MISSING_QUESTIONS_NAMED]
            more = len(names) - len(shown)
            rows.append({"row_number": record.upload_row, "public_id": str(record.public_id), "questions": shown,
                         "more": more})
    return {"rows": rows, "total": records.count()}


@collection_member_required  # type: ignore[arg-type]  # the decorator passes a streaming response through as it is
def upload_report_csv(request: HttpRequest, upload_id: int) -> StreamingHttpResponse:
    upload = _upload_with_results(request, upload_id)
    services.sync_rows_changed_on_the_web(upload)
    lines = reports.report_csv(upload, _definition(upload))
    # The byte order mark makes Excel read the file as UTF-8.
    response = StreamingHttpResponse(("\ufeff" if n == 0 else "") + line for n, line in enumerate(lines))
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-problems.csv"'
    return response


@require_POST
@collection_member_required
def upload_confirm_soft(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Confirm one soft problem ("are you sure?") for every row of the upload that has it."""
    upload = _upload(request, upload_id)
    if upload.status != UploadStatus.READY:
        raise Http404("Nothing to confirm")
    rule = request.POST.get("rule", "")
    if rule not in {group.rule for group in reports.soft_groups(upload)}:
        messages.info(request, "There is nothing left to confirm for that check.")
        return redirect("uploads:detail", upload_id=upload.pk)
    # Every affected record is evaluated and saved again: a worker does it, the page follows its progress.
    user_id = request.user.pk
    assert user_id is not None  # signed in (collection_member_required)
    if services.start_confirming_soft_problem(upload, rule_id=rule, user_id=user_id):
        confirm_soft_problem_task.delay(_schema(), upload.pk, rule, user_id)
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
