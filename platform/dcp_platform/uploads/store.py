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

from dcp_platform.records.copying import CHANGE_COLUMNS, RECORD_COLUMNS, copy_rows, json_text, take_ids
from dcp_platform.records.models import Record, RecordChange

from .models import UploadRow


@dataclass(slots=True)
class NewRecord:
    """A hidden record to store for one row (only what differs from row to row)."""

    row_number: int
    status: str
    answers_json: str  # the answers and derived values as stored, already encoded (copying.json_text)
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


# The columns a row result is stored with: every column but the id (a test checks it).
ROW_COLUMNS = ("upload_id", "row_number", "record_id", "status", "problems", "duplicate_of")


def store_chunk(
    *, upload_id: int, form: str, year: int, user_id: int, records: list[NewRecord], results: list[RowResult],
    now: datetime,
) -> None:
    """Insert the chunk's records (with one history row each) and its row results; call inside a transaction."""
    ids = take_ids(Record, len(records))  # from the table's sequence: other channels never get the same
    record_of_row = {record.row_number: record_id for record, record_id in zip(records, ids, strict=True)}
    empty = "{}"
    if records:
        copy_rows(Record, RECORD_COLUMNS, (
            (record_id, uuid.uuid4(), form, year, record.status, record.answers_json, record.derived_json, empty,
             record.owning_organisation_id, record.managing_organisation_id, record.reference, record.search_text,
             record.record_date, False, "upload", upload_id, record.row_number, 1, user_id, user_id, now, now)
            for record, record_id in zip(records, ids, strict=True)
        ))
        copy_rows(RecordChange, CHANGE_COLUMNS, ((record_id, now, user_id, "upload", None, empty) for record_id in ids))
    if results:
        for result in results:
            result.record_id = record_of_row.get(result.row_number)
        copy_rows(UploadRow, ROW_COLUMNS, (
            (upload_id, result.row_number, result.record_id, result.status,
             json_text(result.problems) if result.problems else "[]", result.duplicate_of)
            for result in results
        ))
