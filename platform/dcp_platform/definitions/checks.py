"""Checks of a loaded definition before it is released, beyond the loader's start-up checks: questions that can
never be asked, rules that read questions never asked together, conditions that are always true or always false
(or compare an answer with a code it does not have), answer options no rule or page lets anyone give, and official
template fields mapped twice or not at all.

Pure: it reasons over the definition's expressions by working them out (with the reference evaluator, which
says what they mean) for every combination of the values that matter: each answer option of an option question
and no answer; for numbers, dates and texts the constants the expressions compare them with, one either side and
between, and no answer. Derived values are worked out from their own expressions. What cannot be enumerated that
way (aggregates over groups, plugin functions, today(), arithmetic on a number or a date, combinations over
`MAX_COMBINATIONS`) is not judged, so a finding is a certainty, never a guess.

A definition may allow a finding with a reason, reviewed like any change (`check_allowances` at the top level):

    check_allowances:
      - {check: unreachable_option, id: "rsnvac = 14", reason: "Only ever set by the system for renewals"}

An allowance without a reason, or one that allows nothing, is itself a finding, so allowances do not outlive what
they excuse (in a year that `extends` another, an unused allowance may be the base year's: it is only noted).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import reference
from .expressions import (
    AGGREGATES,
    CONTEXT_KEY,
    ITEM_NUMBER,
    Binary,
    Call,
    Const,
    Expression,
    ListLit,
    Name,
    Node,
    Unary,
)
from .model import OPTION_TYPES, Question

if TYPE_CHECKING:
    from .definition import Definition

MAX_COMBINATIONS = 4096  # combinations worked out per judgment; beyond this a judgment is not made
CHECKS: dict[str, str] = {
    "never_asked": "Questions that can never be asked",
    "rule_never_together": "Rules that read questions never asked together",
    "always_true": "Conditions that are always true",
    "always_false": "Conditions that are always false",
    "unknown_code": "Conditions that compare an answer with a code it does not have",
    "unreachable_option": "Answer options no rule or page lets anyone give",
    "template_field_twice": "Template fields mapped twice",
    "template_field_unmapped": "Template fields not mapped",
    "allowance": "Allowances that are not right",
}
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
# Built-in functions whose value over enumerated arguments is what the expression means (no clock, no plugin).
_PLAIN_FUNCTIONS = frozenset({"answered", "coalesce", "map", "if", "date", "min", "max", "abs", "len", "contains",
                              "round", "year", "month", "day", "matches"})


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # a key of CHECKS
    id: str  # the item: a question id, "rsnvac = 14", "page p", "rule r", "field 12"
    message: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "id": self.id, "message": self.message}


@dataclass(slots=True)
class CheckReport:
    collection: str
    form: str
    year: int
    findings: list[Finding] = field(default_factory=list)  # what must be fixed (or allowed)
    allowed: list[tuple[Finding, str]] = field(default_factory=list)  # findings allowed, with the reason
    not_judged: int = 0  # conditions and rules too complex to enumerate
    unused: list[Finding] = field(default_factory=list)  # allowances a year inherits that it does not need

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {"collection": self.collection, "form": self.form, "year": self.year, "ok": self.ok,
                "findings": [f.to_json() for f in self.findings],
                "allowed": [{**f.to_json(), "reason": reason} for f, reason in self.allowed],
                "unused_allowances": [f.to_json() for f in self.unused], "not_judged": self.not_judged}

    def to_text(self) -> str:
        lines = [f"{self.collection} {self.form} {self.year}: "
                 + ("passes" if self.ok else f"{len(self.findings)} problem{'s' if len(self.findings) != 1 else ''}")]
        for check, heading in CHECKS.items():
            found = [f for f in self.findings if f.check == check]
            if found:
                lines.append(f"{heading}:")
                lines.extend(f"  {f.id}: {f.message}" for f in found)
        if self.allowed:
            lines.append(f"Allowed ({len(self.allowed)}):")
            lines.extend(f"  {f.check} {f.id}: {reason}" for f, reason in self.allowed)
        if self.unused:
            lines.append("Allowances inherited and not needed (remove them with a change if they are not the base year's):")
            lines.extend(f"  {f.id}" for f in self.unused)
        lines.append(f"Not judged (too complex to enumerate): {self.not_judged}")
        return "\n".join(lines) + "\n"


class _Opaque(Exception):
    """An expression this module cannot enumerate faithfully."""


def _children(node: Node) -> list[Node]:
    if isinstance(node, ListLit):
        return list(node.items)
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Call):
        return list(node.args)
    pairs = getattr(node, "pairs", None)
    return [part for pair in pairs for part in pair] if pairs else []


def _constant(node: Node) -> tuple[bool, Any]:
    """(True, value) for a literal, a list of literals or date("...") of a literal."""
    if isinstance(node, Const):
        return True, node.value
    if isinstance(node, ListLit):
        values = [_constant(item) for item in node.items]
        return all(ok for ok, _ in values), [v for _, v in values]
    if isinstance(node, Call) and node.func == "date" and len(node.args) == 1 and isinstance(node.args[0], Const):
        try:
            return True, date.fromisoformat(str(node.args[0].value))
        except ValueError:
            return False, None
    return False, None


class _Space:
    """The values each name can take, and judgments over expressions by enumerating them."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.questions = definition.questions
        self.derived = {d.id: d for d in definition.derived}
        self.derived_order = [d.id for d in definition.derived]
        self.never_asked: set[str] = set()
        self.used_derived: set[str] = set()
        self.constants: dict[str, set[Any]] = {}
        self.simple: dict[str, bool] = {}
        expressions = [e for e in self._all_expressions() if e is not None]
        for expression in expressions:
            self._note_uses(expression.ast, None)
        self.asked_parts: dict[str, list[Expression]] = {}
        for section in definition.sections:
            for page in section.pages:
                for question in page.questions:
                    self.asked_parts[question.id] = [e for e in (section.condition, page.condition, question.condition)
                                                     if e is not None]

    def _all_expressions(self) -> Iterator[Expression | None]:
        for section in self.definition.sections:
            yield section.condition
            for page in section.pages:
                yield page.condition
                for question in page.questions:
                    yield question.condition
        for d in self.definition.derived:
            yield d.value
            yield d.condition
        for rule in self.definition.validations:
            yield rule.when

    def _note_uses(self, node: Node, parent: Node | None) -> None:
        """Constants each name is compared with, and whether every use of a name is such a comparison."""
        if isinstance(node, Name):
            simple = False
            if isinstance(parent, Binary) and parent.op in _COMPARISONS:
                other = parent.right if parent.left is node else parent.left
                ok, value = _constant(other)
                if ok:
                    simple = True
                    found = self.constants.setdefault(node.name, set())
                    for item in value if isinstance(value, list) else [value]:
                        if item is not None:
                            found.add(item)
            elif (parent is None or (isinstance(parent, Call) and parent.func == "answered")
                  or (isinstance(parent, Binary | Unary) and getattr(parent, "op", "") in ("and", "or", "not"))):
                simple = True
            self.simple[node.name] = self.simple.get(node.name, True) and simple
            return
        for child in _children(node):
            self._note_uses(child, node)

    # ------------------------------------------------------------------------------------------ domains

    def finite(self, name: str) -> bool:
        question = self.questions.get(name)
        return name == ITEM_NUMBER or (question is not None and question.type in OPTION_TYPES and bool(question.options))

    def domain(self, name: str) -> list[Any]:
        """The values of a name worth trying (None = no answer)."""
        if name in self.never_asked:
            return [None]
        if name == ITEM_NUMBER:
            return list(range(1, self._largest_group() + 1))
        question = self.questions.get(name)
        if question is not None and question.type in OPTION_TYPES and question.options:
            codes = [option.code for option in question.options]
            if question.type == "checkboxes":
                return [None, [], *([code] for code in codes), codes]
            return [None, *codes]
        return [None, *self._representatives(name, question)]

    def _largest_group(self) -> int:
        return max([g.max_items or 20 for g in self.definition.groups.values()] or [1])

    def _representatives(self, name: str, question: Question | None) -> list[Any]:
        constants = sorted(self.constants.get(name, set()), key=lambda v: (type(v).__name__, v))
        kind = question.type if question is not None else None
        numbers = [c for c in constants if isinstance(c, int | Decimal) and not isinstance(c, bool)]
        dates = [c for c in constants if isinstance(c, date)]
        others = [c for c in constants if c not in numbers and c not in dates]
        values: list[Any] = list(others)
        if numbers:
            whole = kind == "integer" or all(isinstance(n, int) for n in numbers)
            one = 1 if whole else Decimal("0.01")
            found = set()
            for n in numbers:
                found.update({n - one, n, n + one})
            for low, high in itertools.pairwise(numbers):
                found.add((low + high) // 2 if whole else (Decimal(low) + Decimal(high)) / 2)
            values += sorted(found)
        if dates:
            values += sorted({d + timedelta(days=k) for d in dates for k in (-1, 0, 1)})
        if not values:
            values = [self._any_value(kind)]
        if question is not None:
            values = [v for v in values if self._in_bounds(question, v)] or [self._any_value(kind)]
        if kind in ("money", "decimal"):
            values = [Decimal(v) if isinstance(v, int) else v for v in values]
        return values

    @staticmethod
    def _any_value(kind: str | None) -> Any:
        return {"date": date(2026, 6, 1), "text": "text", "postcode": "SW1A 1AA", "email": "a@example.com",
                "money": Decimal("1.00"), "decimal": Decimal("1")}.get(kind or "", 1)

    @staticmethod
    def _in_bounds(question: Question, value: Any) -> bool:
        try:
            if isinstance(question.min, int | Decimal) and not isinstance(question.min, bool) and value < question.min:
                return False
            if isinstance(question.max, int | Decimal) and not isinstance(question.max, bool) and value > question.max:
                return False
        except TypeError:
            return True
        return True

    # ------------------------------------------------------------------------------------------ judgments

    def _inputs(self, names: set[str], seen: set[str] | None = None) -> list[str]:
        """The answers (and the item number) the names read, derived values worked out; raises _Opaque."""
        seen = set() if seen is None else seen
        found: list[str] = []
        for name in sorted(names):
            if name in seen:
                continue
            seen.add(name)
            if name in self.derived:
                self.used_derived.add(name)
                d = self.derived[name]
                for expression in (d.value, d.condition):
                    if expression is not None:
                        self.require_plain(expression)
                        found += self._inputs(set(expression.names), seen)
            elif name in self.questions or name == ITEM_NUMBER:
                if not self.finite(name) and not self.simple.get(name, True):
                    raise _Opaque(name)
                found.append(name)
            else:  # a group id (aggregates are refused before) or a context name
                if not self.simple.get(name, True):
                    raise _Opaque(name)
                found.append(name)
        return found

    def require_plain(self, expression: Expression) -> None:
        if any(f not in _PLAIN_FUNCTIONS for f in expression.functions):
            raise _Opaque(expression.source)
        self._no_aggregates(expression.ast)

    def _no_aggregates(self, node: Node) -> None:
        if isinstance(node, Call) and (node.func in AGGREGATES or node.func not in _PLAIN_FUNCTIONS):
            raise _Opaque(node.func)
        for child in _children(node):
            self._no_aggregates(child)

    def scopes(self, expressions: list[Expression], *, consistent: bool, fixed: dict[str, Any] | None = None
               ) -> Iterator[dict[str, Any]]:
        """Every combination of the values the expressions' inputs can take. `consistent`: an answer whose own
        question is not asked in that combination is no answer. Raises _Opaque (also when there are too many)."""
        fixed = fixed or {}
        self.used_derived = set()
        names: set[str] = set()
        for expression in expressions:
            self.require_plain(expression)
            names |= set(expression.names)
        inputs = self._inputs(names)
        checkable: set[str] = set()
        if consistent:
            inputs, checkable = self._with_asking(inputs)
        domains = [[fixed[n]] if n in fixed else self.domain(n) for n in inputs]
        total = 1
        for values in domains:
            total *= len(values)
            if total > MAX_COMBINATIONS:
                raise _Opaque("too many combinations")
        ordered = sorted(inputs, key=self._position)
        derived = [self.derived[n] for n in self.derived_order if n in self.used_derived]
        for combination in itertools.product(*domains):
            scope: dict[str, Any] = dict(zip(inputs, combination, strict=True))
            scope[CONTEXT_KEY] = None
            if consistent:
                for name in ordered:
                    self._derive(scope, derived)  # conditions may read derived values of earlier answers
                    if (name in checkable and scope.get(name) is not None and name not in fixed
                            and not self.questions[name].set_by_system  # an answer set by the system stays
                            and not all(reference.truth(part, scope) for part in self.asked_parts[name])):
                        scope[name] = None
            self._derive(scope, derived)
            yield scope

    def _with_asking(self, inputs: list[str]) -> tuple[list[str], set[str]]:
        """The inputs and the answers their questions' conditions read (as far as they can be enumerated), and the
        questions whose conditions can all be worked out (only those are made no answer when not asked)."""
        found = list(inputs)
        checkable: set[str] = set()
        queue = list(inputs)
        while queue:
            name = queue.pop()
            if name not in self.asked_parts:
                continue
            try:
                extra: list[str] = []
                for part in self.asked_parts[name]:
                    self.require_plain(part)
                    extra += self._inputs(set(part.names))
            except _Opaque:
                continue  # left free: any value, asked or not
            checkable.add(name)
            for other in extra:
                if other not in found:
                    found.append(other)
                    queue.append(other)
        return found, checkable

    def _position(self, name: str) -> int:
        question = self.questions.get(name)
        return question.position if question is not None else -1

    def _derive(self, scope: dict[str, Any], derived: list[Any]) -> None:
        for d in derived:
            name = d.id
            if d.sets is not None:
                continue
            try:
                applies = d.condition is None or reference.truth(d.condition, scope)
                scope[name] = reference.value(d.value, scope) if applies else None
            except Exception:  # noqa: BLE001 - a value the enumeration made up that the expression cannot take
                scope[name] = None

    def satisfiable(self, expressions: list[Expression], *, consistent: bool, fixed: dict[str, Any] | None = None
                    ) -> bool:
        """Some combination makes every expression true; raises _Opaque when that cannot be worked out."""
        for scope in self.scopes(expressions, consistent=consistent, fixed=fixed):
            if all(_truth(expression, scope) for expression in expressions):
                return True
        return False

    def always(self, expression: Expression) -> bool | None:
        """True: true in every combination; False: in none; None: it depends. Raises _Opaque."""
        results = {_truth(expression, scope) for scope in self.scopes([expression], consistent=False)}
        if results == {True}:
            return True
        if results == {False}:
            return False
        return None


def _truth(expression: Expression, scope: dict[str, Any]) -> bool:
    try:
        return reference.truth(expression, scope)
    except Exception:  # noqa: BLE001 - e.g. a made-up date in arithmetic; such a combination proves nothing
        return False


def _negated(expression: Expression) -> Expression:
    return replace(expression, ast=Unary(expression.ast.col, "not", expression.ast), source=f"not ({expression.source})")


class _Checker:
    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.space = _Space(definition)
        self.findings: list[Finding] = []
        self.not_judged = 0
        self.always_false_owners: set[str] = set()

    def add(self, check: str, item: str, message: str) -> None:
        self.findings.append(Finding(check, item, message))

    def run(self) -> list[Finding]:
        self.conditions()
        self.never_asked()
        self.rules()
        self.options()
        self.template_fields()
        return self.findings

    def owners(self) -> Iterator[tuple[str, Expression]]:
        for section in self.definition.sections:
            if section.condition is not None:
                yield f"section {section.id}", section.condition
            for page in section.pages:
                if page.condition is not None:
                    yield f"page {page.id}", page.condition
                for question in page.questions:
                    if question.condition is not None:
                        yield f"question {question.id}", question.condition
        for d in self.definition.derived:
            if d.condition is not None:
                yield f"derived {d.id}", d.condition
        for rule in self.definition.validations:
            yield f"rule {rule.id}", rule.when

    def conditions(self) -> None:
        for owner, expression in self.owners():
            self.unknown_codes(owner, expression, expression.ast)
            try:
                verdict = self.space.always(expression)
            except _Opaque:
                self.not_judged += 1
                continue
            if verdict is True:
                self.add("always_true", owner, f"“{expression.source}” is true whatever the answers")
            elif verdict is False:
                self.always_false_owners.add(owner)
                self.add("always_false", owner, f"“{expression.source}” is false whatever the answers")

    def unknown_codes(self, owner: str, expression: Expression, node: Node) -> None:
        if isinstance(node, Binary) and node.op in _COMPARISONS:
            for name_node, other in ((node.left, node.right), (node.right, node.left)):
                question = self.definition.questions.get(getattr(name_node, "name", ""))
                ok, value = _constant(other)
                if question is None or not ok or not question.options or question.type not in OPTION_TYPES:
                    continue
                codes = {option.code for option in question.options}
                unknown = [v for v in (value if isinstance(value, list) else [value]) if v is not None and v not in codes]
                if unknown and node.op not in ("<", "<=", ">", ">="):
                    self.add("unknown_code", owner, f"“{expression.source}” compares {question.id} with "
                             f"{', '.join(map(repr, unknown))}, which is not one of its answer codes")
        for child in _children(node):
            self.unknown_codes(owner, expression, child)

    def never_asked(self) -> None:
        setters = {d.sets: d for d in self.definition.derived if d.sets is not None}
        for question in sorted(self.definition.questions.values(), key=lambda q: q.position):
            parts = self.space.asked_parts.get(question.id, [])
            setter = setters.get(question.id)
            if setter is not None and setter.condition is None:
                self.space.never_asked.add(question.id)
                self.add("never_asked", question.id, f"the derived value {setter.id} always sets it")
                continue
            owners = {f"section {question.section_id}", f"page {question.page_id}", f"question {question.id}"}
            if not parts or owners & self.always_false_owners:
                if owners & self.always_false_owners:
                    self.space.never_asked.add(question.id)  # reported as a condition always false
                continue
            try:
                possible = self.space.satisfiable(parts, consistent=True)
            except _Opaque:
                self.not_judged += 1
                continue
            if not possible:
                self.space.never_asked.add(question.id)
                self.add("never_asked", question.id, "its section, page and question conditions are never true together: "
                         + " and ".join(f"“{part.source}”" for part in parts))

    def rules(self) -> None:
        for rule in self.definition.validations:
            if f"rule {rule.id}" in self.always_false_owners:
                continue
            try:
                possible = self.space.satisfiable([rule.when], consistent=True)
            except _Opaque:
                self.not_judged += 1
                continue
            if not possible:
                read = sorted(n for n in rule.when.names if n in self.definition.questions)
                self.add("rule_never_together", f"rule {rule.id}",
                         f"“{rule.when.source}” can only be true when {', '.join(read)} are all answered, "
                         "and they are never asked together")

    def options(self) -> None:
        hard = [rule for rule in self.definition.validations if rule.severity == "hard"]
        for question in self.definition.questions.values():
            if question.type not in OPTION_TYPES or question.type == "checkboxes" or not question.options:
                continue
            if question.id in self.space.never_asked:
                continue
            parts = self.space.asked_parts.get(question.id, [])
            for option in question.options:
                for rule in hard:
                    if question.id not in rule.when.names or question.id not in rule.fields:
                        continue  # a rule not on this question may be skipped (none of its fields asked)
                    try:
                        possible = self.space.satisfiable([*parts, _negated(rule.when)], consistent=True,
                                                          fixed={question.id: option.code})
                    except _Opaque:
                        continue
                    if not possible:
                        self.add("unreachable_option", f"{question.id} = {option.code}",
                                 f"“{option.label}” is refused by the hard rule {rule.id} whenever the question is asked")
                        break

    def template_fields(self) -> None:
        counts = Counter(n for q in self.definition.questions.values() for n in q.all_template_fields())
        for number, count in sorted(counts.items()):
            if count > 1:
                users = [q.id for q in self.definition.questions.values() if number in q.all_template_fields()]
                self.add("template_field_twice", f"field {number}", f"mapped {count} times: {', '.join(users)}")
        if not counts:
            return
        declared = self.definition.raw.get("template_field_count")
        last = int(declared) if declared else max(counts)
        for number in range(1, last + 1):
            if number not in counts:
                self.add("template_field_unmapped", f"field {number}", "no question reads this template field")
        for number in sorted(n for n in counts if n > last):
            self.add("template_field_unmapped", f"field {number}",
                     f"mapped, but the template has {last} fields (template_field_count)")


def check_definition(definition: Definition) -> CheckReport:
    """Every check over one definition, with its allowances (`check_allowances`) applied."""
    found = _Checker(definition)
    findings = found.run()
    report = CheckReport(definition.collection, definition.form, definition.year, not_judged=found.not_judged)
    allowances = definition.raw.get("check_allowances") or []
    used: set[int] = set()
    for finding in findings:
        match = next((i for i, a in enumerate(allowances) if isinstance(a, dict)
                      and a.get("check") == finding.check and str(a.get("id")) == finding.id), None)
        if match is not None and str(allowances[match].get("reason") or "").strip():
            used.add(match)
            report.allowed.append((finding, str(allowances[match]["reason"]).strip()))
        else:
            report.findings.append(finding)
    for i, allowance in enumerate(allowances):
        if not isinstance(allowance, dict) or not str(allowance.get("reason") or "").strip():
            report.findings.append(Finding("allowance", str(i + 1), f"allowance {allowance!r} has no reason"))
        elif i not in used:
            unused = Finding("allowance", f"{allowance.get('check')} {allowance.get('id')}",
                             "allows a finding the checks no longer make: remove it")
            if definition.raw.get("extends"):
                report.unused.append(unused)  # perhaps the base year's: only a note
            else:
                report.findings.append(unused)
    return report
