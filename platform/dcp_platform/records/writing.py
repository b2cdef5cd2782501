"""How new records are written, for every channel (web form, single API create, API batch, bulk upload).

This module owns:

- the columns: RECORD_COLUMNS and CHANGE_COLUMNS are read from the models, so no list of them is spelt out by
  hand anywhere; `record_row` and `history_row` put a new row's values in that order, by name;
- the values every channel derives the same way (`record_date_of`, `reference_of`, `search_text_of`) and a new
  record's first history row (`first_history_json`, `changed_answers`);
- the two ways rows reach the database: `insert_one` (a record and its first history row in one statement, for
  single creates) and `insert_many` (COPY, for API batches and upload chunks).

Values are given as the database takes them: JSON already encoded (records.copying), ids, dates. Updates of
existing records go through the ORM (`record.save()`, records.services.record_update).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import connection

from dcp_platform.definitions import Definition
from dcp_platform.records.copying import COPY_NULL, copy_lines, copy_text, stored_json
from dcp_platform.records.models import Record, RecordChange

# Every column of a record, in the model's field order; every column of a history row but its id.
RECORD_COLUMNS: tuple[str, ...] = tuple(str(field.column) for field in Record._meta.concrete_fields)
CHANGE_COLUMNS: tuple[str, ...] = tuple(
    str(field.column) for field in RecordChange._meta.concrete_fields if not field.primary_key
)
_RECORD_POSITIONS = {column: index for index, column in enumerate(RECORD_COLUMNS)}
_CHANGE_POSITIONS = {column: index for index, column in enumerate(CHANGE_COLUMNS)}


def _in_order(positions: dict[str, int], values: dict[str, Any], what: str) -> tuple[Any, ...]:
    if len(values) != len(positions) or positions.keys() != values.keys():
        missing, unknown = sorted(positions.keys() - values.keys()), sorted(values.keys() - positions.keys())
        raise TypeError(f"{what} needs exactly its table's columns (missing {missing}, unknown {unknown})")
    row: list[Any] = [None] * len(positions)
    for column, value in values.items():
        row[positions[column]] = value
    return tuple(row)


def record_row(**values: Any) -> tuple[Any, ...]:
    """A new record's values (every column, by its name) in RECORD_COLUMNS order."""
    return _in_order(_RECORD_POSITIONS, values, "A record row")


def history_row(**values: Any) -> tuple[Any, ...]:
    """A history row's values (every column but the id, by name) in CHANGE_COLUMNS order."""
    return _in_order(_CHANGE_POSITIONS, values, "A history row")


def record_values(record: Record, *, answers: str, derived: str, confirmations: str) -> tuple[Any, ...]:
    """A new Record object's values in RECORD_COLUMNS order, its JSON columns given encoded."""
    encoded = {"answers": answers, "derived": derived, "confirmations": confirmations}
    return tuple(encoded[field.attname] if field.attname in encoded else getattr(record, field.attname)
                 for field in Record._meta.concrete_fields)


# ---------------------------------------------------------------------------------------------- derived columns


def record_date_of(definition: Definition, answers: dict[str, Any]) -> date | None:
    """The record's date (collection windows, lists): the definition's date question, when it is a date."""
    value = answers.get(definition.date_question) if definition.date_question else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def reference_of(definition: Definition, answers: dict[str, Any]) -> str:
    """What lists show for the record: the answers of the definition's `record_reference` questions."""
    return " / ".join(str(answers[q]) for q in definition.record_reference if answers.get(q) not in (None, ""))[:300]


def search_text_of(definition: Definition, answers: dict[str, Any]) -> str:
    """What the records list searches: the answers of the definition's `search_fields`, in lower case."""
    return " ".join(str(answers[q]).lower() for q in definition.search_fields if answers.get(q) not in (None, ""))


# ---------------------------------------------------------------------------------------------- history


def changed_answers(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """A history row's `changed`: {question: [old answer, new answer]} for every answer that differs."""
    if not old:  # a new record (the same result, without comparing every answer with a missing one)
        return {key: [None, new[key]] for key in sorted(new) if new[key] is not None}
    return {key: [old.get(key), new.get(key)] for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def first_history_json(answers: dict[str, Any]) -> str:
    """A new record's first history row's `changed`, changed_answers({}, answers), encoded as stored_json."""
    return stored_json(changed_answers({}, answers))


# ---------------------------------------------------------------------------------------------- one row


@functools.cache
def insert_one_sql() -> str:
    """One INSERT of a new record and its first history row (a data-modifying WITH): the columns of
    RECORD_COLUMNS but the id, then those of CHANGE_COLUMNS but the record's id, as bound parameters."""
    quote = connection.ops.quote_name
    record_columns = RECORD_COLUMNS[1:]
    change_columns = [column for column in CHANGE_COLUMNS if column != "record_id"]

    def names(columns: Sequence[str]) -> str:
        return ", ".join(quote(column) for column in columns)

    def placeholders(columns: Sequence[str]) -> str:
        return ", ".join("%s" for _ in columns)

    # Names come from the models' metadata only; every value is a parameter.
    return (
        f"WITH new_record AS (INSERT INTO {quote(Record._meta.db_table)} ({names(record_columns)}) "  # noqa: S608
        f"VALUES ({placeholders(record_columns)}) RETURNING {quote('id')}) "
        f"INSERT INTO {quote(RecordChange._meta.db_table)} ({quote('record_id')}, {names(change_columns)}) "
        f"VALUES ((SELECT {quote('id')} FROM new_record), {placeholders(change_columns)}) "
        f"RETURNING {quote('record_id')}, {quote('id')}"
    )


def insert_one(record: Sequence[Any], history: Sequence[Any]) -> tuple[int, int]:
    """Store a new record (record_row, its id None) and its first history row (history_row, its record_id None)
    in one statement, atomic by itself: one round trip. Returns the record's id and the history row's."""
    change_values = [value for column, value in zip(CHANGE_COLUMNS, history, strict=True) if column != "record_id"]
    with connection.cursor() as cursor:
        cursor.execute(insert_one_sql(), [*record[1:], *change_values])
        record_id, change_id = cursor.fetchone()
    return int(record_id), int(change_id)


# ---------------------------------------------------------------------------------------------- many rows


def _copy_value(value: Any) -> str:
    """A value in COPY's text format (as psycopg would write it for these columns)."""
    if value is None:
        return COPY_NULL
    kind = type(value)
    if kind is str:
        return copy_text(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{kind.__name__} is not a value new records are written with (JSON is given encoded)")


def copy_line(row: Iterable[Any]) -> str:
    """One row in COPY's text format: its values, tab-separated, ending in a newline."""
    return "\t".join(map(_copy_value, row)) + "\n"


def insert_many(records: Iterable[Sequence[Any]], histories: Iterable[Sequence[Any]]) -> None:
    """COPY new records (record_row, their ids taken before: copying.take_ids) and their history rows (history_row)
    into their tables. Call inside the caller's transaction."""
    copy_lines(Record, RECORD_COLUMNS, map(copy_line, records))
    copy_lines(RecordChange, CHANGE_COLUMNS, map(copy_line, histories))
