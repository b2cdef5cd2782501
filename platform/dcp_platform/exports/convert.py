"""Records to and from files, with no database: CORE's downloads, the bulk-upload template and JSON lines.

Reading a file gives each row's answers (the API's answer format: group answers as a list of item dicts), the
problems of cells that are not valid answers, and the platform columns the file holds (a download's record
number, organisations, times). Answers are checked and derived values worked out by the definition
(`Definition.evaluate`), as every channel does; derived values in a file are never read as answers, so a CORE
download read back gives its own answers and the values CORE derived from them.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from dcp_platform.definitions import Definition, EvalContext
from dcp_platform.uploads.decode import RowDecoder
from dcp_platform.uploads.table import data_rows, read_layout
from dcp_platform.uploads.template import match_template

from .columns import Column, Layout
from .writing import BOM, CODES, LABELS, RecordRow, csv_chunks

CORE_CODES = "core-csv-codes"
CORE_LABELS = "core-csv-labels"
TEMPLATE = "template"
JSON_LINES = "json"
FORMATS = (CORE_CODES, CORE_LABELS, TEMPLATE, JSON_LINES)
_TICKED = {"1", "yes", "true"}
_UNTICKED = {"0", "no", "false"}


@dataclass
class ReadRow:
    """One record read from a file (row numbers count from 1, header rows included)."""

    row_number: int
    answers: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)  # header -> why the cell is not a valid answer
    record: dict[str, str] = field(default_factory=dict)  # record.* -> the file's text


def _reverse_labels(layout: Layout, column: Column) -> dict[str, str]:
    """Label (lower case) -> code text, for reading a labels download."""
    table: dict[str, str] = {}
    question = column.question
    if question is not None:
        table.update({o.label.strip().lower(): str(o.code) for o in question.options})
        own = layout.labels.get(question.id) or {}
        table.update({label.strip().lower(): code for code, label in own.items()})
    own = layout.labels.get(column.variable) or {}
    table.update({label.strip().lower(): code for code, label in own.items()})
    return table


class CoreCsvReader:
    """Reads a download written with a layout (CORE's two header rows, or one), codes or labels."""

    def __init__(self, layout: Layout, values: str) -> None:
        self.layout = layout
        self.values = values
        self.definition = layout.definition
        self.by_header = {column.header.lower(): column for column in layout.columns}
        self.labels = {column.header: _reverse_labels(layout, column) for column in layout.columns}
        self.item_questions = {column.question.id for column in layout.columns
                               if column.question is not None and column.item is not None}

    def rows(self, lines: Iterable[str]) -> Iterator[ReadRow]:
        reader = csv.reader(lines)
        header: list[str] | None = None
        for number, cells in enumerate(reader, start=1):
            if number == 1 and cells:
                cells[0] = cells[0].removeprefix(BOM)
            if header is None:
                known = sum(1 for cell in cells if cell.strip().lower() in self.by_header)
                if known and known >= len([c for c in cells if c.strip()]) * 0.8:
                    header = [cell.strip().lower() for cell in cells]
                continue  # the descriptions row, then the headers
            if not any(cell.strip() for cell in cells):
                continue
            yield self.read(number, header, cells)

    def _put(self, row: ReadRow, column: Column, text: str, into: dict[str, Any]) -> None:
        assert column.question is not None
        value, error = self.definition.coerce(column.question, text)
        if error:
            row.problems[column.header] = error
        elif value is not None:
            into[column.question.id] = value

    def read(self, number: int, header: list[str], cells: list[str]) -> ReadRow:
        definition = self.definition
        row = ReadRow(number, {})
        raw: dict[str, dict[int, dict[str, tuple[Column, str]]]] = {}
        ticks: dict[tuple[str, int | None], list[Any] | None] = {}
        parts: dict[str, dict[str, str]] = {}
        for name, text in zip(header, cells, strict=False):
            column = self.by_header.get(name)
            text = text.strip()
            if column is None or not text:
                continue
            if text.startswith("'") and len(text) > 1 and text[1] in "=+-@\t\r":
                text = text[1:]  # a neutralised cell
            if column.kind == "record":
                row.record[column.source] = text
                continue
            question = column.question
            if question is None or column.kind in ("derived", "none"):
                continue
            if column.kind == "option":
                key = (question.id, column.item)
                chosen = ticks.setdefault(key, [])
                if text.lower() in _TICKED and chosen is not None:
                    chosen.append(column.option_code)
                elif text.lower() not in _UNTICKED:
                    row.problems[column.header] = f"Enter 1 or 0 for {column.header}"
                continue
            if column.kind == "part":
                parts.setdefault(question.id, {})[column.part or ""] = text
                continue
            if self.values == LABELS:
                text = self.labels[column.header].get(text.lower(), text)
            if column.item is None:
                self._put(row, column, text, row.answers)
            else:
                raw.setdefault(question.group or "", {}).setdefault(column.item, {})[question.id] = (column, text)
        for (question_id, item_number), chosen in ticks.items():
            question = definition.question(question_id)
            ordered = [o.code for o in question.options if o.code in (chosen or [])]
            if item_number is None:
                row.answers[question_id] = ordered or None
        for question_id, given in parts.items():
            question = definition.question(question_id)
            value, error = definition.coerce_date_parts(question, given.get("day"), given.get("month"),
                                                        given.get("year"))
            if error:
                row.problems[question_id] = error
            elif value is not None:
                row.answers[question_id] = value
        for group_id, numbered in raw.items():
            listed: list[dict[str, Any]] = []
            for number in range(1, max(numbered) + 1):
                cells_of = dict(numbered.get(number, {}))
                implied: dict[str, Any] = {}
                for rule in self.layout.not_known:
                    if rule.group != group_id or number < rule.from_item:
                        continue
                    given = {k: text for k, (_c, text) in cells_of.items()}
                    fixed = {q: (str(code), label) for q, (code, label) in rule.write.items()}
                    if all(k in self.item_questions for k, _ in rule.when):
                        matches = all(given.get(k) == str(v) for k, v in rule.when)
                    else:  # the file does not say it: the fixed values do
                        present = [q for q in fixed if q in self.item_questions]
                        matches = bool(present) and all(given.get(q) in fixed[q] for q in present)
                        if matches:
                            implied.update(rule.when)
                        elif rule.otherwise and any(q in given for q in fixed):
                            implied.update(rule.otherwise)
                    if matches:
                        for question_id in fixed:
                            cells_of.pop(question_id, None)  # the layout's fixed value, not an answer
                item: dict[str, Any] = dict(implied)
                for column, text in cells_of.values():
                    self._put(row, column, text, item)
                listed.append(item)
            row.answers[group_id] = listed
        row.answers = {k: v for k, v in row.answers.items() if v is not None}
        return row


def read_template(definition: Definition, handle: IO[bytes], codecs: Mapping[str, Any]) -> Iterator[ReadRow]:
    """Rows of the official bulk-upload template, decoded as bulk upload decodes them."""
    with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        copy.write(handle.read())
        copy.flush()
        path = Path(copy.name)
        layout = read_layout(path, "template.csv")
        columns = match_template(layout, definition).columns
        decoder = RowDecoder(definition, codecs)
        for number, cells in data_rows(path, layout, "template.csv"):
            by_field = {columns[i]: text for i, text in enumerate(cells) if i in columns and text.strip()}
            answers, errors = decoder.decode(by_field)
            yield ReadRow(number, answers, {str(k): "; ".join(str(m) for m in v) if isinstance(v, list) else str(v)
                                            for k, v in errors.items()})


def read_json_lines(lines: Iterable[str]) -> Iterator[ReadRow]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            loaded = json.loads(line)
            answers = loaded.get("answers", loaded) if isinstance(loaded, dict) else {}
            yield ReadRow(number, dict(answers))


def evaluate(definition: Definition, row: ReadRow, *, context: EvalContext | None = None) -> RecordRow:
    """The row's answers checked by the definition, with its derived values."""
    evaluation = definition.evaluate(row.answers, context=context or EvalContext())
    return RecordRow(answers=evaluation.answers, derived=evaluation.derived_json(), record=dict(row.record))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, int | str | float | bool) or value is None:
        return value
    return str(value)


