"""Flat files: one row per record, one column per answer, headed by the definition's flat names.

The format for any collection year, with or without an official numbered template (docs/bulk-upload-format.md):

- Record-level questions: the question's `flat_name`, or its id (`case_reference`).
- Questions in a repeating group: the group's pattern, by default `{group}_{n}_{question}` (`people_2_age`).
  A file may hold as many item numbers as it needs; items without data are left out, gaps are kept empty.
- Checkboxes: one cell with the chosen option codes separated by `;` (`MH;DA`); `,` is accepted too.
- Dates: ISO 8601 (`2026-05-01`) or day/month/year (`01/05/2026`) in one cell.
- Option questions: the option code (`1`, `F`); the option's label is accepted as well (`Yes`, `Female`).

A header whose columns are (almost) all flat names is recognised and mapped without asking the user; cells
are decoded with the definition's own coercion (`Definition.coerce`) into the answers `Definition.evaluate`
takes (group answers are a list of item dicts under the group id). Nothing here names a collection.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from typing import Any

from dcp_platform.definitions import Definition, Group, Question

from .reading import FileRejected

FLAT_KIND = "flat"  # Upload.kind of a recognised flat file
MAPPING_PREFIX = "flat:"  # Upload.column_mapping values: "flat:<answer key>" (`flat:people.2.age`)
RECOGNISED_SHARE = 0.8  # this share of the headers must be flat names for the file to be taken as flat
DEFAULT_ITEMS = 3  # column sets in an empty file for a group with no max_items
CHECKBOX_SEPARATORS = re.compile(r"[;,]")
# Decoded cells remembered per column (a column repeats a few values; one of unique values is emptied when full).
MEMO_SIZE = 512

Answers = dict[str, Any]


def normalise_flat_name(text: str) -> str:
    """How headers are compared: case, surrounding spaces and spaces/hyphens for underscores do not matter."""
    return re.sub(r"[\s\-]+", "_", (text or "").strip().lower())


@dataclass(frozen=True)
class FlatColumn:
    """What one column holds: a question, and the item number for a question in a repeating group."""

    question: Question
    item: int | None

    @property
    def key(self) -> str:
        """The FieldRef key (`people.2.age`), as used in problems."""
        if self.question.group is None or self.item is None:
            return self.question.id
        return f"{self.question.group}.{self.item}.{self.question.id}"


def _group_pattern(template: str, group: str, question: str) -> re.Pattern[str] | None:
    if "{n}" not in template:
        return None
    parts: list[str] = []
    for part in re.split(r"(\{group\}|\{question\}|\{n\})", template):
        if part == "{group}":
            parts.append(re.escape(normalise_flat_name(group)))
        elif part == "{question}":
            parts.append(re.escape(normalise_flat_name(question)))
        elif part == "{n}":
            parts.append(r"0*([1-9][0-9]{0,5})")
        else:
            parts.append(re.escape(normalise_flat_name(part)))
    return re.compile("".join(parts))


class FlatNames:
    """Resolves a header to the question (and item) it names, for one definition."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.record: dict[str, Question] = {}
        self.patterns: list[tuple[re.Pattern[str], Question]] = []
        for question in definition.questions.values():
            if question.group is None:
                self.record[normalise_flat_name(definition.flat_name(question))] = question
                continue
            template = question.flat_name or definition.groups[question.group].flat_name
            pattern = _group_pattern(template, question.group, question.id)
            if pattern is not None:
                self.patterns.append((pattern, question))

    def resolve(self, header: str) -> FlatColumn | None:
        name = normalise_flat_name(header)
        question = self.record.get(name)
        if question is not None:
            return FlatColumn(question, None)
        for pattern, group_question in self.patterns:
            match = pattern.fullmatch(name)
            if match:
                return FlatColumn(group_question, int(match.group(1)))
        return None


def flat_names_for(definition: Definition) -> FlatNames:
    cached = getattr(definition, "_upload_flat_names", None)
    if cached is None:
        cached = FlatNames(definition)
        definition._upload_flat_names = cached  # type: ignore[attr-defined]  # built once per definition
    return cached


