"""The parsed, checked definition objects. Built once by the loader; read-only afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .expressions import Expression

QUESTION_TYPES = frozenset(
    {"text", "integer", "decimal", "money", "date", "yesno", "radios", "select", "checkboxes", "postcode",
     "email", "organisation"}
)
OPTION_TYPES = frozenset({"yesno", "radios", "select", "checkboxes", "organisation"})


@dataclass(slots=True)
class Option:
    code: Any
    label: str
    hint: str | None = None
    flat_name: str | None = None
    template_fields: list[int] = field(default_factory=list)
    divider_before: str | None = None  # e.g. "or" between the last real option and "don't know"
    # The option's code in the official bulk-upload template, when the template codes it differently
    # (e.g. a template's "2 = no" for a stored 0).
    template_code: Any = None
    # False: a valid answer (template, API, records already holding it) that the web form does not offer, such
    # as a "don't know" that only bulk upload may give.
    web_form: bool = True


@dataclass(slots=True)
class Question:
    id: str
    type: str
    label: str
    hint: str | None = None
    required: bool = True
    condition: Expression | None = None
    options: list[Option] = field(default_factory=list)
    options_source: str | None = None
    # A list of field numbers, or (in a group) a mapping item number -> list of field numbers.
    template_fields: list[int] | dict[int, list[int]] = field(default_factory=list)
    template_codec: str | None = None
    group: str | None = None
    page_id: str = ""
    section_id: str = ""
    position: int = 0  # order in which the question is asked (0-based over the whole definition)
    min: Any = None  # a constant bound, or an Expression (dates: "today() + 14")
    max: Any = None
    step: Any = None
    max_length: int | None = None
    pattern: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    width: int | None = None
    flat_name: str | None = None
    error_name: str | None = None  # how messages name the answer, e.g. "the tenancy start date"
    extra: dict[str, Any] = field(default_factory=dict)  # keys the engine does not interpret, kept for plugins
    codes: frozenset[Any] = frozenset()
    set_by_system: bool = False  # a derived value `sets:` this answer

    @property
    def has_options(self) -> bool:
        return bool(self.options)

    def option(self, code: Any) -> Option | None:
        return next((option for option in self.options if option.code == code), None)

    def option_label(self, code: Any) -> str | None:
        option = self.option(code)
        return option.label if option else None

    def template_fields_for(self, item: int | None) -> list[int]:
        if isinstance(self.template_fields, dict):
            return list(self.template_fields.get(item or 0, []))
        return list(self.template_fields)

    def all_template_fields(self) -> list[int]:
        if isinstance(self.template_fields, dict):
            numbers = [n for item in sorted(self.template_fields) for n in self.template_fields[item]]
        else:
            numbers = list(self.template_fields)
        for option in self.options:
            numbers.extend(option.template_fields)
        return numbers


@dataclass(slots=True)
class Page:
    id: str
    title: str | None
    condition: Expression | None
    group: str | None
    questions: list[Question]
    section_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """What a person reads as the page's heading: its title, else its first question's wording (never its id:
        a page whose first question reveals the others is asked as that one question)."""
        return self.title or self.questions[0].label


@dataclass(slots=True)
class Section:
    id: str
    title: str
    condition: Expression | None
    pages: list[Page]


@dataclass(slots=True)
class Group:
    id: str
    title: str
    item_title: str = "Item {n}"
    count: Expression | None = None  # None = "add another" loop
    min_items: int = 0
    max_items: int | None = None
    flat_name: str = "{group}_{n}_{question}"
    question_ids: list[str] = field(default_factory=list)

    def title_for(self, number: int) -> str:
        return self.item_title.replace("{n}", str(number))

    def clamp(self, count: int) -> int:
        count = max(count, self.min_items)
        if self.max_items is not None:
            count = min(count, self.max_items)
        return count


@dataclass(slots=True)
class DerivedValue:
    id: str
    value: Expression
    label: str | None = None
    condition: Expression | None = None
    sets: str | None = None
    group: str | None = None


@dataclass(slots=True)
class Rule:
    id: str
    severity: str  # "hard" | "soft"
    when: Expression
    fields: list[str]
    message: str
    ref: str | None = None
    group: str | None = None
    title: str | None = None
    confirm_label: str | None = None
    # Names the rule reads (the `when` expression and the message placeholders): a confirmation covers these.
    reads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldRef:
    question_id: str
    group: str | None = None
    item: int | None = None  # 1-based

    @property
    def key(self) -> str:
        if self.group is None or self.item is None:
            return self.question_id
        return f"{self.group}.{self.item}.{self.question_id}"


@dataclass(slots=True)
class Problem:
    rule_id: str
    severity: str  # "hard" | "soft"
    message: str
    fields: list[FieldRef]
    template_fields: list[int] = field(default_factory=list)
    title: str | None = None
    confirm_label: str | None = None
    item: int | None = None
    # Key under which a confirmation of this (soft) problem is stored: rule id, or "rule_id.item" in a group.
    confirmation_key: str = ""
    confirmation_token: str | None = None

    @property
    def is_hard(self) -> bool:
        return self.severity == "hard"


@dataclass(slots=True)
class Cleared:
    """An answer given to the evaluation that it did not keep: its question is not asked, given the other answers.

    `condition` is the section's, page's or question's condition that is false over the final answers (None
    when the item is past its group's count, or nothing is false any more). `problems` are the hard rules that
    fail when this answer is put back beside the others: the specification makes the combination an error, so
    channels that take answers as sent (the API, bulk upload) refuse it rather than drop it."""

    ref: FieldRef
    value: Any
    condition: Expression | None
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class EvalContext:
    today: date = field(default_factory=date.today)
    # Values the platform knows that are not answers (e.g. the owning organisation's provider_type). Names
    # declared with load_definition(context_names=...) are readable in expressions; functions may read the rest.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageInstance:
    page: Page
    item: int | None = None

    @property
    def key(self) -> str:
        return self.page.id if self.item is None else f"{self.page.id}.{self.item}"


@dataclass(frozen=True, slots=True)
class TemplateFieldSpec:
    question_id: str
    group: str | None
    item: int | None
    part: Any  # None, "day"/"month"/"year", "outward"/"inward", or a checkbox option code