def json_lines(definition: Definition, rows: Iterable[RecordRow]) -> Iterator[str]:
    for row in rows:
        yield json.dumps({"form": definition.form, "year": definition.year, "answers": _plain(row.answers),
                          "derived": _plain(row.derived)}, ensure_ascii=False, sort_keys=True) + "\n"


def convert(
    *, definition: Definition, layout: Layout, source: str, target: str, handle: IO[bytes],
    codecs: Mapping[str, Any] | None = None, problems: list[str] | None = None,
) -> Iterator[str]:
    """The file in `handle` (format `source`) written as `target`, as text chunks. Cells that are not valid
    answers are left out of the record and told in `problems` ("row N, column: why")."""
    if source not in FORMATS or target not in FORMATS:
        raise ValueError(f"formats are {', '.join(FORMATS)}")
    if source == TEMPLATE:
        read: Iterator[ReadRow] = read_template(definition, handle, codecs or {})
    else:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        read = read_json_lines(text) if source == JSON_LINES else \
            CoreCsvReader(layout, LABELS if source == CORE_LABELS else CODES).rows(text)

    def evaluated() -> Iterator[RecordRow]:
        for row in read:
            if problems is not None:
                problems.extend(f"row {row.row_number}, {name}: {why}" for name, why in row.problems.items())
            yield evaluate(definition, row)

    if target == JSON_LINES:
        return json_lines(definition, evaluated())
    if target == TEMPLATE:
        raise ValueError("writing the bulk-upload template is not supported yet: convert to json or core-csv")
    return csv_chunks(layout, LABELS if target == CORE_LABELS else CODES, evaluated(), bom=True)