# ---------------------------------------------------------------------------------------------- headers


def default_items(group: Group) -> int:
    return group.max_items if group.max_items is not None else max(group.min_items, DEFAULT_ITEMS)


def flat_headers(definition: Definition, items: Mapping[str, int] | None = None) -> list[str]:
    """The header row of an empty flat file: every question in the order it is asked.

    A repeating group gets `items[group id]` numbered column sets (default: its max_items, or
    DEFAULT_ITEMS when it has none), placed where its first page is; derived values are never columns.
    """
    counts = {g: (items or {}).get(g) or default_items(group) for g, group in definition.groups.items()}
    headers: list[str] = []
    placed: set[str] = set()
    for page in definition.pages:
        if page.group is None:
            headers.extend(definition.flat_name(question) for question in page.questions)
            continue
        if page.group in placed:
            continue
        placed.add(page.group)
        group = definition.groups[page.group]
        for number in range(1, counts[page.group] + 1):
            headers.extend(definition.flat_name(definition.question(q), number) for q in group.question_ids)
    return headers


def empty_flat_file(definition: Definition, items: Mapping[str, int] | None = None) -> bytes:
    """An empty flat CSV file (the header row only), UTF-8 with a byte order mark so Excel reads it right."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(flat_headers(definition, items))
    return buffer.getvalue().encode("utf-8-sig")


def flat_file_name(definition: Definition) -> str:
    return f"{definition.collection}-{definition.form}-{definition.year}-{definition.year + 1}-flat.csv"


def flat_file_for(slug: str, form: str, year: int, items: Mapping[str, int] | None = None) -> tuple[str, bytes]:
    """(file name, CSV bytes) of the empty flat file for a collection's form and year: for a download view."""
    from dcp_platform.registry import definition_for  # noqa: PLC0415  (registry loads plugins, whose codecs import this module)

    definition = definition_for(slug, form, year)
    return flat_file_name(definition), empty_flat_file(definition, items)


# ---------------------------------------------------------------------------------------------- recognising


@dataclass
class FlatMatch:
    columns: dict[int, FlatColumn]  # column index -> what it holds
    ignored: list[str] = field(default_factory=list)  # headers that are not flat names

    @property
    def column_mapping(self) -> dict[str, str]:
        """For Upload.column_mapping: column index -> "flat:<answer key>"."""
        return {str(index): MAPPING_PREFIX + column.key for index, column in self.columns.items()}


def match_flat(headers: Sequence[str], definition: Definition) -> FlatMatch | None:
    """The columns of a file whose headers are (almost) all the definition's flat names, else None.

    Raises FileRejected when the file is flat but cannot be used: two columns for one answer, or an item
    number past the group's maximum.
    """
    names = flat_names_for(definition)
    columns: dict[int, FlatColumn] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = names.resolve(header)
        if column is None:
            ignored.append(header)
        else:
            columns[index] = column
    given = [header for header in headers if header.strip()]
    if not columns or len(columns) < RECOGNISED_SHARE * len(given):
        return None
    seen: dict[str, int] = {}
    for index, column in sorted(columns.items()):
        if column.key in seen:
            raise FileRejected(
                f"The columns “{headers[seen[column.key]]}” and “{headers[index]}” are both for the same answer. "
                "Remove one of them."
            )
        seen[column.key] = index
        group = definition.groups[column.question.group] if column.question.group else None
        if group is not None and column.item is not None and group.max_items is not None \
                and column.item > group.max_items:
            raise FileRejected(
                f"The column “{headers[index]}” is for number {column.item}, but there can be at most "
                f"{group.max_items} {group.title.lower()}. Remove the columns past {group.max_items}."
            )
    return FlatMatch(columns, ignored)


# ---------------------------------------------------------------------------------------------- decoding


def _plain_text(question: Question) -> int | None:
    """For a text question with no pattern and no options, whose coercion is the stripped text when it is no
    longer than allowed: the longest text allowed (-1: any); else None."""
    if question.type != "text" or question.pattern or question.options:
        return None
    return -1 if question.max_length is None else question.max_length


