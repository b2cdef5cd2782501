"""What the upload pages show: mapping choices, the provider's values, the per-cell error report and its CSV.

Nothing here changes an upload; `services` does the writing. The file is read again (streamed) where a page
needs the values as given, because rows store only their problems, not their cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dcp_platform.definitions import Definition, Question
from dcp_platform.records.models import Record

from .automap import Target, choice_parts, suggest_code
from .learning import learned_mappings_for
from .mapping import mapper_for
from .models import Upload, UploadRow
from .reading import FileRejected, neutralise
from .table import data_rows, read_layout

SAMPLE_VALUES = 3
# A column with more distinct values than this is free text, not a coded answer: its values are not listed.
MAX_DISTINCT_VALUES = 50
MAX_LISTED_VALUE_CHARS = 100  # longer answers are free text too; this also keeps the cached list small
REPORT_ROWS_PER_PAGE = 100
SEVERITY_LABELS = {"hard": "Error", "soft": "Check", "refuse": "Row refused", "duplicate": "Possible duplicate",
                   "not_kept": "Answer not kept"}
REPORT_CSV_HEADER = ["Row", "Field numbers", "Column", "Value in the file", "Problem", "Severity"]


# ---------------------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class TargetChoice:
    key: str
    label: str


def _fields_text(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"field {numbers[0]}"
    return f"fields {', '.join(str(n) for n in numbers)}"


def target_label(definition: Definition, target: Target) -> str:
    """A target as the user reads it: the question, which person or part, and its template field numbers."""
    question = target.question
    label = question.label
    if target.item is not None and question.group in definition.groups:
        label = f"{definition.groups[question.group].title_for(target.item)}: {label}"
    if target.kind in ("date", "postcode"):
        label = f"{label} (whole {target.kind})"
    elif target.kind == "date_part":
        label = f"{label}: {target.part}"
    elif target.kind == "postcode_part":
        label = f"{label}: {'first' if target.part == 'outward' else 'second'} part"
    elif target.kind == "tick":
        option = question.option(target.part)
        label = f"{label}: {option.label if option else target.part} (tick)"
    elif target.kind == "choices":
        label = f"{label} (a list of the answers chosen)"
    return f"{label} ({_fields_text(target.fields)})"


def target_choices(definition: Definition) -> list[TargetChoice]:
    return [TargetChoice(t.key, target_label(definition, t)) for t in mapper_for(definition).targets]


def targets_by_key(definition: Definition) -> dict[str, Target]:
    return {target.key: target for target in mapper_for(definition).targets}


def scan_column_values(upload: Upload) -> dict[str, Any]:
    """Per column: a few sample values and the distinct values in the whole file (capped), in order of first use.

    Distinct values are case-insensitive because the value mapping is applied case-insensitively.
    """
    path = Path(upload.stored_path)
    layout = read_layout(path, upload.filename)
    width = len(layout.headers)
    distinct: list[dict[str, str]] = [{} for _ in range(width)]
    more = [False] * width
    for _number, row in data_rows(path, layout, upload.filename):
        for index in range(width):
            text = row[index].strip() if index < len(row) else ""
            if not text or more[index]:
                continue
            if len(text) > MAX_LISTED_VALUE_CHARS:
                more[index] = True
                continue
            seen = distinct[index]
            if text.lower() not in seen:
                if len(seen) >= MAX_DISTINCT_VALUES:
                    more[index] = True
                    continue
                seen[text.lower()] = text
    values = [list(seen.values()) for seen in distinct]
    return {"values": values, "more": more}


@dataclass
class ValueChoice:
    name: str  # the form field's name
    value: str  # as the provider wrote it
    selected: str  # the chosen code as text, "" for leave blank


@dataclass
class ValueReview:
    column: int
    header: str
    target_key: str
    label: str
    options: list[tuple[str, str]]  # (code as text, label)
    choices: list[ValueChoice] = field(default_factory=list)
    more_values: bool = False


def is_valid_answer(definition: Definition, question: Question, value: str) -> bool:
    _, error = definition.coerce(question, value)
    return error is None


def value_reviews(
    definition: Definition, upload: Upload, column_values: dict[str, Any],
    chosen: dict[str, dict[str, str]] | None = None,
) -> list[ValueReview]:
    """For each mapped column whose question has answer options: its values that are not already valid codes
    (for a column listing several answers, each answer it names).

    Each value is pre-selected with what the user chose before (`chosen`, then the upload's value mapping),
    else what was learned from confirmed mappings (learning.py), else automap's suggestion, else "Leave blank".
    """
    targets = targets_by_key(definition)
    learned = learned_mappings_for(organisation_id=upload.organisation_id, form=upload.form, headers=[])
    reviews: list[ValueReview] = []
    for index_text, key in sorted(upload.column_mapping.items(), key=lambda kv: int(kv[0])):
        target = targets.get(key)
        if target is None or target.kind not in ("value", "choices") or not target.question.options:
            continue
        index = int(index_text)
        values = column_values["values"][index] if index < len(column_values["values"]) else []
        if target.kind == "choices":  # a list of ticked answers: each answer named in it is matched once
            values = list({part.lower(): part for value in values for part in choice_parts(value)}.values())
        earlier = {str(k).strip().lower(): str(v) for k, v in (upload.value_mapping.get(key) or {}).items()}
        posted = (chosen or {}).get(key, {})
        review = ValueReview(
            column=index, header=upload.headers[index] if index < len(upload.headers) else "", target_key=key,
            label=target_label(definition, target),
            options=[(str(option.code), option.label) for option in target.question.options],
            more_values=bool(column_values["more"][index]) if index < len(column_values["more"]) else False,
        )
        for number, value in enumerate(values):
            if is_valid_answer(definition, target.question, value):
                continue
            if value in posted:
                selected = posted[value]
            elif value.lower() in earlier:
                selected = earlier[value.lower()]
            elif (code := learned.code_for(key, value)) is not None:
                selected = str(code)  # what this organisation (or several) chose for this value before
            else:
                code, _confidence = suggest_code(target.question, value)
                selected = "" if code is None else str(code)
            review.choices.append(ValueChoice(f"value-{index}-{number}", value, selected))
        if review.choices:
            reviews.append(review)
    return reviews


# ---------------------------------------------------------------------------------------------- error report


def field_columns(upload: Upload, definition: Definition) -> dict[int, int]:
    """Template field number -> the file's column index that fills it, from the upload's column mapping."""
    targets = targets_by_key(definition)
    columns: dict[int, int] = {}
    for index_text, key in upload.column_mapping.items():
        if key.startswith("field:"):
            columns[int(key.removeprefix("field:"))] = int(index_text)
        elif key in targets:
            for number in targets[key].fields:
                columns.setdefault(number, int(index_text))
    return columns


@dataclass
class ReportLine:
    row_number: int
    fields: list[int]
    column: str
    value: str
    message: str
    severity: str
    record_public_id: str | None = None

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def fields_text(self) -> str:
        return ", ".join(str(n) for n in self.fields)


def rows_with_problems(upload: Upload) -> Any:
    return UploadRow.objects.filter(upload=upload).exclude(problems=[], duplicate_of="").order_by("row_number")


def _file_cells(upload: Upload, wanted: set[int]) -> dict[int, list[str]]:
    """The cells of the wanted row numbers, read from the stored file (empty if the file is gone or unreadable)."""
    if not wanted:
        return {}
    path = Path(upload.stored_path)
    found: dict[int, list[str]] = {}
    try:
        layout = read_layout(path, upload.filename)
        last = max(wanted)
        for number, row in data_rows(path, layout, upload.filename):
            if number in wanted:
                found[number] = row
            if number >= last:
                break
    except (OSError, FileRejected):
        return found
    return found


def _lines_for_row(
    upload: Upload, row: UploadRow, cells: list[str] | None, columns: dict[int, int], public_id: str | None,
) -> list[ReportLine]:
    lines: list[ReportLine] = []
    for problem in row.problems:
        fields = [int(n) for n in problem.get("fields") or []]
        by_column: dict[int, list[int]] = {}
        for number in fields:
            if number in columns:
                by_column.setdefault(columns[number], []).append(number)
        named = str(problem.get("column") or "")
        if not by_column and named in upload.headers:  # a problem that names its column (flat files)
            by_column[upload.headers.index(named)] = fields
        if not by_column:
            # A flat file's problem about an answer it has no column for names the column to add.
            missing = f"{named} (not in the file)" if named else ("Not in the file" if fields else "")
            lines.append(ReportLine(row.row_number, fields, missing, "", problem["message"], problem["severity"],
                                    public_id))
            continue
        for index, numbers in sorted(by_column.items()):
            header = upload.headers[index] if index < len(upload.headers) else ""
            value = cells[index] if cells is not None and index < len(cells) else ""
            lines.append(ReportLine(row.row_number, numbers, header, value, problem["message"],
                                    problem["severity"], public_id))
    if row.duplicate_of:
        lines.append(ReportLine(row.row_number, [], "", "", f"This looks like a duplicate of {row.duplicate_of}.",
                                "duplicate", public_id))
    return lines


def report_lines(upload: Upload, definition: Definition, rows: Sequence[UploadRow]) -> list[ReportLine]:
    """One line per problem and file column for the given rows, with the value as it is in the file."""
    columns = field_columns(upload, definition)
    cells = _file_cells(upload, {row.row_number for row in rows})
    public_ids = _public_ids(upload, rows)
    lines: list[ReportLine] = []
    for row in rows:
        lines.extend(_lines_for_row(upload, row, cells.get(row.row_number), columns, public_ids.get(row.record_id)))
    return lines


def _public_ids(upload: Upload, rows: Iterable[UploadRow]) -> dict[int | None, str]:
    ids = [row.record_id for row in rows if row.record_id is not None]
    return {pk: str(public_id) for pk, public_id in
            Record.objects.filter(upload_id=upload.pk, pk__in=ids).values_list("pk", "public_id")}


def _csv_line(cells: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()


def report_csv(upload: Upload, definition: Definition) -> Iterator[str]:
    """The whole error report as CSV lines; every cell is neutralised so no spreadsheet runs it as a formula."""
    yield _csv_line(REPORT_CSV_HEADER)
    columns = field_columns(upload, definition)
    path = Path(upload.stored_path)
    try:
        layout = read_layout(path, upload.filename)
        file_rows: Iterator[tuple[int, list[str]]] = data_rows(path, layout, upload.filename)
    except (OSError, FileRejected):
        file_rows = iter(())
    current: tuple[int, list[str]] | None = next(file_rows, None)
    for row in rows_with_problems(upload).iterator(chunk_size=2000):
        # Rows and the file are both in row order: walk the file forward to this row.
        while current is not None and current[0] < row.row_number:
            current = next(file_rows, None)
        cells = current[1] if current is not None and current[0] == row.row_number else None
        for line in _lines_for_row(upload, row, cells, columns, None):
            yield _csv_line([line.row_number, line.fields_text, line.column, line.value, line.message,
                             line.severity_label])


# ---------------------------------------------------------------------------------------------- soft problems


@dataclass
class SoftGroup:
    rule: str
    question: str
    message: str  # the first row's wording (messages may name each row's own values)
    rows: int


def soft_groups(upload: Upload) -> list[SoftGroup]:
    """Soft problems of the upload's rows that have a record, by rule, the most common first."""
    groups: dict[str, SoftGroup] = {}
    rows = UploadRow.objects.filter(upload=upload, record_id__isnull=False, problems__contains=[{"severity": "soft"}])
    for problems in rows.values_list("problems", flat=True).iterator(chunk_size=2000):
        for rule in dict.fromkeys(p["rule"] for p in problems if p["severity"] == "soft"):
            first = next(p for p in problems if p["rule"] == rule)
            group = groups.setdefault(rule, SoftGroup(rule, first["question"], first["message"], 0))
            group.rows += 1
    return sorted(groups.values(), key=lambda g: (-g.rows, g.rule))
