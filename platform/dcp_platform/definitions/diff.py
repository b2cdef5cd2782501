"""What changed between two definitions of a form (one year and the next): added, removed and changed questions,
answer options, conditions, rules, derived values and official template fields.

Pure: it reads two loaded definitions (model.py's objects) and gives a `DefinitionDiff`, which the
`definition_diff` command prints (as text or JSON) and the public "What changed" page shows. Expressions are
compared by their source text with the spacing made regular, so reformatting one is not a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .expressions import Expression
from .model import Option, Question

if TYPE_CHECKING:
    from .definition import Definition

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# The kinds of change, in the order they are reported, with their headings.
KINDS: dict[str, str] = {
    "questions": "Questions",
    "options": "Answer options",
    "conditions": "Conditions",
    "rules": "Rules",
    "derived": "Derived values",
    "template_fields": "Template fields",
}
# Question keys compared as "the question changed" (options, conditions and template fields have kinds of their own).
_QUESTION_KEYS = ("type", "label", "hint", "required", "options_source", "group", "page_id", "section_id", "min", "max",
                  "step", "max_length", "pattern", "template_codec", "flat_name", "set_by_system")
_OPTION_KEYS = ("label", "hint", "template_code", "web_form", "flat_name")
_RULE_KEYS = ("severity", "when", "fields", "message", "group", "title", "confirm_label", "ref")
_DERIVED_KEYS = ("value", "condition", "sets", "group", "label")
_KEY_NAMES = {"page_id": "page", "section_id": "section"}


@dataclass(frozen=True, slots=True)
class Difference:
    """One changed value of an item: its key (`label`, `when` ...), the value before and after (JSON-ready)."""

    key: str
    before: Any
    after: Any


@dataclass(slots=True)
class Change:
    kind: str  # a key of KINDS
    action: str  # added | removed | changed
    id: str  # the item: a question id, "question id = code" for an option, "page p" for a condition ...
    title: str  # what a person reads: the question's wording, the option's label, the rule's message ...
    differences: list[Difference] = field(default_factory=list)  # for "changed"
    details: dict[str, Any] = field(default_factory=dict)  # for "added" and "removed": what the item is

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"action": self.action, "id": self.id, "title": self.title}
        if self.differences:
            found["changes"] = [{"key": d.key, "from": d.before, "to": d.after} for d in self.differences]
        if self.details:
            found["details"] = self.details
        return found


@dataclass(slots=True)
class DefinitionDiff:
    collection: str
    form: str
    before_year: int
    after_year: int
    changes: list[Change] = field(default_factory=list)

    def of_kind(self, kind: str, action: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and (action is None or c.action == action)]

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind: {action: len(self.of_kind(kind, action)) for action in (ADDED, REMOVED, CHANGED)}
                for kind in KINDS}

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection, "form": self.form, "from": self.before_year, "to": self.after_year,
            "counts": self.counts(),
            **{kind: {action: [c.to_json() for c in self.of_kind(kind, action)] for action in (ADDED, REMOVED, CHANGED)}
               for kind in KINDS},
        }

    def to_text(self) -> str:
        lines = [f"{self.collection} {self.form}: what changed from {self.before_year} to {self.after_year}"]
        if self.is_empty:
            return lines[0] + "\nNo changes.\n"
        marks = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
        for kind, heading in KINDS.items():
            counts = self.counts()[kind]
            found = self.of_kind(kind)
            lines.append("")
            lines.append(f"{heading}: {counts[ADDED]} added, {counts[REMOVED]} removed, {counts[CHANGED]} changed")
            for change in found:
                lines.append(f"  {marks[change.action]} {change.action} {change.id}: {change.title}")
                lines.extend(f"      {key}: {_show(value)}" for key, value in change.details.items())
                lines.extend(f"      {d.key}: {_show(d.before)} -> {_show(d.after)}" for d in change.differences)
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


_SPACES = re.compile(r"\s+")


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, comparable across two loads: expressions as their (spaced) source."""
    if isinstance(value, Expression):
        return _SPACES.sub(" ", value.source.strip())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _differences(before: Any, after: Any, keys: tuple[str, ...]) -> list[Difference]:
    found = []
    for key in keys:
        old, new = _plain(getattr(before, key)), _plain(getattr(after, key))
        if old != new:
            found.append(Difference(_KEY_NAMES.get(key, key), old, new))
    return found


def _question_details(question: Question) -> dict[str, Any]:
    details: dict[str, Any] = {"type": question.type, "page": question.page_id}
    if question.group:
        details["group"] = question.group
    if question.options:
        details["options"] = [f"{option.code} = {option.label}" for option in question.options]
    if question.condition is not None:
        details["condition"] = _plain(question.condition)
    return details


def _option_id(question: Question, option: Option) -> str:
    return f"{question.id} = {option.code}"