class FlatDecoder:
    """Turns one row of a flat file into answers, and says which column each problem belongs to."""

    def __init__(self, definition: Definition, columns: Mapping[int, FlatColumn], headers: Sequence[str]) -> None:
        self.definition = definition
        self.columns = dict(sorted(columns.items()))
        self.headers = list(headers)
        self._column_of_key = {column.key: self._header(index) for index, column in self.columns.items()}
        # Per column: cell text -> (answer, error), as _coerce gives them (coercion is pure); a list answer is
        # copied for each row that uses it (see decode), and dicts are never remembered.
        self._memos: dict[int, dict[str, tuple[Any, str | None]]] = {index: {} for index in self.columns}
        # What decode walks, one entry per column in order: (column index, question, its id, item, group, memory,
        # the longest text a plain text question takes as it is (see _plain_text), its answers may be lists).
        self._plan = [
            (index, column.question, column.question.id, column.item, column.question.group or "", self._memos[index],
             _plain_text(column.question), column.question.type == "checkboxes")
            for index, column in self.columns.items()
        ]
        # A row's cells in the order of the plan, as a tuple, in one call (rows shorter than that are padded).
        self._width = max(self.columns, default=-1) + 1
        indexes = list(self.columns)
        self._cells_of: Callable[[Sequence[str]], tuple[str, ...]] = \
            itemgetter(*indexes) if len(indexes) > 1 else lambda row: tuple(row[index] for index in indexes)
        given = {column.question.id for column in self.columns.values()}
        # A group counted by a question the file does not have: the count is the last item with data.
        self._count_questions: dict[str, str] = {}
        for group_id, group in definition.groups.items():
            source = group.count.source.strip() if group.count is not None else ""
            if source in definition.questions and source not in given:
                self._count_questions[group_id] = source

    @classmethod
    def from_mapping(
        cls, definition: Definition, column_mapping: Mapping[str, str], headers: Sequence[str]
    ) -> FlatDecoder:
        """The decoder for a stored Upload.column_mapping ("flat:<key>" values)."""
        by_key: dict[str, FlatColumn] = {}
        for question in definition.questions.values():
            if question.group is None:
                by_key[question.id] = FlatColumn(question, None)
        columns: dict[int, FlatColumn] = {}
        for index, target in column_mapping.items():
            if not target.startswith(MAPPING_PREFIX):
                continue
            key = target.removeprefix(MAPPING_PREFIX)
            column = by_key.get(key)
            if column is None and key.count(".") == 2:
                group, item, question_id = key.split(".")
                in_group = definition.questions.get(question_id)
                if in_group is not None and in_group.group == group and item.isdigit():
                    column = FlatColumn(in_group, int(item))
            if column is not None:
                columns[int(index)] = column
        return cls(definition, columns, headers)

    def _header(self, index: int) -> str:
        return self.headers[index] if index < len(self.headers) and self.headers[index] else str(index + 1)

    # ------------------------------------------------------------------------------------------ cells

    def _coerce(self, question: Question, raw: str) -> tuple[Any, str | None]:
        value: Any = raw
        if question.type == "checkboxes":
            value = [part.strip() for part in CHECKBOX_SEPARATORS.split(raw) if part.strip()]
        stored, error = self.definition.coerce(question, value)
        if error is not None and question.options:
            by_label = self._by_label(question, value)
            if by_label is not None:
                return self.definition.coerce(question, by_label)
        return stored, error

    @staticmethod
    def _by_label(question: Question, value: Any) -> Any:
        labels = {option.label.strip().lower(): option.code for option in question.options}
        if isinstance(value, list):
            codes = [labels.get(str(part).lower(), part) for part in value]
            return codes if codes != value else None
        return labels.get(str(value).strip().lower())

    def decode(self, row: Sequence[str]) -> tuple[Answers, dict[int, str], list[dict[str, Any]]]:
        """(answers, cell errors by column index, cell problems in the upload's problem shape).

        `decode_cell_by_cell`, the reference, with each column's outcomes remembered per text, and only the
        non-empty cells walked (most cells of a flat file are empty)."""
        answers: Answers = {}
        items: dict[str, dict[int, dict[str, Any]]] = {}
        errors: dict[int, str] = {}
        if not self._plan:
            return self._finished(answers, items, errors)
        if len(row) < self._width:
            row = [*row, *([""] * (self._width - len(row)))]
        cells = self._cells_of(row)
        for (index, question, question_id, item, group, memo, longest, lists), raw in zip(
                compress(self._plan, cells), compress(cells, cells), strict=True):
            if longest is not None:  # a plain text: coercion gives the stripped text when it is not too long
                text = raw.strip()
                if not text:
                    continue
                if longest < 0 or len(text) <= longest:
                    value: Any = text
                    if item is None:
                        answers[question_id] = value
                    else:
                        items.setdefault(group, {}).setdefault(item, {})[question_id] = value
                    continue
            found = memo.get(raw)
            if found is None:
                found = self._coerce(question, raw) if raw.strip() else (None, None)  # blank: nothing
                if not isinstance(found[0], dict) and (lists or not isinstance(found[0], list)):
                    if len(memo) >= MEMO_SIZE:
                        memo.clear()
                    memo[raw] = found
            value, error = found
            if error is not None:
                errors[index] = error
                continue
            if value is None:
                continue
            if lists and type(value) is list:
                value = list(value)  # each row its own list: evaluation changes them
            if item is None:
                answers[question_id] = value
            else:
                items.setdefault(group, {}).setdefault(item, {})[question_id] = value
        return self._finished(answers, items, errors)

    def decode_cell_by_cell(self, row: Sequence[str]) -> tuple[Answers, dict[int, str], list[dict[str, Any]]]:
        """`decode` plainly, every cell coerced: the reference the tests compare `decode` with."""
        answers: Answers = {}
        items: dict[str, dict[int, dict[str, Any]]] = {}
        errors: dict[int, str] = {}
        for index, column in self.columns.items():
            raw = row[index] if index < len(row) else ""
            if not raw.strip():
                continue
            value, error = self._coerce(column.question, raw)
            if error is not None:
                errors[index] = error
                continue
            if value is None:
                continue
            if column.item is None:
                answers[column.question.id] = value
            else:
                items.setdefault(column.question.group or "", {}).setdefault(column.item, {})[column.question.id] = value
        return self._finished(answers, items, errors)

    def _finished(
        self, answers: Answers, items: dict[str, dict[int, dict[str, Any]]], errors: dict[int, str]
    ) -> tuple[Answers, dict[int, str], list[dict[str, Any]]]:
        for group_id, by_item in items.items():
            last = max(by_item)
            answers[group_id] = [by_item.get(number, {}) for number in range(1, last + 1)]
            count_question = self._count_questions.get(group_id)
            if count_question and count_question not in answers:
                answers[count_question] = last
        problems = [
            {"fields": [], "column": self._header(index), "question": self.columns[index].key,
             "rule": f"cell.{normalise_flat_name(self._header(index))}", "severity": "hard", "message": message}
            for index, message in errors.items()
        ]
        return answers, errors, problems

    # ------------------------------------------------------------------------------------------ problems

    def column_for(self, key: str) -> str:
        """The file's header for an answer key (`people.2.age`), or its flat name when the file lacks it."""
        found = self._column_of_key.get(key)
        if found is not None:
            return found
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and parts[2] in self.definition.questions:
            return self.definition.flat_name(self.definition.question(parts[2]), int(parts[1]))
        question = self.definition.questions.get(key)
        return self.definition.flat_name(question) if question is not None else key

    def name_columns(self, problems: list[dict[str, Any]]) -> None:
        """Adds the column (header) to each problem that does not have one yet."""
        for problem in problems:
            if not problem.get("column") and problem.get("question"):
                problem["column"] = self.column_for(str(problem["question"]))
