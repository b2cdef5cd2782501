"""The columns of a download, worked out from the collection-year definition (no database).

A column is filled from one of:

- a question (record level, or one item of a repeating group), by its flat name;
- one option of a checkboxes question (the option's `flat_name`): 1 ticked, 0 another option ticked, empty if
  the question has no answer;
- a part of a date answer (`saledate.day`, `.month`, `.year`);
- a derived value, by its id;
- one of the platform's own record columns (`record.id`, `record.created_at`, ... see RECORD_COLUMNS).

The default layout is the record columns followed by every question (as the flat upload file names them) and
every derived value. A collection may give its own layout (`CollectionPlugin.export_columns`): the column names,
order and column sets of the downloads its users already read, with what the definition cannot say (CORE's fixed
label tables, its "details not known" override). Which question or derived value a column holds, its labels and
its type always come from the definition, so a new year's definition needs no new list of columns unless the
collection's own download changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dcp_platform.definitions import Definition, Question

# The platform's record columns: name -> what it says. Filled by the exporter from the record and its people.
RECORD_COLUMNS: dict[str, str] = {
    "record.id": "The record's number in this collection",
    "record.public_id": "The record's identifier in the API",
    "record.status": "Status of the record (not_started, in_progress, completed)",
    "record.form": "Form",
    "record.year": "Collection year (the year it starts in)",
    "record.record_date": "The date that decides the record's collection window",
    "record.created_at": "When the record was created",
    "record.updated_at": "When the record was last changed",
    "record.created_by": "Email address of the user who created the record",
    "record.created_by_id": "Number of the user who created the record",
    "record.updated_by": "Email address of the user who last changed the record",
    "record.updated_by_id": "Number of the user who last changed the record",
    "record.channel": "How the record was created (web, upload, api, system)",
    "record.upload_id": "Number of the bulk upload that created the record",
    "record.owning_organisation_name": "Name of the owning organisation",
    "record.owning_organisation_code": "Code of the owning organisation",
    "record.managing_organisation_name": "Name of the managing organisation",
    "record.managing_organisation_code": "Code of the managing organisation",
}
DEFAULT_RECORD_COLUMNS = (
    "record.id", "record.public_id", "record.status", "record.year", "record.created_at", "record.updated_at",
    "record.created_by", "record.updated_by", "record.channel", "record.upload_id",
    "record.owning_organisation_code", "record.owning_organisation_name",
    "record.managing_organisation_code", "record.managing_organisation_name",
)
DATE_PARTS = ("day", "month", "year")
DEPARTMENT = "department"  # the column set for support and the department's analysts
PROVIDER = "provider"  # the column set for everyone else
DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, its description (row 1 of a collection's layout) and what fills it."""

    header: str
    description: str
    variable: str  # the layout's name for it (CORE's variable name); its labels and rules are keyed by it
    source: str  # what fills it: a question or option flat name, a derived id, a date part, record.*
    kind: str  # "record", "answer", "option", "part", "derived" or "none" (nothing in the definition holds it)
    question: Question | None = None
    item: int | None = None  # 1-based item of a repeating group
    option_code: Any = None
    part: str | None = None  # day/month/year of a date answer
    derived_id: str | None = None


