"""The download page and the download itself (a streamed CSV of the records the user may see)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dcp_platform.access import collection_member_required
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.accounts.selectors import related_organisations_for
from dcp_platform.exports.background import background_threshold, file_token, job_for_token, start_export_job
from dcp_platform.exports.columns import DEFAULT, DEPARTMENT, PROVIDER, build_layout, layout_names
from dcp_platform.exports.dictionary import dictionary_csv, dictionary_entries, dictionary_json
from dcp_platform.exports.models import ExportJob, ExportStatus
from dcp_platform.exports.selectors import layouts_for
from dcp_platform.exports.services import (
    ExportRefused,
    ExportRequest,
    check_export,
    export_count,
    stream_export,
)
from dcp_platform.exports.tasks import run_export_job_task
from dcp_platform.exports.writing import CODES, LABELS
from dcp_platform.paper.selectors import why_we_ask_texts
from dcp_platform.records.models import RecordStatus
from dcp_platform.records.selectors import RecordFilters
from dcp_platform.registry import definition_for, definitions_for, get_plugin

COLUMN_TITLES = {
    DEPARTMENT: ("The department's download", "Every column, including the derived values only the department uses."),
    PROVIDER: ("The provider's download", "The columns data providers get, to reuse the data they sent."),
    DEFAULT: ("Every question and derived value", "One column for each question, then each derived value."),
}
VALUE_TITLES = {
    LABELS: ("Answers in words", "For example “Weekly for 52 weeks”."),
    CODES: ("Answer codes", "For example “1”, as the data specification codes each answer."),
}


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _choices(user: User) -> list[dict[str, Any]]:
    """Each form and year with its column sets the user may download, newest year first."""
    slug = _slug()
    choices = []
    for (form, year), definition in sorted(definitions_for(slug).items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        choices.append({"value": f"{form}-{year}", "form": form, "year": year,
                        "title": f"{definition.title}s, {year} to {year + 1}",
                        "layouts": layouts_for(user=user, collection_slug=slug, form=form, year=year)})
    return choices


def _filters_summary(filters: RecordFilters) -> list[tuple[str, str]]:
    summary = []
    if filters.status in RecordStatus.values:
        summary.append(("Status", RecordStatus(filters.status).label))
    if filters.organisation:
        organisation = Organisation.objects.filter(code=filters.organisation).first()
        summary.append(("Organisation", organisation.name if organisation else filters.organisation))
    if filters.query:
        summary.append(("Search", filters.query))
    if filters.assigned:
        person = User.objects.filter(pk=int(filters.assigned)).first() if filters.assigned.isdigit() else None
        summary.append(("Assigned to", {"me": "Me", "none": "Nobody"}.get(
            filters.assigned, (person.name or person.email) if person else filters.assigned)))
    if filters.relation in ("owned", "managed"):
        summary.append(("Owned or managed", f"{filters.relation.capitalize()} by my organisation"))
    if filters.upload:
        summary.append(("Bulk upload", filters.upload))
    for question_id, code in filters.answers:
        summary.append((question_id, code))
    return summary


@collection_member_required
def download_page(request: HttpRequest) -> HttpResponse:
    """GET without `download`: the page. GET with it: the file, or the page with what to correct."""
    user: User = request.user  # type: ignore[assignment]
    choices = _choices(user)
    filters = RecordFilters.from_query(request.GET)
    # The form and year are chosen on this page; the list's other filters carry over.
    kept = dataclasses.replace(filters, year="", form="")
    chosen = request.GET.get("what", "")
    if not chosen and filters.form and filters.year:
        chosen = f"{filters.form}-{filters.year}"
    if not chosen and choices:
        chosen = choices[0]["value"]
    values = request.GET.get("values", LABELS)
    columns = request.GET.get("columns", "")
    errors: dict[str, str] = {}
    if "download" in request.GET:
        choice = next((c for c in choices if c["value"] == chosen), None)
        if choice is None:
            errors["what"] = "Choose which records to download"
        if values not in VALUE_TITLES:
            errors["values"] = "Choose answer codes or answers in words"
        if choice is not None:
            if not columns and len(choice["layouts"]) == 1:
                columns = choice["layouts"][0]
            if columns not in choice["layouts"]:
                errors["columns"] = "Choose which columns to download"
        if not errors and choice is not None:
            export = ExportRequest(
                collection_slug=_slug(), form=choice["form"], year=choice["year"], columns=columns, values=values,
                filters=kept,
            )
            try:
                check_export(user=user, request=export)
            except ExportRefused as refused:
                errors["columns"] = str(refused)
            else:
                if export_count(user=user, request=export) > background_threshold():
                    job = start_export_job(user=user, request=export)
                    run_export_job_task.delay(_slug(), job.pk, request.build_absolute_uri("/").rstrip("/"))
                    return redirect("exports:job", job.pk)
                response = StreamingHttpResponse(stream_export(user=user, request=export, http_request=request),
                                                 content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{export.file_name()}"'
                response["Cache-Control"] = "no-store"
                return response  # type: ignore[return-value]  # a streamed response serves as one
    layouts = sorted({name for c in choices for name in c["layouts"]}, key=list(COLUMN_TITLES).index)
    counts = []
    for choice in choices:
        export = ExportRequest(collection_slug=_slug(), form=choice["form"], year=choice["year"], columns="",
                               values=values, filters=kept)
        counts.append(export_count(user=user, request=export))
    return render(request, "exports/download.html", {
        "choices": [{**c, "count": n} for c, n in zip(choices, counts, strict=True)], "chosen": chosen,
        "values": values, "columns": columns or (layouts[0] if layouts else ""),
        "value_titles": list(VALUE_TITLES.items()),
        "column_titles": [(name, COLUMN_TITLES[name]) for name in layouts],
        "filters": kept, "filters_summary": _filters_summary(kept), "errors": errors,
        "organisations": related_organisations_for(user=user),
    }, status=400 if errors else 200)


def _dictionary_layout(form: str, year: int, columns: str) -> Any:
    slug = _slug()
    plugin = get_plugin(slug)
    try:
        definition = definition_for(slug, form, year)
    except LookupError:
        raise Http404("No such form and year") from None
    names = layout_names(definition, plugin.export_columns)
    return build_layout(definition, plugin.export_columns, columns if columns in names else names[0]), names


def data_dictionary(request: HttpRequest, form: str, year: int) -> HttpResponse:
    """Public: every variable of a collection year's download, as a page, CSV or JSON (`?format=`)."""
    layout, names = _dictionary_layout(form, year, request.GET.get("columns", ""))
    texts = why_we_ask_texts(definition=layout.definition)
    kind = request.GET.get("format", "")
    stem = f"{_slug()}-{form}-{year}-{year + 1}-{layout.name}-data-dictionary"
    if kind == "json":
        response = HttpResponse(dictionary_json(layout, texts), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    if kind == "csv":
        response = HttpResponse(dictionary_csv(layout, texts), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    return render(request, "exports/dictionary.html", {
        "definition": layout.definition, "layout": layout, "entries": dictionary_entries(layout, texts),
        "layouts": [(name, COLUMN_TITLES[name][0]) for name in names], "form": form, "year": year,
    })


def data_dictionary_index(request: HttpRequest) -> HttpResponse:
    """Public: the data dictionary of each form and year of this collection."""
    years = [{"form": form, "year": year, "title": definition.title}
             for (form, year), definition in sorted(definitions_for(_slug()).items(), key=lambda kv: (-kv[0][1], kv[0][0]))]
    return render(request, "exports/dictionary_index.html", {"years": years})


@collection_member_required
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background download's progress (the page refreshes itself), then its link."""
    job = get_object_or_404(ExportJob, pk=job_id, user_id=request.user.pk)
    ready = job.status == ExportStatus.READY
    return render(request, "exports/job.html", {
        "job": job, "ready": ready, "failed": job.status == ExportStatus.FAILED,
        "link": reverse("exports:file", args=[file_token(job)]) if ready else "",
    })


@collection_member_required
def export_file(request: HttpRequest, token: str) -> HttpResponse:
    """The file of a ready background download: only its owner, only while the link has not expired."""
    job = job_for_token(token)
    if job is None or job.user_id != request.user.pk:
        return render(request, "exports/link_expired.html", status=410)
    response = FileResponse(default_storage.open(job.stored_as, "rb"), as_attachment=True, filename=job.file_name,
                            content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a file response serves as one
