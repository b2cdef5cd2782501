"""Storing one chunk of processed rows with PostgreSQL COPY: hidden records, their history and the row results.

`bulk_create` spent most of its time building one huge INSERT (Django compiling a placeholder per value, then
psycopg quoting every JSON document into the query text client-side). COPY streams the rows instead, written
here in COPY's text format as one text per table: the values shared by the chunk's rows (form, year, user,
time, ...) are written once, and each row adds only its own (psycopg's per-row writing dumped every value of
every row: most of the writer thread's CPU). Record ids are taken from the table's sequence first, so the row
results and history rows can point at their records without reading them back. The caller runs this inside the
chunk's transaction: records, history and row results of a chunk are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dcp_platform.records.copying import (
    CHANGE_COLUMNS,
    COPY_NULL,
    RECORD_COLUMNS,
    copy_json_text,
    copy_lines,
    copy_text,
    json_text,
    random_uuid_texts,
    take_ids,
)
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
    duplicate_key: int | None = None


# The columns a row result is stored with: every column but the id (a test checks it).
ROW_COLUMNS = ("upload_id", "row_number", "record_id", "status", "problems", "duplicate_of", "duplicate_key")


def store_chunk(
    *, upload_id: int, form: str, year: int, user_id: int, records: list[NewRecord], results: list[RowResult],
    now: datetime,
) -> None:
    """Insert the chunk's records (with one history row each) and its row results; call inside a transaction."""
    ids = take_ids(Record, len(records))  # from the table's sequence: other channels never get the same
    record_of_row = {record.row_number: record_id for record, record_id in zip(records, ids, strict=True)}
    at = now.isoformat()
    if records:
        # Columns in RECORD_COLUMNS order: id, public_id, form, year, status, answers, derived, confirmations,
        # owning and managing organisations, reference, search_text, record_date, visible, source_channel,
        # upload_id, upload_row, version, created_by, updated_by, created_at, updated_at.
        shared = f"{copy_text(form)}\t{year}\t"
        tail = f"\tf\tupload\t{upload_id}\t"
        end = f"\t1\t{user_id}\t{user_id}\t{at}\t{at}\n"
        copy_lines(Record, RECORD_COLUMNS, (
            f"{record_id}\t{public_id}\t{shared}{copy_text(record.status)}\t{copy_json_text(record.answers_json)}\t"
            f"{copy_json_text(record.derived_json)}\t{{}}\t{_number(record.owning_organisation_id)}\t"
            f"{_number(record.managing_organisation_id)}\t{copy_text(record.reference)}\t"
            f"{copy_text(record.search_text)}\t"
            f"{record.record_date.isoformat() if record.record_date is not None else COPY_NULL}"
            f"{tail}{record.row_number}{end}"
            for record, record_id, public_id in zip(records, ids, random_uuid_texts(len(records)), strict=True)
        ))
        history = f"\t{at}\t{user_id}\tupload\t{COPY_NULL}\t{{}}\n"  # CHANGE_COLUMNS after record_id
        copy_lines(RecordChange, CHANGE_COLUMNS, (f"{record_id}{history}" for record_id in ids))
    if results:
        for result in results:
            result.record_id = record_of_row.get(result.row_number)
        copy_lines(UploadRow, ROW_COLUMNS, (
            f"{upload_id}\t{result.row_number}\t{_number(result.record_id)}\t{copy_text(result.status)}\t"
            f"{copy_json_text(json_text(result.problems)) if result.problems else '[]'}\t"
            f"{copy_text(result.duplicate_of)}\t{_number(result.duplicate_key)}\n"
            for result in results
        ))


def _number(value: int | None) -> str:
    return COPY_NULL if value is None else str(value)
