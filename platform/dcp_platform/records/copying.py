"""Inserting new model rows without the ORM's statement building: PostgreSQL COPY for many rows, and the
pieces hand-written INSERTs share (which fields, their values as `save()` prepares them, marking objects saved).

A 1,000-record `bulk_create` spends most of its time building the statement: Django compiles a placeholder per
value and psycopg splits the statement text again to bind them (about 0.3 s for 1,000 CORE records). COPY
streams the rows, written by the caller as the database takes them (API batches and upload chunks; each has a
test that it stores what `save()` stores). Primary keys come from the table's own sequence first, so rows can
point at each other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection, connections, models

# JSON for JSON columns written by hand (COPY, hand-written INSERTs), in the API's format (compact, characters as
# they are: what DRF writes by default, so API responses can reuse the text): jsonb stores the same value however
# the text is spaced. Out-of-range floats are refused here, as PostgreSQL refuses them. Values are plain JSON
# values, never circular.
json_text = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False).encode

# What orjson would write differently from json_text is refused (and so goes to json_text): subclasses of the
# basic types, dates and dataclasses. It refuses integers beyond 64 bits and keys that are not text itself.
_ORJSON_STRICT = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


_SCALARS = frozenset({str, int, bool, type(None)})
_PLAIN = _SCALARS | {list, dict}


def _plain(values: Iterable[Any]) -> bool:
    """Whether the values, and the values inside them, are all of the basic JSON types but floats (exactly those
    types: not subclasses). The type sets are made in C: a tenth of encoding the values."""
    values = values if isinstance(values, list | tuple) else list(values)
    kinds = set(map(type, values))
    if kinds <= _SCALARS:
        return True
    if not kinds <= _PLAIN:
        return False
    for value in values:
        kind = type(value)
        if (kind is list and not _plain(value)) or (kind is dict and not _plain(value.values())):
            return False
    return True


def record_json_text(value: dict[str, Any]) -> str:
    """json_text(value), a third of the time for a record's answers or derived values: written with orjson when
    that writes the same text, that is when every value inside is of a basic JSON type but a float (orjson spells
    some floats differently). The text goes into API responses as well as the database, so it must be the same."""
    if _plain(value.values()):
        try:
            return orjson.dumps(value, option=_ORJSON_STRICT).decode()
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a key that is not text
            pass
    return json_text(value)


def plain_json_value(value: Any) -> str:
    """Dates and decimals as `Evaluation.derived_json` gives them: a `default` for stored_json (encoders ask it
    only for the types they do not write themselves)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def stored_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """JSON for a jsonb column that is only ever stored, never sent as text: written with orjson (a fifth of
    json_text's time), the same text as json_text with the same `default` but for how some floats are spelt,
    which jsonb stores as the same numbers. What orjson cannot write (an integer beyond 64 bits, a key that is
    not text) goes to the standard library's encoder, which refuses what json_text refuses.

    The one difference: a float that is not finite, which JSON has no form for, is written as null where
    json_text refuses it. The engine never gives one (its arithmetic is decimal); API writes encode the same
    values with json_text first, so there it has stopped the write already.
    """
    try:
        return orjson.dumps(value, default=default, option=_ORJSON_STRICT).decode()
    except orjson.JSONEncodeError:
        if default is None:
            return json_text(value)
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False,
                          default=default)


def insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields an INSERT of a new row names: stored ones, the primary key left to the table's sequence."""
    return [field for field in model._meta.concrete_fields if not field.generated and not field.primary_key]


def prepared_values(obj: models.Model, fields: Sequence[models.Field[Any, Any]]) -> list[Any]:
    """The object's values for these fields as `save()` prepares them for a new row (`pre_save` fills the
    `auto_now` dates, `get_db_prep_save` adapts JSON and the rest)."""
    db = connections[connection.alias]  # the connection itself: each use of the proxy looks it up again
    return [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]


def mark_saved(obj: models.Model) -> None:
    """An object whose row was inserted by hand counts as saved, as after `save()`."""
    obj._state.adding = False
    obj._state.db = connection.alias


def take_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (other writers never get the same ones)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],  # type: ignore[union-attr]
        )
        return [row[0] for row in cursor.fetchall()]


def copy_statement(model: type[models.Model], columns: Sequence[str]) -> str:
    """`COPY <model's table> (<columns>) FROM STDIN`, names quoted."""
    quote = connection.ops.quote_name
    return f"COPY {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows (values in `columns` order, as the database takes them) into the model's table.

    Call inside the caller's transaction.
    """
    with connection.cursor() as cursor, cursor.cursor.copy(copy_statement(model, columns)) as copy:
        for row in rows:
            copy.write_row(row)


# PostgreSQL's COPY text format, written by hand where rows are many and mostly alike (upload chunks): one text
# per table instead of a call into psycopg per row (whose per-value dumping was most of the writer's own CPU).
COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def copy_text(value: str) -> str:
    """A text value in COPY's text format: backslashes and the three characters that end values or rows escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


# Rows joined into one text per write: few calls into psycopg, and memory for a few hundred kilobytes, not for a
# whole chunk's text (several megabytes, twice: as text and as bytes).
COPY_LINES_PER_WRITE = 100


def copy_lines(model: type[models.Model], columns: Sequence[str], lines: Iterable[str]) -> None:
    """COPY rows already in COPY's text format (each `lines` item one row, ending in a newline, its values in
    `columns` order) into the model's table. Call inside the caller's transaction."""
    with connection.cursor() as cursor, cursor.cursor.copy(copy_statement(model, columns)) as copy:
        pending: list[str] = []
        for line in lines:
            pending.append(line)
            if len(pending) >= COPY_LINES_PER_WRITE:
                copy.write("".join(pending))
                pending.clear()
        if pending:
            copy.write("".join(pending))


def random_uuid_texts(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, from one read of the system's random source: uuid.uuid4() reads
    it once per UUID and builds an object, four times the CPU for a chunk's public ids."""
    data = bytearray(os.urandom(16 * count))
    texts = []
    for start in range(0, 16 * count, 16):
        data[start + 6] = data[start + 6] & 0x0F | 0x40  # version 4 (RFC 4122, section 4.4)
        data[start + 8] = data[start + 8] & 0x3F | 0x80  # the RFC 4122 variant
        digits = data[start:start + 16].hex()
        texts.append(f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}")
    return texts