@dataclass(frozen=True, slots=True)
class NotKnownRule:
    """A household member whose details are not known: the layout writes fixed values whatever is stored."""

    group: str
    from_item: int
    when: tuple[tuple[str, Any], ...]  # (question id in the item, value) that must all hold
    write: Mapping[str, tuple[Any, str]]  # question id -> (code, label)
    # Read back from a file that has no column for the `when` questions: what an answer in a `write` column means.
    otherwise: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Layout:
    """The columns of one download of a collection year, and how its values are written."""

    definition: Definition
    name: str  # department, provider or default
    columns: tuple[Column, ...]
    descriptions_row: bool  # a collection's layout has a row of descriptions above the headers
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # variable or question id -> code -> label
    recode: Mapping[str, Mapping[str, tuple[Any, str]]] = field(default_factory=dict)  # variable -> stored -> (code, label)
    yes_no: frozenset[str] = frozenset()
    yes_or_blank: frozenset[str] = frozenset()
    not_known: tuple[NotKnownRule, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def unfilled(self) -> list[str]:
        """Headers of columns that nothing in the definition or the platform holds (written empty)."""
        return [column.header for column in self.columns if column.kind == "none"]


class _Names:
    """What a variable names, for one definition."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.record: dict[str, Question] = {}
        self.items: dict[str, tuple[Question, int]] = {}
        self.options: dict[str, tuple[Question, Any]] = {}
        for question in definition.questions.values():
            if question.group is None:
                self.record[definition.flat_name(question).lower()] = question
                self.record.setdefault(question.id.lower(), question)
            else:
                group = definition.groups[question.group]
                largest = group.max_items or 20
                for number in range(1, largest + 1):
                    self.items[definition.flat_name(question, number).lower()] = (question, number)
            for option in question.options:
                if option.flat_name:
                    self.options[option.flat_name.lower()] = (question, option.code)
        self.derived = {d.id.lower(): d.id for d in definition.derived if d.group is None}

    def column(self, header: str, description: str, variable: str, source: str | None = None) -> Column:
        source = source or variable
        name = source.lower()
        start = (header, description, variable, source)
        if source in RECORD_COLUMNS:
            return Column(*start, "record")
        if name in self.options:
            question, code = self.options[name]
            return Column(*start, "option", question=question, option_code=code)
        if name in self.record:
            return Column(*start, "answer", question=self.record[name])
        if name in self.items:
            question, number = self.items[name]
            return Column(*start, "answer", question=question, item=number)
        if name in self.derived:
            return Column(*start, "derived", derived_id=self.derived[name])
        base, _, part = name.rpartition(".")
        if part in DATE_PARTS and base in self.record and self.record[base].type == "date":
            return Column(*start, "part", question=self.record[base], part=part)
        return Column(*start, "none")


def _labels_table(raw: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    return {str(name): {str(code): str(label) for code, label in (table or {}).items()}
            for name, table in (raw or {}).items()}


@cache
def _layout_file(folder: str, form: str, year: int) -> dict[str, Any] | None:
    path = Path(folder) / f"{form}_{year}.yaml"
    if not path.is_file():
        return None
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def layout_names(definition: Definition, folder: Path | None) -> list[str]:
    """The column sets a collection year has: the collection's own (department, provider), or the default."""
    raw = _layout_file(str(folder), definition.form, definition.year) if folder else None
    return list((raw or {}).get("columns") or {}) or [DEFAULT]


def build_layout(definition: Definition, folder: Path | None, name: str) -> Layout:
    """The layout `name` of a definition: the collection's file for its form and year if it has one."""
    raw = _layout_file(str(folder), definition.form, definition.year) if folder else None
    names = _Names(definition)
    if raw is None or name == DEFAULT:
        return default_layout(definition)
    sets = raw.get("columns") or {}
    if name not in sets:
        raise LookupError(f"{definition.collection} {definition.form} {definition.year} has no {name!r} columns")
    aliases = {str(k): str(v) for k, v in (raw.get("variables") or {}).items()}
    columns = []
    for entry in sets[name]:
        header, description = str(entry[0]), str(entry[1] or "")
        variable = str(entry[2]) if len(entry) > 2 else header
        columns.append(names.column(header, description, variable, aliases.get(variable)))
    rules = tuple(
        NotKnownRule(
            group=str(rule["group"]), from_item=int(rule.get("from_item") or 1),
            when=tuple((str(k), v) for k, v in (rule.get("when") or {}).items()),
            write={str(k): (v[0], str(v[1])) for k, v in (rule.get("write") or {}).items()},
            otherwise=tuple((str(k), v) for k, v in (rule.get("otherwise") or {}).items()),
        )
        for rule in raw.get("not_known") or []
    )
    recode = {
        str(variable): {str(stored): (pair[0], str(pair[1])) for stored, pair in (table or {}).items()}
        for variable, table in (raw.get("recode") or {}).items()
    }
    return Layout(
        definition=definition, name=name, columns=tuple(columns), descriptions_row=True,
        labels=_labels_table(raw.get("labels")), recode=recode,
        yes_no=frozenset(str(v) for v in raw.get("yes_no") or []),
        yes_or_blank=frozenset(str(v) for v in raw.get("yes_or_blank") or []), not_known=rules,
    )


def default_layout(definition: Definition) -> Layout:
    """The platform's own columns: record columns, every question in the order asked, then derived values."""
    names = _Names(definition)
    columns = [Column(name.removeprefix("record."), RECORD_COLUMNS[name], name, name, "record")
               for name in DEFAULT_RECORD_COLUMNS]
    placed: set[str] = set()
    for page in definition.pages:
        if page.group is None:
            for question in page.questions:
                flat = definition.flat_name(question)
                columns.append(Column(flat, question.label, flat, flat, "answer", question=question))
            continue
        if page.group in placed:
            continue
        placed.add(page.group)
        group = definition.groups[page.group]
        for number in range(1, (group.max_items or max(group.min_items, 3)) + 1):
            for question_id in group.question_ids:
                question = definition.question(question_id)
                flat = definition.flat_name(question, number)
                columns.append(Column(flat, question.label, flat, flat, "answer", question=question, item=number))
    taken = {column.header.lower() for column in columns}
    for derived in definition.derived:
        if derived.group is None and derived.sets is None and derived.id.lower() not in taken:
            columns.append(names.column(derived.id, derived.label or "", derived.id))
    return Layout(definition=definition, name=DEFAULT, columns=tuple(columns), descriptions_row=False)
