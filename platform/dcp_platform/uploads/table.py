"""The shape of an uploaded table: the template's header block or one header row, then data rows.

The template format: column A holds row labels, and the header block ends with a row labelled "... field
number"; each column is identified by its field number (never by position). Any other file is a provider's
own export with one header row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .reading import FileRejected, raw_rows

HEADER_SEARCH_ROWS = 20
_FIELD_ROW_RE = re.compile(r"field\s*(number|no\.?)$", re.IGNORECASE)


@dataclass
class TableLayout:
    kind: str  # "template" | "columns"
    headers: list[str]  # one per column (the template's question row, or the header row)
    data_start: int  # 1-based number of the first row after the header block
    field_numbers: list[int | None] = field(default_factory=list)  # template: per column (column A is None)
    labelled_rows: dict[str, list[str]] = field(default_factory=dict)  # template: row label -> cells

    @property
    def signature(self) -> str:
        """The file's shape: the same headers in the same order give the same signature."""
        text = "\x1f".join(normalise_header(h) for h in self.headers)
        return hashlib.sha256(f"{self.kind}:{text}".encode()).hexdigest()[:32]

    @property
    def first_column(self) -> int:
        return 1 if self.kind == "template" else 0


def normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower())


def _template_layout(rows: list[list[str]], field_row: int) -> TableLayout:
    numbers: list[int | None] = [None]
    for cell in rows[field_row][1:]:
        text = (cell or "").strip()
        if not text:
            numbers.append(None)
            continue
        if not text.isdigit():
            raise FileRejected(f"The field number row has “{text[:20]}”, which is not a field number.")
        numbers.append(int(text))
    given = [n for n in numbers if n is not None]
    duplicates = sorted({n for n in given if given.count(n) > 1})
    if duplicates:
        raise FileRejected(f"Field number {duplicates[0]} appears in more than one column. Each field must appear once.")
    labelled = {normalise_header(row[0]) if row else "": row for row in rows[: field_row + 1]}
    questions = next((row for label, row in labelled.items() if label.startswith("question")), rows[field_row])
    headers = [(questions[i] if i < len(questions) else "") or (str(n) if n else "") for i, n in enumerate(numbers)]
    return TableLayout("template", headers, field_row + 2, numbers, labelled)


def _columns_layout(rows: list[list[str]]) -> TableLayout:
    start = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if start is None:
        raise FileRejected("The file is empty.")
    headers = [c.strip() for c in rows[start]]
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            raise FileRejected(f"Column {index + 1} has no header. Give every column a header in the first row.")
        if key in seen:
            raise FileRejected(
                f"The header “{header}” is used for more than one column (columns {seen[key] + 1} and {index + 1}). "
                "Give each column a different header."
            )
        seen[key] = index
    return TableLayout("columns", headers, start + 2)


def read_layout(path: Path, filename: str | None = None) -> TableLayout:
    rows: list[list[str]] = []
    for row in raw_rows(path, filename):
        rows.append(row)
        label = (row[0] if row else "").strip()
        if _FIELD_ROW_RE.search(label):
            return _template_layout(rows, len(rows) - 1)
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return _columns_layout(rows)


def data_rows(path: Path, layout: TableLayout, filename: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number in the file, cells) for every non-empty data row; ragged rows stop the file."""
    width = len(layout.headers)
    for number, row in enumerate(raw_rows(path, filename), start=1):
        if number < layout.data_start:
            continue
        if not any(c.strip() for c in row[layout.first_column:]):
            continue
        if len(row) > width:
            raise FileRejected(
                f"Row {number} has {len(row)} cells but the header has {width} columns. "
                "Check for extra separators or values outside the table."
            )
        yield number, row + [""] * (width - len(row))


def scan(path: Path, filename: str | None = None) -> tuple[TableLayout, int]:
    """Check the whole file before anything is stored: layout, ragged rows, limits. Returns the row count."""
    layout = read_layout(path, filename)
    count = sum(1 for _ in data_rows(path, layout, filename))
    if count == 0:
        raise FileRejected("The file has headers but no rows of data.")
    return layout, count
