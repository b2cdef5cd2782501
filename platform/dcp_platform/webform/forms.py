"""Turning a definition page into GOV.UK form fields, and a POST back into stored answers.

Everything here is generic: question types come from the definition, never from a collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from dcp_platform.definitions import Definition, Evaluation, Page, Question

WIDE_TYPES = {"text", "email"}
INPUT_WIDTHS = {"integer": "govuk-input--width-5", "decimal": "govuk-input--width-10", "money": "govuk-input--width-10",
                "postcode": "govuk-input--width-10", "text": "govuk-!-width-two-thirds", "email": "govuk-!-width-two-thirds"}
LONG_LIST = 15  # more options than this: a select with type-ahead instead of radios


@dataclass
class FieldView:
    """What a template needs to render one question."""

    question: Question
    name: str  # the HTML name (and id prefix)
    value: Any
    error: str | None = None
    options: list[tuple[str, str, str | None]] = field(default_factory=list)  # (code, label, hint)
    revealed_by: str | None = None  # the page question whose answer reveals this one
    reveal_codes: list[str] = field(default_factory=list)
    date_parts: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.name

    @property
    def widget(self) -> str:
        q = self.question
        if q.type in {"radios", "yesno"}:
            return "radios"
        if q.type in {"select", "organisation"}:
            return "select" if len(self.options) > LONG_LIST or q.type == "select" else "radios"
        if q.type == "checkboxes":
            return "checkboxes"
        if q.type == "date":
            return "date"
        return "input"

    @property
    def input_type(self) -> str:
        return {"email": "email", "integer": "text", "decimal": "text", "money": "text"}.get(self.question.type, "text")

    @property
    def inputmode(self) -> str | None:
        return {"integer": "numeric", "decimal": "decimal", "money": "decimal"}.get(self.question.type)

    @property
    def width_class(self) -> str:
        return INPUT_WIDTHS.get(self.question.type, "")

    @property
    def prefix(self) -> str | None:
        return "£" if self.question.type == "money" else self.question.prefix

    @property
    def suffix(self) -> str | None:
        return self.question.suffix

    def is_checked(self, code: str) -> bool:
        if isinstance(self.value, list):
            return code in [str(v) for v in self.value]
        return self.value is not None and str(self.value) == code


def _options_for(
    question: Question, dynamic: dict[str, list[tuple[str, str]]], value: Any = None
) -> list[tuple[str, str, str | None]]:
    if question.options:
        # Options the web form does not offer are still shown when they are the answer (from an upload).
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        return [(str(o.code), o.label, o.hint) for o in question.options if o.web_form or str(o.code) in chosen]
    if question.type == "yesno":
        return [("1", "Yes", None), ("0", "No", None)]
    if question.options_source:
        return [(str(code), label, None) for code, label in dynamic.get(question.options_source, [])]
    return []


def _reveal_parent(page: Page, question: Question) -> tuple[str | None, list[str]]:
    """If a question is revealed by an earlier question on the same page (`x == 3`, `x in [1, 2]`), name it."""
    if question.condition is None:
        return None, []
    names = question.condition.names
    earlier = [q for q in page.questions if q.id in names and q is not question]
    if len(earlier) != 1 or not earlier[0].options and earlier[0].type != "yesno":
        return None, []
    parent = earlier[0]
    codes = [str(o.code) for o in parent.options] if parent.options else ["1", "0"]
    # Which of the parent's codes reveal it: evaluate the condition for each code on its own.
    revealing = []
    for code in codes:
        typed: Any = int(code) if code.lstrip("-").isdigit() else code
        try:
            if question.condition({parent.id: typed}):
                revealing.append(code)
        except Exception:  # noqa: BLE001 - a condition that needs other answers is not an inline reveal
            return None, []
    return parent.id, revealing


def field_views(
    *,
    page: Page,
    item: int | None,
    answers: dict[str, Any],
    dynamic_options: dict[str, list[tuple[str, str]]],
    errors: dict[str, str] | None = None,
    posted: QueryDict | None = None,
) -> list[FieldView]:
    scope = answers
    if page.group and item is not None:
        items = answers.get(page.group) or []
        scope = items[item - 1] if len(items) >= item else {}
    views: list[FieldView] = []
    for question in page.questions:
        name = question.id
        value = scope.get(question.id)
        parts: dict[str, str] = {}
        if posted is not None:
            if question.type == "checkboxes":
                value = posted.getlist(name)
            elif question.type == "date":
                parts = {p: posted.get(f"{name}-{p}", "") for p in ("day", "month", "year")}
            else:
                value = posted.get(name, "")
        elif question.type == "date" and value:
            year, month, day = str(value).split("-")
            parts = {"day": str(int(day)), "month": str(int(month)), "year": year}
        parent, codes = _reveal_parent(page, question)
        views.append(FieldView(
            question=question, name=name, value=value, error=(errors or {}).get(question.id),
            options=_options_for(question, dynamic_options, scope.get(question.id)), revealed_by=parent, reveal_codes=codes, date_parts=parts,
        ))
    return views


def required_message(question: Question) -> str:
    name = getattr(question, "error_name", None) or question.label.rstrip("?").lower()
    if question.type in {"radios", "yesno", "select", "organisation"}:
        return f"Select {name}" if getattr(question, "error_name", None) else f"Select an answer: {question.label}"
    if question.type == "checkboxes":
        return f"Select at least one option: {question.label}"
    return f"Enter {name}" if getattr(question, "error_name", None) else f"Enter an answer: {question.label}"


def parse_page_post(
    *, definition: Definition, page: Page, post: QueryDict, visible: set[str], require: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """Coerce a page's POST into stored values; `visible` = the page's questions that apply after this POST.

    Returns (values by question id, errors by question id). A required visible question left empty is an error,
    unless `require` is False (saving to come back later: empty answers are simply not given yet).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in page.questions:
        if question.type == "checkboxes":
            raw: Any = post.getlist(question.id)
            value, error = definition.coerce(question, raw or None)
        elif question.type == "date":
            day, month, year = (post.get(f"{question.id}-{p}", "").strip() for p in ("day", "month", "year"))
            if not (day or month or year):
                value, error = None, None
            else:
                value, error = definition.coerce_date_parts(question, day, month, year)
        else:
            value, error = definition.coerce(question, post.get(question.id, ""))
        if question.id not in visible:
            continue  # an inline question whose reveal is not chosen: ignored
        if error:
            errors[question.id] = error
        elif value in (None, "", []):
            if question.required and require:
                errors[question.id] = required_message(question)
            values[question.id] = None
        else:
            values[question.id] = value
    return values, errors


def apply_values(answers: dict[str, Any], page: Page, item: int | None, values: dict[str, Any]) -> dict[str, Any]:
    """A copy of the answers with this page's values set (None removes an answer)."""
    updated = dict(answers)
    if page.group and item is not None:
        items = [dict(i) for i in (updated.get(page.group) or [])]
        while len(items) < item:
            items.append({})
        target = items[item - 1]
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
        updated[page.group] = items
        return updated
    for key, value in values.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = value
    return updated


def visible_questions_after(
    *, definition: Definition, page: Page, item: int | None, evaluation: Evaluation
) -> set[str]:
    refs = [r for r in evaluation.applicable_questions if r.item == item]
    ids = {q.id for q in page.questions}
    return {r.question_id for r in refs if r.question_id in ids}
