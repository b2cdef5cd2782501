"""The result of evaluating one record: `Evaluation`, and how its problems' texts and confirmation tokens are
made from the values a rule reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .expressions import ItemScope
from .model import (
    Cleared,
    FieldRef,
    PageInstance,
    Problem,
    Question,
)

if TYPE_CHECKING:
    from .definition import Definition


def _display(value: Any, question: Question | None) -> str:
    if value is None:
        return ""
    if question is not None and question.options and not isinstance(value, list):
        label = question.option_label(value)
        if label is not None:
            return label
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, list):
        return ", ".join(_display(v, question) for v in value)
    return str(value)


_PLAIN_TYPES = frozenset({str, int, bool, date, type(None)})


def _values_key(name: str, values: list[Any]) -> tuple[Any, ...] | None:
    """A memo key for values that tells apart every two values that could give a different text or token
    (1 and True and 1.0 are equal in Python, Decimal("1.0") and Decimal("1.00") too); None for values it
    does not handle (lists, dicts)."""
    key: list[Any] = [name]
    for value in values:
        kind = type(value)
        if kind in _PLAIN_TYPES:
            key.append((kind, value))
        elif kind is Decimal or kind is float:
            key.append((kind, str(value)))
        else:
            return None
    return tuple(key)


def _token(values: list[tuple[str, Any]]) -> str:
    text = repr([(name, str(value) if isinstance(value, Decimal | date) else value) for name, value in values])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Evaluation:
    """The result of evaluating one record against a definition."""

    answers: dict[str, Any]
    derived: dict[str, Any]
    applicable_pages: list[PageInstance]
    applicable_questions: list[FieldRef]
    problems: list[Problem]
    missing: list[FieldRef]
    status: str
    confirmed: list[Problem] = field(default_factory=list)  # soft problems the user has confirmed
    section_statuses: dict[str, str] = field(default_factory=dict)
    scope: dict[str, Any] = field(default_factory=dict, repr=False)
    definition: Definition | None = field(default=None, repr=False)
    # Answers given that were not kept because their questions are not asked (see model.Cleared), in the order
    # the questions are asked.
    cleared: list[Cleared] = field(default_factory=list)

    @property
    def hard_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "hard"]

    @property
    def soft_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "soft"]

    @property
    def cleared_problems(self) -> list[Problem]:
        """The hard problems of answers not kept (each rule and item once): the combination the sender gave is
        an error, which channels that take answers as sent report instead of dropping them."""
        seen: dict[tuple[str, int | None], Problem] = {}
        for cleared in self.cleared:
            for problem in cleared.problems:
                seen.setdefault((problem.rule_id, problem.item), problem)
        return list(seen.values())

    @property
    def cleared_without_problems(self) -> list[Cleared]:
        """Answers not kept that no rule refuses: channels warn about them."""
        return [cleared for cleared in self.cleared if not cleared.problems]

    def section_status(self, section_id: str) -> str:
        return self.section_statuses[section_id]

    def is_applicable(self, ref: FieldRef | str) -> bool:
        key = ref.key if isinstance(ref, FieldRef) else ref
        return any(r.key == key for r in self.applicable_questions)

    def confirmation_token(self, rule_id: str, item: int | None = None) -> str:
        """What to store in confirmations[problem.confirmation_key] when the user confirms this soft problem."""
        assert self.definition is not None
        rule = self.definition.rule(rule_id)
        scope: Any = self.scope
        if rule.group is not None and item is not None:
            scope = ItemScope(self.scope[rule.group][item - 1], self.scope, item)
        return _token([(name, scope.get(name)) for name in rule.reads])

    def derived_json(self) -> dict[str, Any]:
        """Derived values as JSON-friendly values (dates as ISO strings, decimals as strings)."""
        def plain(value: Any) -> Any:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value
        result: dict[str, Any] = {}
        for key, value in self.derived.items():
            kind = type(value)
            # Most derived values are already plain (codes, numbers, text, None).
            result[key] = value if kind is str or kind is int or value is None or kind is bool else plain(value)
        return result
