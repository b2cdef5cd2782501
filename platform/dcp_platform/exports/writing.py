"""Writing records as the cells of a layout (no database): codes or labels, dates and numbers as text.

The rules are those of the downloads analysts already read (docs/exports.md): empty for no answer; codes as
stored; labels from the definition's options (or the layout's fixed tables); dates as YYYY-MM-DD; date parts as
plain numbers; decimals as plain digits with at least one digit after the point (200.0, 87.5); times as ISO 8601
in London time to the second; true/false in codes and Yes/No in labels; checkbox options as 1/0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from .columns import Column, Layout

CODES = "codes"
LABELS = "labels"
VALUE_KINDS = (CODES, LABELS)
BOM = "\ufeff"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DECIMAL_TEXT = re.compile(r"^-?\d+\.\d+$")
_RISKY_FIRST = frozenset("=+-@\t\r")
CHANNEL_CODES = {"web": "web", "upload": "upload", "api": "api", "system": "system"}


@dataclass(slots=True)
class RecordRow:
    """What the exporter knows of one record: its platform columns, its answers and derived values."""

    answers: Mapping[str, Any]
    derived: Mapping[str, Any] = field(default_factory=dict)
    record: Mapping[str, Any] = field(default_factory=dict)  # "record.id" -> value, as RECORD_COLUMNS names


def neutralise(text: str) -> str:
    """A cell a spreadsheet would take as a formula starts with a quote instead (numbers are left alone)."""
    if text and text[0] in _RISKY_FIRST and not _NUMBER.match(text):
        return "'" + text
    return text


def decimal_text(value: Any) -> str:
    """200.00 -> 200.0, 87.50 -> 87.5, 1234.56 -> 1234.56: plain digits, at least one after the point."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(number.normalize(), "f")
    return text if "." in text else text + ".0"