def _questions_and_options(before: Definition, after: Definition) -> list[Change]:
    changes: list[Change] = []
    for qid, question in after.questions.items():
        if qid not in before.questions:
            changes.append(Change("questions", ADDED, qid, question.label, details=_question_details(question)))
    for qid, question in before.questions.items():
        if qid not in after.questions:
            changes.append(Change("questions", REMOVED, qid, question.label, details=_question_details(question)))
    options: list[Change] = []
    for qid, new in after.questions.items():
        old = before.questions.get(qid)
        if old is None:
            continue
        differences = _differences(old, new, _QUESTION_KEYS)
        if differences:
            changes.append(Change("questions", CHANGED, qid, new.label, differences))
        old_options = {o.code: o for o in old.options}
        new_options = {o.code: o for o in new.options}
        for code, option in new_options.items():
            if code not in old_options:
                options.append(Change("options", ADDED, _option_id(new, option), option.label, details={"question": qid}))
        for code, option in old_options.items():
            if code not in new_options:
                options.append(Change("options", REMOVED, _option_id(old, option), option.label, details={"question": qid}))
            elif differences := _differences(option, new_options[code], _OPTION_KEYS):
                options.append(Change("options", CHANGED, _option_id(new, new_options[code]), new_options[code].label,
                                      differences))
    return changes + options


def _owners(definition: Definition) -> dict[str, tuple[str, Any]]:
    """Everything that has a condition: 'section x', 'page x', 'question x', 'group x count' -> (title, condition)."""
    owners: dict[str, tuple[str, Any]] = {}
    for section in definition.sections:
        owners[f"section {section.id}"] = (section.title, _plain(section.condition))
        for page in section.pages:
            owners[f"page {page.id}"] = (page.heading, _plain(page.condition))
            for question in page.questions:
                owners[f"question {question.id}"] = (question.label, _plain(question.condition))
    for group in definition.groups.values():
        owners[f"group {group.id} count"] = (group.title, _plain(group.count))
    return owners


def _conditions(before: Definition, after: Definition) -> list[Change]:
    """Conditions added, removed or changed. A page or question that is new (or gone) with a condition is a condition
    added (removed): it says when the new item is asked."""
    old_owners, new_owners = _owners(before), _owners(after)
    changes = []
    for owner, (title, condition) in new_owners.items():
        previous = old_owners.get(owner, (title, None))[1]
        if previous is None and condition is not None:
            changes.append(Change("conditions", ADDED, owner, title, details={"condition": condition}))
        elif previous is not None and condition is not None and previous != condition:
            changes.append(Change("conditions", CHANGED, owner, title, [Difference("condition", previous, condition)]))
    for owner, (title, condition) in old_owners.items():
        now = new_owners.get(owner, (title, None))[1]
        if condition is not None and now is None:
            changes.append(Change("conditions", REMOVED, owner, title, details={"condition": condition}))
    return changes


def _by_id(kind: str, before: list[Any], after: list[Any], keys: tuple[str, ...], title: Any, details: Any) -> list[Change]:
    old = {item.id: item for item in before}
    new = {item.id: item for item in after}
    changes = [Change(kind, ADDED, i, title(item), details=details(item)) for i, item in new.items() if i not in old]
    changes += [Change(kind, REMOVED, i, title(item), details=details(item)) for i, item in old.items() if i not in new]
    for i, item in new.items():
        if i in old and (differences := _differences(old[i], item, keys)):
            changes.append(Change(kind, CHANGED, i, title(item), differences))
    return changes


def _template_fields(before: Definition, after: Definition) -> list[Change]:
    def described(spec: Any) -> dict[str, Any]:
        found: dict[str, Any] = {"question": spec.question_id}
        if spec.item is not None:
            found["item"] = spec.item
        if spec.part is not None:
            found["part"] = _plain(spec.part)
        return found

    def title(definition: Definition, spec: Any) -> str:
        question = definition.questions[spec.question_id]
        return question.label if spec.item is None else f"{question.label} (item {spec.item})"

    old, new = before.template_field_map(), after.template_field_map()
    changes = []
    for number in sorted(set(old) | set(new)):
        key = f"field {number}"
        if number not in old:
            changes.append(Change("template_fields", ADDED, key, title(after, new[number]), details=described(new[number])))
        elif number not in new:
            changes.append(Change("template_fields", REMOVED, key, title(before, old[number]),
                                  details=described(old[number])))
        else:
            was, now = described(old[number]), described(new[number])
            differences = [Difference(k, was.get(k), now.get(k)) for k in ("question", "item", "part")
                           if was.get(k) != now.get(k)]
            if differences:
                changes.append(Change("template_fields", CHANGED, key, title(after, new[number]), differences))
    return changes


def definition_diff(before: Definition, after: Definition) -> DefinitionDiff:
    """What changed from `before` (usually the earlier year) to `after`."""
    changes = _questions_and_options(before, after)
    changes += _conditions(before, after)
    changes += _by_id("rules", before.validations, after.validations, _RULE_KEYS,
                      lambda rule: rule.message,
                      lambda rule: {"severity": rule.severity, "when": _plain(rule.when), "fields": list(rule.fields)})
    changes += _by_id("derived", before.derived, after.derived, _DERIVED_KEYS,
                      lambda d: d.label or d.id,
                      lambda d: {"value": _plain(d.value), **({"sets": d.sets} if d.sets else {})})
    changes += _template_fields(before, after)
    return DefinitionDiff(after.collection, after.form, before.year, after.year, changes)
