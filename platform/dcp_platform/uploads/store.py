"""Storing one chunk of processed rows with PostgreSQL COPY: hidden records, their history and the row results.

The records and their history rows are written by records.writing.insert_many, as the API's batches are; the
row results are COPYed here. Record ids are taken from the table's sequence first, so the row results and
history rows can point at their records without reading them back. The caller runs this inside the chunk's
transaction: records, history and row results of a chunk are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dcp_platform.records.copying import (
    copy_lines,
    json_text,
    random_uuid_texts,
    take_ids,
)
from dcp_platform.records.models import Record
from dcp_platform.records.writing import copy_line, history_row, insert_many, record_row

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
    assigned_to_id: int | None = None


@dataclass(slots=True)
class RowResult:
    """The result of one row (an UploadRow): its status, problems, duplicate note and record."""

    row_number: int
    status: str
    problems: list[dict[str, Any]]
    duplicate_of: str = ""
    record_id: int | None = None
    duplicate_key: int | None = None


# The columns a row result is stored with: every column but the id.
ROW_COLUMNS = tuple(str(field.column) for field in UploadRow._meta.concrete_fields if not field.primary_key)


def store_chunk(
    *, upload_id: int, form: str, year: int, user_id: int, records: list[NewRecord], results: list[RowResult],
    now: datetime,
) -> None:
    """Insert the chunk's records (with one history row each) and its row results; call inside a transaction."""
    ids = take_ids(Record, len(records))  # from the table's sequence: other channels never get the same
    record_of_row = {record.row_number: record_id for record, record_id in zip(records, ids, strict=True)}
    if records:
        insert_many(
            (record_row(
                id=record_id, public_id=public_id, form=form, year=year, status=record.status,
                answers=record.answers_json, derived=record.derived_json, confirmations="{}",
                owning_organisation_id=record.owning_organisation_id,
                managing_organisation_id=record.managing_organisation_id, reference=record.reference,
                search_text=record.search_text, record_date=record.record_date, visible=False, source_channel="upload",
                upload_id=upload_id, upload_row=record.row_number, version=1, created_by_id=user_id,
                updated_by_id=user_id, created_at=now, updated_at=now, assigned_to_id=record.assigned_to_id,
                deleted_at=None, deleted_by_id=None,
            ) for record, record_id, public_id in zip(records, ids, random_uuid_texts(len(records)), strict=True)),
            # An upload's first history row names the channel only: the file is the record of what was sent.
            (history_row(record_id=record_id, at=now, user_id=user_id, channel="upload", api_key_id=None, changed="{}")
             for record_id in ids),
        )
    if results:
        for result in results:
            result.record_id = record_of_row.get(result.row_number)
        copy_lines(UploadRow, ROW_COLUMNS, (copy_line(_row_result_values(upload_id, result)) for result in results))


def _row_result_values(upload_id: int, result: RowResult) -> list[Any]:
    values = {
        "upload_id": upload_id, "row_number": result.row_number, "record_id": result.record_id,
        "status": result.status, "problems": json_text(result.problems) if result.problems else "[]",
        "duplicate_of": result.duplicate_of, "duplicate_key": result.duplicate_key,
    }
    return [values[column] for column in ROW_COLUMNS]