def time_text(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    return str(value)


def plain_text(value: Any) -> str:
    """A value in the codes download."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(plain_text(v) for v in value)
    return str(value)


def _answer(row: RecordRow, column: Column) -> Any:
    question = column.question
    assert question is not None
    if column.item is None:
        return row.answers.get(question.id)
    items = row.answers.get(question.group or "")
    if not isinstance(items, list) or len(items) < column.item or not isinstance(items[column.item - 1], dict):
        return None
    return items[column.item - 1].get(question.id)


def _item(row: RecordRow, group: str, number: int) -> Mapping[str, Any]:
    items = row.answers.get(group)
    if isinstance(items, list) and len(items) >= number and isinstance(items[number - 1], dict):
        return items[number - 1]
    return {}


Cell = Callable[[RecordRow], str]


def _value_getter(column: Column) -> Callable[[RecordRow], Any]:
    kind = column.kind
    if kind == "record":
        name = column.source
        return lambda row: row.record.get(name)
    if kind == "derived":
        derived_id = column.derived_id
        return lambda row: row.derived.get(derived_id)  # type: ignore[arg-type]
    if kind == "option":
        code = column.option_code

        def option(row: RecordRow) -> Any:
            chosen = _answer(row, column)
            if chosen is None:
                return None
            return 1 if isinstance(chosen, list) and code in chosen else 0
        return option
    if kind == "part":
        index = ("year", "month", "day").index(column.part or "")

        def part(row: RecordRow) -> Any:
            value = _answer(row, column)
            if value is None:
                return None
            pieces = str(value)[:10].split("-")
            return int(pieces[index]) if len(pieces) == 3 and pieces[index].isdigit() else None
        return part
    if kind == "answer":
        return lambda row: _answer(row, column)
    return lambda row: None


def _text_function(layout: Layout, column: Column, values: str) -> Callable[[Any], str]:
    """The function that writes one value of this column as its cell's text."""
    question = column.question
    qtype = question.type if question is not None and column.kind == "answer" else None
    variable = column.variable
    if column.kind == "record" and column.source in ("record.created_at", "record.updated_at"):
        return lambda value: "" if value is None else time_text(value)
    position = 1 if values == LABELS else 0
    recode = layout.recode.get(variable)
    own_labels = layout.labels.get(variable) or (
        layout.labels.get(question.id) if question is not None else None)
    options = {str(o.code): o.label for o in question.options} if question is not None and column.kind == "answer" \
        and qtype in ("radios", "select", "yesno", "organisation") else {}
    is_decimal = qtype in ("decimal", "money")

    def text(value: Any) -> str:
        if value is None:
            return ""
        if recode is not None and str(value) in recode:
            return str(recode[str(value)][position])
        if values == LABELS:
            key = str(value) if not isinstance(value, bool) else ("1" if value else "0")
            if variable in layout.yes_or_blank:
                return "Yes" if key == "1" else ""
            if variable in layout.yes_no:
                return {"1": "Yes", "0": "No"}.get(key, key)
            if own_labels is not None and key in own_labels:
                return own_labels[key]
            if options and key in options:
                return options[key]
            if isinstance(value, bool):
                return "Yes" if value else "No"
        if is_decimal or (column.kind == "derived" and isinstance(value, str | Decimal)
                          and _DECIMAL_TEXT.match(str(value))):
            return decimal_text(value)
        return neutralise(plain_text(value))

    return text


class _Fixed:
    """Stands for a layout's fixed value (a "not known" override) among a row's values."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


MEMO_LIMIT = 2048  # texts remembered per column: columns repeat a few codes; unique values are not kept
_EMPTY: Mapping[str, Any] = {}


class RowWriter:
    """Writes records as a layout's cells, fast: the values of a row are gathered by key lists (C loops over
    dict.get), and each column remembers the text of the values it has written, so most cells are one dict
    lookup; only values a column has not seen go through its text function. 300,000 rows a minute need it."""

    def __init__(self, layout: Layout, values: str) -> None:
        if values not in VALUE_KINDS:
            raise ValueError(f"values must be one of {VALUE_KINDS}")
        columns = layout.columns
        self.width = len(columns)
        self.texts = [_text_function(layout, column, values) for column in columns]
        self.memos: list[dict[Any, str]] = [{None: ""} for _ in columns]
        # Plain columns by where their value is read: (source, item) -> [(position, key)].
        plain: dict[tuple[str, int | None], list[tuple[int, str]]] = {}
        ticks: dict[str, list[tuple[int, Any]]] = {}
        self.special: list[tuple[int, Callable[[RecordRow], Any]]] = []
        for index, column in enumerate(columns):
            kind, question = column.kind, column.question
            if kind == "record":
                plain.setdefault(("record", None), []).append((index, column.source))
            elif kind == "derived":
                plain.setdefault(("derived", None), []).append((index, column.derived_id or ""))
            elif kind == "answer" and question is not None and question.type != "checkboxes":
                where = ("group:" + (question.group or ""), column.item) if column.item else ("answers", None)
                plain.setdefault(where, []).append((index, question.id))
            elif kind == "none":
                plain.setdefault(("none", None), []).append((index, ""))
            elif kind == "option" and question is not None and column.item is None:
                ticks.setdefault(question.id, []).append((index, column.option_code))
            else:
                self.special.append((index, _value_getter(column)))
        self.gathers = [(where, tuple(k for _, k in pairs)) for where, pairs in plain.items()]
        # Checkbox options of one question together: (question id, its options' codes, [None] * their number).
        self.ticks = [(question_id, tuple(code for _, code in pairs), [None] * len(pairs))
                      for question_id, pairs in ticks.items()]
        order = [i for _, pairs in plain.items() for i, _ in pairs] + [
            i for pairs in ticks.values() for i, _ in pairs] + [i for i, _ in self.special]
        self.permutation = [0] * self.width
        for place, index in enumerate(order):
            self.permutation[index] = place
        # "Not known" overrides: (group, item, when, [(position, fixed value)]).
        self.overrides: list[tuple[str, int, tuple[tuple[str, Any], ...], list[tuple[int, _Fixed]]]] = []
        position = 1 if values == LABELS else 0
        for rule in layout.not_known:
            by_item: dict[int, list[tuple[int, _Fixed]]] = {}
            for index, column in enumerate(columns):
                question = column.question
                if (question is not None and column.item is not None and question.group == rule.group
                        and column.item >= rule.from_item and question.id in rule.write):
                    fixed = _Fixed(str(rule.write[question.id][position]))
                    self.memos[index][fixed] = fixed.text
                    by_item.setdefault(column.item, []).append((index, fixed))
            self.overrides += [(rule.group, item, rule.when, fixed) for item, fixed in sorted(by_item.items())]

    def cells(self, row: RecordRow) -> list[str]:
        answers = row.answers
        gathered: list[Any] = []
        for (source, item), keys in self.gathers:
            if source == "none":
                values = _EMPTY
            elif source == "answers":
                values = answers
            elif source == "derived":
                values = row.derived
            elif source == "record":
                values = row.record
            else:
                items = answers.get(source[6:])
                values = items[item - 1] if (  # type: ignore[operator]
                    isinstance(items, list) and len(items) >= item and isinstance(items[item - 1], dict)  # type: ignore[operator]
                ) else _EMPTY
            gathered.extend(map(values.get, keys))
        for question_id, codes, unanswered in self.ticks:
            chosen = answers.get(question_id)
            if chosen is None:
                gathered.extend(unanswered)
            else:
                ticked = set(chosen) if isinstance(chosen, list) else ()
                gathered.extend([1 if code in ticked else 0 for code in codes])
        if self.special:
            gathered.extend([get(row) for _, get in self.special])
        ordered = list(map(gathered.__getitem__, self.permutation))
        for group, item, when, fixed in self.overrides:
            items = answers.get(group)
            if type(items) is list and len(items) >= item:
                member = items[item - 1]
                if type(member) is dict and all([member.get(name) == value for name, value in when]):
                    for index, value in fixed:
                        ordered[index] = value
        try:
            texts = list(map(dict.get, self.memos, ordered))
        except TypeError:  # an unhashable value (a list): every cell the slow way
            return [text(value) for text, value in zip(self.texts, ordered, strict=True)]
        if None in texts:
            memos, functions = self.memos, self.texts
            index = -1
            find = texts.index
            try:
                while True:
                    index = find(None, index + 1)  # the next miss (a C scan, not a Python loop over columns)
                    value = ordered[index]
                    text = texts[index] = functions[index](value)
                    memo = memos[index]
                    if len(memo) < MEMO_LIMIT and type(value) is not bool:  # True == 1: never shared with 1
                        memo[value] = text
            except ValueError:
                pass
        return texts  # type: ignore[return-value]  # no None is left


def cell_functions(layout: Layout, values: str) -> list[Cell]:
    """One function per column writing its cell of a record (for tests and single records; exports use
    RowWriter)."""
    writer = RowWriter(layout, values)

    def cell(index: int) -> Cell:
        return lambda row: writer.cells(row)[index]
    return [cell(index) for index in range(writer.width)]


def header_rows(layout: Layout) -> list[list[str]]:
    rows = [[column.description for column in layout.columns]] if layout.descriptions_row else []
    rows.append(layout.headers)
    return rows


class _Line:
    """A file-like object csv.writer writes into, emptied after every batch."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(layout: Layout, values: str, rows: Iterable[RecordRow], *, batch: int = 500,
               bom: bool = True) -> Iterator[str]:
    """The CSV file as text chunks (a few hundred rows each): memory does not grow with the number of rows."""
    cells = RowWriter(layout, values).cells
    line = _Line()
    writer = csv.writer(line, lineterminator="\n")
    writer.writerows(neutralise_row(r) for r in header_rows(layout))
    yield (BOM if bom else "") + line.take()
    pending = 0
    for row in rows:
        writer.writerow(cells(row))
        pending += 1
        if pending >= batch:
            yield line.take()
            pending = 0
    rest = line.take()
    if rest:
        yield rest


def neutralise_row(row: list[str]) -> list[str]:
    return [neutralise(cell) for cell in row]
