"""Downloads: the CSV of the records a user may see, streamed, and every download in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import User
from dcp_platform.exports.selectors import exportable_records, layout_for, layouts_for, record_rows
from dcp_platform.exports.writing import VALUE_KINDS, RecordRow, csv_chunks
from dcp_platform.records.selectors import RecordFilters

EXPORTED = "records_exported"  # the audit action of a download


class ExportRefused(Exception):
    """The user may not have this download (a column set or value kind they may not choose)."""


@dataclass(frozen=True)
class ExportRequest:
    collection_slug: str
    form: str
    year: int
    columns: str  # a layout name: department, provider or default
    values: str  # codes or labels
    filters: RecordFilters

    def file_name(self) -> str:
        stamp = timezone.localtime().strftime("%Y-%m-%dT%H-%M-%S")
        return f"{self.collection_slug}-{self.form}-{self.year}-{self.year + 1}-{self.columns}-{self.values}-{stamp}.csv"

    def audit_details(self) -> dict[str, object]:
        return {"collection": self.collection_slug, "form": self.form, "year": self.year, "columns": self.columns,
                "values": self.values, "filters": self.filters.as_query()}


def check_export(*, user: User, request: ExportRequest) -> None:
    if request.values not in VALUE_KINDS:
        raise ExportRefused("Choose codes or labels")
    allowed = layouts_for(user=user, collection_slug=request.collection_slug, form=request.form, year=request.year)
    if request.columns not in allowed:
        raise ExportRefused("You cannot download these columns")


def export_count(*, user: User, request: ExportRequest) -> int:
    return exportable_records(user=user, form=request.form, year=request.year, filters=request.filters).count()


def stream_export(*, user: User, request: ExportRequest, http_request: HttpRequest | None = None) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks. When it ends (or the person stops it) the download is audited with the
    number of rows written."""
    check_export(user=user, request=request)
    layout = layout_for(collection_slug=request.collection_slug, form=request.form, year=request.year,
                        name=request.columns)
    records = exportable_records(user=user, form=request.form, year=request.year, filters=request.filters)
    counted = _Counter(record_rows(records))
    complete = False
    try:
        for chunk in csv_chunks(layout, request.values, counted):
            yield chunk.encode("utf-8")
        complete = True
    finally:
        audit_record(action=EXPORTED, actor=user, request=http_request,
                     details={**request.audit_details(), "rows": counted.count, "complete": complete})


class _Counter:
    def __init__(self, rows: Iterator[RecordRow]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[RecordRow]:
        for row in self.rows:
            self.count += 1
            yield row
