"""Storing one chunk of processed rows with PostgreSQL COPY: hidden records, their history and the row results.

`bulk_create` spent most of its time building one huge INSERT (Django compiling a placeholder per value, then
psycopg quoting every JSON document into the query text client-side). COPY streams the rows instead. Record
ids are taken from the table's sequence first, so the row results and history rows can point at their records
without reading them back. The caller runs this inside the chunk's transaction: records, history and row
results of a chunk are committed together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from dcp_platform.records.copying import copy_statement, take_ids
from dcp_platform.records.models import Record, RecordChange

from .evaluating import dumps
from .models import UploadRow


@dataclass(slots=True)
class NewRecord:
    """A hidden record to store for one row (only what differs from row to row)."""

    row_number: int
    status: str
    answers_json: str  # the answers and derived values as stored, already encoded (evaluating.dumps)
    derived_json: str
    owning_organisation_id: int | None
    managing_organisation_id: int | None
    reference: str
    search_text: str
    record_date: date | None


@dataclass(slots=True)
class RowResult:
    """The result of one row (an UploadRow): its status, problems, duplicate note and record."""

    row_number: int
    status: str
    problems: list[dict[str, Any]]
    duplicate_of: str = ""
    record_id: int | None = None


_RECORD_COLUMNS = (
    "id", "public_id", "form", "year", "status", "answers", "derived", "confirmations", "owning_organisation_id",
    "managing_organisation_id", "reference", "search_text", "record_date", "visible", "source_channel",
    "upload_id", "upload_row", "version", "created_by_id", "updated_by_id", "created_at", "updated_at",
)
_CHANGE_COLUMNS = ("record_id", "at", "user_id", "channel", "api_key_id", "changed")
_ROW_COLUMNS = ("upload_id", "row_number", "record_id", "status", "problems", "duplicate_of")


def store_chunk(
    *, upload_id: int, form: str, year: int, user_id: int, records: list[NewRecord], results: list[RowResult],
    now: datetime,
) -> None:
    """Insert the chunk's records (with one history row each) and its row results; call inside a transaction."""
    ids = take_ids(Record, len(records))  # from the table's sequence: other channels never get the same
    record_of_row = {record.row_number: record_id for record, record_id in zip(records, ids, strict=True)}
    empty = "{}"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor (Django's wrapper has no COPY)
        if records:
            with raw.copy(copy_statement(Record, _RECORD_COLUMNS)) as copy:
                for record, record_id in zip(records, ids, strict=True):
                    copy.write_row((
                        record_id, uuid.uuid4(), form, year, record.status, record.answers_json,
                        record.derived_json, empty, record.owning_organisation_id,
                        record.managing_organisation_id, record.reference, record.search_text, record.record_date,
                        False, "upload", upload_id, record.row_number, 1, user_id, user_id, now, now,
                    ))
            with raw.copy(copy_statement(RecordChange, _CHANGE_COLUMNS)) as copy:
                for record_id in ids:
                    copy.write_row((record_id, now, user_id, "upload", None, empty))
        if results:
            with raw.copy(copy_statement(UploadRow, _ROW_COLUMNS)) as copy:
                for result in results:
                    result.record_id = record_of_row.get(result.row_number)
                    copy.write_row((upload_id, result.row_number, result.record_id, result.status,
                                    dumps(result.problems) if result.problems else "[]", result.duplicate_of))
