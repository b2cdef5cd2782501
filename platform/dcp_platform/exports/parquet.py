"""Parquet per collection year for analysts: typed columns, from the same layout as the CSV download.

Dates are dates, whole numbers and answer codes are integers, money and decimals are decimals, times are
timestamps; an answer with options also gets a `<column>_label` column holding its label. Rows are written in
row groups of READ_BATCH records, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from .columns import Column, Layout
from .writing import CODES, LABELS, RecordRow, RowWriter

ROW_GROUP = 2000
_INTEGER_TYPES = ("integer",)
_OPTION_TYPES = ("radios", "select", "yesno")


def _kind(column: Column) -> str:
    question = column.question
    if column.kind in ("option", "part"):
        return "int"
    if column.kind == "record":
        if column.source in ("record.created_at", "record.updated_at"):
            return "timestamp"
        if column.source in ("record.id", "record.year", "record.upload_id", "record.created_by_id",
                             "record.updated_by_id"):
            return "int"
        return "date" if column.source == "record.record_date" else "text"
    if column.kind != "answer" or question is None:
        return "text"
    if question.type == "date":
        return "date"
    if question.type in ("decimal", "money"):
        return "decimal"
    if question.type in _INTEGER_TYPES:
        return "int"
    if question.type in _OPTION_TYPES and question.options and all(
            isinstance(o.code, int) and not isinstance(o.code, bool) for o in question.options):
        return "code"
    return "text"


_ARROW = {"int": pa.int64(), "code": pa.int64(), "date": pa.date32(), "decimal": pa.decimal128(14, 2),
          "timestamp": pa.timestamp("s", tz="UTC"), "text": pa.string()}


def _typed(kind: str, text: str) -> Any:
    if text == "":
        return None
    try:
        if kind in ("int", "code"):
            return int(text)
        if kind == "date":
            return date.fromisoformat(text[:10])
        if kind == "decimal":
            return Decimal(text).quantize(Decimal("0.01"))
        if kind == "timestamp":
            return datetime.fromisoformat(text)
    except (ValueError, InvalidOperation):
        return None
    return text


def parquet_schema(layout: Layout) -> tuple[pa.Schema, list[tuple[int, str, bool]]]:
    fields, plan = [], []
    for index, column in enumerate(layout.columns):
        kind = _kind(column)
        fields.append(pa.field(column.header, _ARROW[kind]))
        plan.append((index, kind, kind == "code"))
        if kind == "code":
            fields.append(pa.field(f"{column.header}_label", pa.string()))
    return pa.schema(fields), plan


def write_parquet(layout: Layout, rows: Iterable[RecordRow], handle: IO[bytes]) -> int:
    """Writes the rows as Parquet to `handle`; returns how many."""
    schema, plan = parquet_schema(layout)
    codes, labels = RowWriter(layout, CODES), RowWriter(layout, LABELS)
    written = 0
    with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        batch: list[list[Any]] = [[] for _ in schema]

        def flush() -> None:
            writer.write_table(pa.Table.from_arrays(
                [pa.array(values, type=field.type) for values, field in zip(batch, schema, strict=True)],
                schema=schema))
            for values in batch:
                values.clear()

        pending = 0
        for row in rows:
            code_cells, label_cells = codes.cells(row), labels.cells(row)
            position = 0
            for index, kind, with_label in plan:
                batch[position].append(_typed(kind, code_cells[index]))
                position += 1
                if with_label:
                    batch[position].append(label_cells[index] or None)
                    position += 1
            pending += 1
            written += 1
            if pending >= ROW_GROUP:
                flush()
                pending = 0
        if pending or not written:
            flush()
    return written
