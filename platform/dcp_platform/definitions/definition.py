"""The Definition: a checked, compiled collection-year form, and its evaluation of a record."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from . import coerce as coercion
from .coerce import Checker
from .expressions import CONTEXT_KEY, GENERATED_BUILTINS, Binary, Compiled, Expression, ItemScope, Node
from .model import (
    DerivedValue,
    EvalContext,
    FieldRef,
    Group,
    Page,
    PageInstance,
    Problem,
    Question,
    Rule,
    Section,
    TemplateFieldSpec,
)

_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MAX_PASSES = 10  # clearing answers can make later conditions change; repeat until nothing changes
_MAX_LISTED_ITEMS = 20  # refs and page instances made in advance for groups without max_items
_COERCE_MEMO_SIZE = 8192  # remembered coercions of input and of derived values into answers (see _coerce_remembered)
_RULE_TEXTS_MEMO_SIZE = 4096  # remembered problem messages and tokens (see Definition._rule_texts)
_RULE_PARTS_LIMIT = 20_000  # rule and item pairs whose fixed parts are kept (see Definition._rule_parts)


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _to_decimal(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


_SCOPE_CONVERTERS: dict[str, Callable[[Any], Any]] = {"date": _to_date, "decimal": _to_decimal, "money": _to_decimal}


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

    @property
    def hard_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "hard"]

    @property
    def soft_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "soft"]

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


@dataclass(frozen=True, slots=True)
class _Ask:
    """One question of a page, ready for the applicability walk and the type check."""

    question: Question
    id: str
    check: Checker
    expression_bounds: bool
    # (FieldRef, key) by item number (0 outside groups): FieldRefs are immutable, so shared by every evaluation.
    refs: list[tuple[FieldRef, str]]


@dataclass(frozen=True, slots=True)
class _PageStep:
    page: Page
    group: str | None
    asks: tuple[_Ask, ...]
    # PageInstance by item number (0 outside groups), immutable and shared like the refs.
    instances: list[PageInstance]


@dataclass(frozen=True, slots=True)
class _SectionStep:
    section: Section
    condition: Compiled | None
    pages: tuple[_PageStep, ...]


class _Walk:
    """Mutable state of one applicability pass, and what the pass found about the questions it asked (in the
    order asked): what _finish reports when no other pass follows. (A plain class: one is made per pass, and a
    dataclass's default factories cost more.)"""

    __slots__ = ("record", "items", "pages", "sections", "changed", "applicable", "keys", "missing", "problems",
                 "answered")

    def __init__(self) -> None:
        self.record: dict[str, Any] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.pages: list[PageInstance] = []
        self.sections: dict[str, bool] = {}
        self.changed = False
        self.applicable: list[FieldRef] = []
        self.keys: list[str] = []  # FieldRef.key of each applicable question
        self.missing: list[FieldRef] = []
        # Type problems, and (ask, item, value) in the place of a check that needs the final scope (see _finish).
        self.problems: list[Any] = []
        self.answered: tuple[bool, ...] = ()  # by section: whether an asked question is answered


class _Source:
    """The source of one generated function that inlines compiled expressions (see expressions.Expression.body).

    Expressions are written over `g` (the scope's .get) and `scope`, so generated functions take the scope as
    their first parameter, named `scope`, and start with `g = scope.get`.
    """

    def __init__(self, name: str, parameters: str) -> None:
        self.name = name
        self.lines = [f"def {name}(scope, {parameters}):", "    g = scope.get"]
        self.namespace: dict[str, Any] = {}
        self.constants = 0

    def expression(
        self, expression: Expression, *, truth: bool = False, item: bool = False, names: dict[str, str] | None = None,
        hoist_at: int | None = None, part: Node | None = None,
    ) -> str:
        """The expression inline; `item`: over one group item (expressions.Expression.item_body), which needs
        `item`, `number`, `parent` and `pg` (parent.get) defined; `names`: names read from local variables
        (expressions.Expression.inline); `hoist_at`: with `names`, the aggregates it always works out are loops
        added here at that indent, just before the line the expression goes in (which needs `parent` and `pg`,
        and may change `item`, `number`, `_v` and `_a1`, `_a2`, ...); `part`: with `names`, only this part of the
        expression (Expression.if_parts)."""
        if names:
            hoist: list[str] | None = [] if hoist_at is not None else None
            body, namespace = expression.inline(names, truth=truth, hoist=hoist, part=part)
            self.namespace.update(namespace)
            for line in hoist or ():
                self.add(hoist_at, line)  # type: ignore[arg-type]
            return f"({body})"
        self.namespace.update(expression.namespace)
        if item:
            return f"({expression.item_truth_body if truth else expression.item_body})"
        return f"({expression.truth_body if truth else expression.body})"

    def constant(self, value: Any) -> str:
        self.constants += 1
        name = f"_c{self.constants}"
        self.namespace[name] = value
        return name

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def build(self) -> Callable[..., Any]:
        self.namespace["__builtins__"] = {**GENERATED_BUILTINS, "zip": zip, "enumerate": enumerate}
        source = "\n".join(self.lines) + "\n"
        exec(compile(source, f"<definition {self.name}>", "exec"), self.namespace)  # noqa: S102
        function: Callable[..., Any] = self.namespace[self.name]
        function.source = source  # type: ignore[attr-defined]  # for debugging
        return function


def _derive_function(derived: list[DerivedValue], questions: dict[str, Question]) -> Callable[..., dict[str, Any]]:
    """All derived values in order, as one function(scope, record, items, set_answer) -> the record-level
    derived values: record-level values inline, values per group item in a loop over the items (scope[group]:
    their scopes, items: their answers), read over each item as an ItemScope would read it
    (expressions.Expression.item_body).

    Record-level values are also kept in local variables, and so are the answers that several of them read
    (read once at the start, and again after a derived value sets one): later values read those instead of the
    scope. (A derived value only reads earlier ones, so each is set before it is read.)"""
    source = _Source("derive", "record, items, set_answer")
    source.add(1, "parent, pg = scope, g  # the scope around each group item")
    record_level = [d for d in derived if d.group is None]
    names = {d.id: f"v_{d.id}" for d in record_level if d.id.isidentifier()}
    shared = _shared_names([e for d in record_level for e in (d.value, d.condition) if e is not None])
    answers = {name: local for name, local in shared.items() if name not in names}
    names.update(answers)
    for name, local in answers.items():
        source.add(1, f"{local} = g({name!r})")
    for d in derived:
        sets = source.constant(questions[d.sets]) if d.sets is not None else None
        if d.group is None:
            indent = 1
            if d.condition is not None:
                source.add(1, f"if {source.expression(d.condition, truth=True, names=names, hoist_at=1)}:")
                indent = 2
            parts = d.value.if_parts()
            if parts is None:
                source.add(indent, f"value = {source.expression(d.value, names=names, hoist_at=indent)}")
            else:  # an if statement, so that the aggregates of each branch are loops too
                condition, then, otherwise = parts
                test = source.expression(d.value, truth=True, names=names, hoist_at=indent, part=condition)
                source.add(indent, f"if {test}:")
                source.add(indent + 1, f"value = {source.expression(d.value, names=names, hoist_at=indent + 1, part=then)}")
                source.add(indent, "else:")
                source.add(indent + 1,
                           f"value = {source.expression(d.value, names=names, hoist_at=indent + 1, part=otherwise)}")
            variable = names.get(d.id)
            source.add(indent, f"scope[{d.id!r}] = value" if variable is None else f"scope[{d.id!r}] = {variable} = value")
            if sets is not None:
                source.add(indent, f"set_answer({sets}, value, scope, record)")
                if d.sets in answers:
                    source.add(indent, f"{answers[d.sets]} = g({d.sets!r})  # as set_answer left it")
            if d.condition is not None:
                source.add(1, "else:")
                source.add(2, f"scope[{d.id!r}] = None" if variable is None else f"scope[{d.id!r}] = {variable} = None")
            continue
        source.add(1, f"for number, (item, answers) in enumerate(zip(scope[{d.group!r}], items[{d.group!r}]), start=1):")
        indent = 2
        if d.condition is not None:
            source.add(2, f"if {source.expression(d.condition, truth=True, item=True)}:")
            indent = 3
        source.add(indent, f"value = {source.expression(d.value, item=True)}")
        source.add(indent, f"item[{d.id!r}] = value")
        if sets is not None:
            source.add(indent, f"set_answer({sets}, value, item, answers)")
        if d.condition is not None:
            source.add(2, "else:")
            source.add(3, f"item[{d.id!r}] = None")
    # The record-level values as a copy of a dict with their keys, filled in: a dict display of more than 15
    # entries is built an entry at a time, growing as it goes, which costs more than the copy and the stores.
    source.add(1, f"values = {source.constant(dict.fromkeys(d.id for d in record_level))}.copy()")
    for d in record_level:
        source.add(1, f"values[{d.id!r}] = {names[d.id]}" if d.id in names else f"values[{d.id!r}] = scope[{d.id!r}]")
    source.add(1, "return values")
    return source.build()


def _walk_function(
    plan: tuple[_SectionStep, ...], setters: dict[str, list[DerivedValue]], groups: dict[str, Group]
) -> Callable[..., tuple[bool, ...]]:
    """The applicability walk of every page, and what the asked questions come to, as one function

        walk(scope, record, kept, rows, sections, pages, applicable, keys, missing, problems, ask_ref,
             page_instance, type_problem) -> whether each section has an answered asked question.

    It works out what applies in the order questions are asked, keeping (in `kept`, or the kept item of `rows`)
    only the answers to questions that apply and removing the others from the scope, so that later conditions
    see them cleared. For each question asked it notes its FieldRef and key, whether it is missing, and its
    type problem (most answers are accepted by a check written out inline, the others go to the question's
    checker): one pass over the questions instead of a second loop with a call per question. A check whose
    bounds are expressions needs the final scope, so the walk leaves (ask, item, value) in its place.

    A name that several conditions outside groups read is read once, into a local variable, at the start: the
    walk only removes answers from the scope, and sets the variable to None where it removes that one.

    `rows[group]` holds (number, item scope, old answers, kept answers) for each item: group pages run once per
    item, reading names as an ItemScope would (expressions.Expression.item_body).
    """
    source = _Source("walk", "record, kept, rows, sections, pages, applicable, keys, missing, problems, ask_ref, "
                             "page_instance, type_problem")
    source.add(1, "parent, pg = scope, g  # the scope around each group item")
    source.add(1, "add_page, add_applicable, add_key = pages.append, applicable.append, keys.append")
    source.add(1, "add_missing, add_problem = missing.append, problems.append")
    conditions = [step.section.condition for step in plan if step.section.condition is not None]
    for step in plan:
        for page in step.pages:
            if page.group is None:
                conditions += [page.page.condition] if page.page.condition is not None else []
                conditions += [ask.question.condition for ask in page.asks if ask.question.condition is not None]
                conditions += [d.condition for ask in page.asks if ask.question.set_by_system
                               for d in setters.get(ask.id, []) if d.condition is not None]
    names = _shared_names(conditions)
    for name, local in names.items():
        source.add(1, f"{local} = g({name!r})")
    flags = [f"answered_{index}" for index in range(len(plan))]
    for flag in flags:
        source.add(1, f"{flag} = False")
    for step, flag in zip(plan, flags, strict=True):
        section = step.section
        source.add(1, f"# section {section.id}")
        always_shown = section.condition is None
        if section.condition is None:
            source.add(1, f"sections[{section.id!r}] = True")
        else:
            source.add(1, f"shown = bool({source.expression(section.condition, truth=True, names=names)})")
            source.add(1, f"sections[{section.id!r}] = shown")
        for page in step.pages:
            source.add(1, f"# page {page.page.id}")
            if page.group is not None:
                source.add(1, f"for number, item, old, kept_item in rows[{page.group!r}]:")
                _walk_page(source, page, setters, groups, 2, flag, always_shown, {})
            else:
                _walk_page(source, page, setters, groups, 1, flag, always_shown, names)
    source.add(1, f"return ({', '.join(flags)},)")
    return source.build()


def _walk_page(
    source: _Source, page: _PageStep, setters: dict[str, list[DerivedValue]], groups: dict[str, Group], indent: int,
    flag: str, section_always_shown: bool, names: dict[str, str],
) -> None:
    """One page of the walk (see _walk_function). Outside groups the scope is also where cleared answers are
    removed, `record` the answers and `kept` those that stay; in a group, `item`, `old` and `kept_item`.

    A page of a section without a condition that has no condition of its own is always shown: its tests of
    page_shown are left out (and so are the branches that clear its questions' answers when it is not).
    `names`: the names its conditions read from local variables (outside groups; see _walk_function)."""
    in_group = page.group is not None
    write, old, kept = ("item", "old", "kept_item") if in_group else ("scope", "record", "kept")
    item = "number" if in_group else "0"
    if in_group:
        largest = groups[page.group].max_items  # type: ignore[index]
        bounded = largest is not None and largest < len(page.instances)
    # Tests that are all true when the page is shown, and page_shown, which is set when there are any.
    page_tests: list[str] = []
    if not section_always_shown:
        page_tests.append("shown")
    if page.page.condition is not None:
        page_tests.append(source.expression(page.page.condition, truth=True, item=in_group, names=names))
    if page_tests:
        source.add(indent, f"page_shown = {' and '.join(page_tests)}")
    shown_tests = ["page_shown"] if page_tests else []
    # Whether the page is shown to the user: when one question is asked whenever the page is, that is page_shown.
    always = any(ask.question.condition is None and not ask.question.set_by_system for ask in page.asks)
    instance = source.constant(page.instances) + "[number]" if in_group else source.constant(page.instances[0])
    if in_group and not bounded:
        instance = f"({instance} if number < {len(page.instances)} else page_instance({source.constant(page.page)}, number))"
    if always:
        if shown_tests:
            source.add(indent, "if page_shown:")
            source.add(indent + 1, f"add_page({instance})")
        else:
            source.add(indent, f"add_page({instance})")
    else:
        source.add(indent, "any_asked = False")
    for ask in page.asks:
        question = ask.question
        qid = repr(ask.id)
        keyword = "if"
        if question.set_by_system:
            conditions = [d.condition for d in setters.get(ask.id, [])]
            if any(c is None for c in conditions):
                is_set = "True"
            elif conditions:
                is_set = " or ".join(source.expression(c, truth=True, item=in_group, names=names)
                                     for c in conditions if c is not None)
            else:
                is_set = "False"
            source.add(indent, f"if {qid} in {old} and ({is_set}):")
            source.add(indent + 1, f"{kept}[{qid}] = {old}[{qid}]  # answered by the system: kept, not asked")
            keyword = "elif"
        asked = shown_tests if question.condition is None else \
            [*shown_tests, source.expression(question.condition, truth=True, item=in_group, names=names)]
        if asked:
            source.add(indent, f"{keyword} {' and '.join(asked)}:")
            body = indent + 1
        elif keyword == "elif":
            source.add(indent, "else:")
            body = indent + 1
        else:  # asked whenever the walk gets here
            body = indent
        if not always:
            source.add(body, "any_asked = True")
        if not in_group:
            ref, key = ask.refs[0]
            ref_name = source.constant(ref)
            source.add(body, f"add_applicable({ref_name})")
            source.add(body, f"add_key({key!r})")
        else:
            refs = source.constant(ask.refs)
            pair = f"{refs}[number]" if bounded else \
                f"({refs}[number] if number < {len(ask.refs)} else ask_ref({source.constant(ask)}, number))"
            source.add(body, f"ref, key = {pair}")
            source.add(body, "add_applicable(ref)")
            source.add(body, "add_key(key)")
            ref_name = "ref"
        source.add(body, f"value = {old}.get({qid})")
        source.add(body, "if value is not None:")
        source.add(body + 1, f"{kept}[{qid}] = value")
        source.add(body + 1, f"{flag} = True")
        if ask.expression_bounds:
            # Bounds that are expressions read the scope as it is after the whole walk: checked in _finish.
            source.add(body + 1, f"add_problem(({source.constant(ask)}, {item}, value))")
        elif (fast := coercion.plainly_valid_source(question, "value", source.constant)) != "True":
            check = f"(message := {source.constant(ask.check)}(value, None)) is not None"
            lines = coercion.plainly_valid_lines(question, "value", "plain", source.constant) if fast is None else None
            if lines is not None:  # the checker's fast path as statements: most answers need no call
                for depth, line in lines:
                    source.add(body + 1 + depth, line)
                test = f"not plain and {check}"
            else:
                test = check if fast is None else f"not ({fast}) and {check}"
            source.add(body + 1, f"if {test}:")
            source.add(body + 2, f"add_problem(type_problem({source.constant(ask)}, {item}, message))")
        if question.required:
            source.add(body, "else:")
            source.add(body + 1, f"add_missing({ref_name})")
        if asked:
            source.add(indent, f"elif {qid} in {write}:")
            source.add(indent + 1, f"del {write}[{qid}]  # later conditions must see the cleared answer")
            if ask.id in names:
                source.add(indent + 1, f"{names[ask.id]} = None")
    if not always:
        source.add(indent, "if any_asked:")
        source.add(indent + 1, f"add_page({instance})")


def _record_rules_function(validations: list[Rule]) -> Callable[[dict[str, Any]], list[Any]]:
    """The rules' conditions as function(scope) -> in order, the position of each record-level rule that holds,
    and (position, item number) for each item of a group where a group rule holds (read over the item as an
    ItemScope would read it, expressions.Expression.item_body): the items' loops are written out here rather
    than a call per rule and item.

    The scope does not change while they run, so a name that several conditions read is read once, into a
    local variable, at the start. A record-level condition's `and`s and `or`s are nested if statements
    (_add_when_true)."""
    source = _Source("record_rules", "")
    source.lines[0] = "def record_rules(scope):"
    source.add(1, "parent, pg = scope, g  # the scope around each group item")
    rules = [(index, rule) for index, rule in enumerate(validations) if rule.group is None]
    names = _shared_names([rule.when for _index, rule in rules])
    for name, local in names.items():
        source.add(1, f"{local} = g({name!r})")
    source.add(1, "holds = []")
    source.add(1, "add = holds.append")
    for index, rule in enumerate(validations):
        if rule.group is not None:
            source.add(1, f"for number, item in enumerate(scope[{rule.group!r}], start=1):  # {rule.id}")
            source.add(2, f"if {source.expression(rule.when, truth=True, item=True)}:")
            source.add(3, f"add(({index}, number))")
            continue
        _add_when_true(source, rule.when, rule.when.ast, names, 1, f"add({index})")
    source.add(1, "return holds")
    return source.build()


_MAX_TEST_DEPTH = 40  # nested ifs written for one condition (Python allows 100 levels of indentation)


def _add_when_true(
    source: _Source, expression: Expression, node: Node, names: dict[str, str], indent: int, line: str,
    then: Callable[[int], None] | None = None,
) -> None:
    """`line` run when this part of the expression is true (or, with `then`, what then(indent) writes), written
    as nested if statements for its `and`s, and for an `or` whose left operand is neither: `if a or b: line` as
    `if a: line else: if b: line`. Each operand is then always worked out where it stands, so its aggregates are
    loops just before it (_Source.expression's hoist_at) rather than calls per aggregate and per item; operands
    are worked out in the same order, and as often, as in the expression."""
    def body(at: int) -> None:
        if then is None:
            source.add(at, line)
        else:
            then(at)

    if isinstance(node, Binary) and node.op in ("and", "or") and indent < _MAX_TEST_DEPTH:
        if node.op == "and":
            right = node.right
            _add_when_true(source, expression, node.left, names, indent, line,
                           lambda at: _add_when_true(source, expression, right, names, at, line, then))
            return
        if then is None and not (isinstance(node.left, Binary) and node.left.op in ("and", "or")):
            # (Only `line` is written twice, never a rest of the condition.)
            test = source.expression(expression, truth=True, names=names, hoist_at=indent, part=node.left)
            source.add(indent, f"if {test}:")
            source.add(indent + 1, line)
            source.add(indent, "else:")
            _add_when_true(source, expression, node.right, names, indent + 1, line)
            return
    test = source.expression(expression, truth=True, names=names, hoist_at=indent, part=node)
    source.add(indent, f"if {test}:")
    body(indent + 1)


# How _convert_function writes out each of _SCOPE_CONVERTERS: (function, the error that leaves a text as it is).
_CONVERSIONS: dict[Callable[[Any], Any], tuple[Callable[[str], Any], type[Exception]]] = {
    _to_date: (date.fromisoformat, ValueError), _to_decimal: (Decimal, InvalidOperation),
}


def _convert_function(converters: list[tuple[str, Callable[[Any], Any]]]) -> Callable[[dict[str, Any]], None]:
    """convert(scope): the record-level answers that _SCOPE_CONVERTERS turn into values, converted in place,
    written out (a text that does not convert stays as it is, so only a converted value is written back)."""
    source = _Source("convert", "")
    source.lines[0] = "def convert(scope):"
    source.namespace["isinstance"] = isinstance
    for question_id, convert in converters:
        function, error = _CONVERSIONS[convert]
        source.add(1, f"value = g({question_id!r})")
        source.add(1, "if isinstance(value, str):")
        source.add(2, "try:")
        source.add(3, f"scope[{question_id!r}] = {source.constant(function)}(value)")
        source.add(2, f"except {source.constant(error)}:")
        source.add(3, "pass")
    return source.build()


def _shared_names(expressions: list[Expression]) -> dict[str, str]:
    """The names read (outside aggregates) by more than one place in these expressions, with a local variable
    name for each."""
    uses = Counter(use.name for expression in expressions for use in expression.name_uses if use.group is None)
    return {name: f"v_{name}" for name, count in uses.items() if count > 1 and name.isidentifier()}


class Definition:
    def __init__(
        self,
        *,
        raw: dict[str, Any],
        source: str,
        sections: list[Section],
        groups: dict[str, Group],
        questions: dict[str, Question],
        derived: list[DerivedValue],
        validations: list[Rule],
        context_names: frozenset[str] = frozenset(),
    ) -> None:
        self.raw = raw
        self.source = source
        self.collection: str = str(raw["collection"])
        self.form: str = str(raw["form"])
        self.year: int = int(raw["year"])
        self.title: str = str(raw.get("title") or self.form)
        self.record_reference: list[str] = list(raw.get("record_reference") or [])
        self.search_fields: list[str] = list(raw.get("search_fields") or [])
        self.date_question: str | None = raw.get("date_question")
        self.owner_question: str | None = raw.get("owner_question")
        self.manager_question: str | None = raw.get("manager_question")
        self.duplicate_check: list[str] = list(raw.get("duplicate_check") or [])
        self.sections = sections
        self.groups = groups
        self.questions = questions
        self.derived = derived
        self.validations = validations
        self.context_names = context_names
        self.pages: list[Page] = [page for section in sections for page in section.pages]
        self._pages_by_id = {page.id: page for page in self.pages}
        self._rules_by_id = {rule.id: rule for rule in validations}
        self._record_ids = frozenset(q.id for q in questions.values() if q.group is None)
        self._converters = [
            (q.id, _SCOPE_CONVERTERS[q.type]) for q in questions.values() if q.group is None and q.type in _SCOPE_CONVERTERS
        ]
        self._group_converters = {
            g: [(q, _SCOPE_CONVERTERS[self.questions[q].type]) for q in group.question_ids
                if self.questions[q].type in _SCOPE_CONVERTERS]
            for g, group in groups.items()
        }
        self._group_question_ids = {g: frozenset(group.question_ids) for g, group in groups.items()}
        self._groups = tuple(groups.items())
        self._expression_bounds = frozenset(
            q.id for q in questions.values() if isinstance(q.min, Expression) or isinstance(q.max, Expression)
        )
        self._section_of = {q.id: q.section_id for q in questions.values()}
        self._ref_cache: dict[tuple[str, int | None], tuple[FieldRef, str]] = {}
        self._page_instances: dict[tuple[str, int | None], PageInstance] = {}
        self._coerce_memo: dict[Any, tuple[Any, str | None]] = {}
        self._rule_texts_memo: dict[tuple[Any, ...], tuple[str, str | None, str | None]] = {}
        self._rule_parts_cache: dict[tuple[str, int | None], tuple[tuple[FieldRef, ...], tuple[str, ...], tuple[int, ...], str]] = {}
        for rule in validations:
            placeholders = _PLACEHOLDER_RE.findall(rule.message + (rule.title or ""))
            reads = sorted(set(rule.when.names) | set(placeholders) | set(rule.fields))
            rule.reads = tuple(reads)
        self._compile_plan()

    def _compile_plan(self) -> None:
        """Everything evaluate() can work out once: compiled functions, checkers and the walk order."""
        self._group_derived = tuple((d.id, d.group) for d in self.derived if d.group is not None)
        def numbers(group: str | None) -> range:
            if group is None:
                return range(1)
            largest = self.groups[group].max_items
            return range((largest if largest is not None else _MAX_LISTED_ITEMS) + 1)

        def ask(question: Question) -> _Ask:
            refs = [self._ref_of(question.id, question.group, n or None) for n in numbers(question.group)]
            return _Ask(question, question.id, coercion.make_checker(question), question.id in self._expression_bounds,
                        refs)

        setting: dict[str, list[DerivedValue]] = {}
        for d in self.derived:
            if d.sets is not None:
                setting.setdefault(d.sets, []).append(d)

        def page_step(page: Page) -> _PageStep:
            asks = tuple(ask(q) for q in page.questions)
            return _PageStep(page, page.group, asks,
                             [self._page_instance(page, n or None) for n in numbers(page.group)])

        self._plan = tuple(
            _SectionStep(section, section.condition.fn if section.condition else None,
                         tuple(page_step(page) for page in section.pages))
            for section in self.sections
        )
        self._walk_pages = _walk_function(self._plan, setting, self.groups)
        self._validations = tuple(self.validations)
        self._record_rules = _record_rules_function(self.validations)
        self._convert = _convert_function(self._converters)
        self._derive = _derive_function(self.derived, self.questions)
        # Names read while working out what applies: derived values, conditions and group counts. When a pass
        # clears only answers that none of these read, another pass would work out the same, so none is run.
        expressions = [e for d in self.derived for e in (d.value, d.condition) if e is not None]
        expressions += [s.condition for s in self.sections if s.condition is not None]
        expressions += [p.condition for p in self.pages if p.condition is not None]
        expressions += [q.condition for q in self.questions.values() if q.condition is not None]
        expressions += [g.count for g in self.groups.values() if g.count is not None]
        self._walk_reads = frozenset(name for e in expressions for name in e.names)
        # Answers that derived values set and that a derived value at or before the setter reads: setting one
        # can change what those give in another pass (see evaluate).
        watch: dict[tuple[str, str | None], None] = {}
        read_so_far: set[str] = set()
        for d in self.derived:
            read_so_far.update(name for e in (d.value, d.condition) if e is not None for name in e.names)
            if d.sets is not None and d.sets in read_so_far:
                watch[(d.sets, self.questions[d.sets].group)] = None
        self._set_watch = tuple(watch)

    # ------------------------------------------------------------------------------------------ lookups

    def page(self, page_id: str) -> Page:
        return self._pages_by_id[page_id]

    def question(self, question_id: str) -> Question:
        return self.questions[question_id]

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]

    def section(self, section_id: str) -> Section:
        return next(section for section in self.sections if section.id == section_id)

    def flat_name(self, question: Question, item: int | None = None) -> str:
        """Column name in flat files and exports."""
        if question.group is None or item is None:
            return question.flat_name or question.id
        pattern = question.flat_name or self.groups[question.group].flat_name
        return pattern.replace("{group}", question.group).replace("{question}", question.id).replace("{n}", str(item))

    # ------------------------------------------------------------------------------------------ coercion

    def coerce(self, question: Question, raw: Any) -> tuple[Any, str | None]:
        """Raw input (a form field, a CSV cell, a JSON value) as the stored answer, or an error message.

        Remembered per question and text or whole number (bounded, shared with derived values, see
        _coerce_remembered): records repeat the same dates, codes and amounts, and coercion is pure.
        """
        kind = type(raw)
        if (kind is str or kind is int) and self.questions.get(question.id) is question:
            return self._coerce_remembered(question, (question.id, kind, raw), raw)
        return coercion.coerce(question, raw)

    def coerce_date_parts(self, question: Question, day: Any, month: Any, year: Any) -> tuple[Any, str | None]:
        return coercion.coerce_date_parts(question, day, month, year)

    def coerce_postcode_parts(self, question: Question, outward: Any, inward: Any) -> tuple[Any, str | None]:
        return coercion.coerce_postcode_parts(question, outward, inward)

    # ------------------------------------------------------------------------------------------ template

    def template_field_map(self) -> dict[int, TemplateFieldSpec]:
        result: dict[int, TemplateFieldSpec] = {}
        for question in self.questions.values():
            by_item: dict[int | None, list[int]]
            if isinstance(question.template_fields, dict):
                by_item = {item: numbers for item, numbers in question.template_fields.items()}
            else:
                by_item = {None: question.template_fields}
            for item, numbers in by_item.items():
                parts = self._template_parts(question, len(numbers))
                for number, part in zip(numbers, parts, strict=True):
                    result[number] = TemplateFieldSpec(question.id, question.group, item, part)
            for option in question.options:
                for number in option.template_fields:
                    result[number] = TemplateFieldSpec(question.id, question.group, None, option.code)
        return dict(sorted(result.items()))

    def template_value_maps(self) -> dict[int, dict[str, str]]:
        """Field number -> {value as the official template codes it: the stored code, as text}.

        Only for fields whose question has options the template codes differently (`template_code`).
        """
        maps: dict[int, dict[str, str]] = {}
        for question in self.questions.values():
            if not any(option.template_code is not None for option in question.options):
                continue
            table = {
                str(option.code if option.template_code is None else option.template_code): str(option.code)
                for option in question.options
            }
            if isinstance(question.template_fields, dict):
                numbers = [n for item_numbers in question.template_fields.values() for n in item_numbers]
            else:
                numbers = list(question.template_fields)
            for number in numbers:
                maps[number] = table
        return maps

    @staticmethod
    def _template_parts(question: Question, count: int) -> list[Any]:
        if question.type == "date" and count == 3:
            return ["day", "month", "year"]
        if question.type == "postcode" and count == 2:
            return ["outward", "inward"]
        return [None] * count

    # ------------------------------------------------------------------------------------------ evaluation

    def evaluate(
        self, answers: dict[str, Any], *, confirmations: dict[str, Any] | None = None, context: EvalContext | None = None
    ) -> Evaluation:
        context = context or EvalContext()
        record_ids = self._record_ids
        record = {k: v for k, v in answers.items() if k in record_ids and v is not None}
        items = {
            g: [{k: v for k, v in item.items() if k in ids and v is not None}
                for item in (answers.get(g) or []) if isinstance(item, dict)]
            for g, ids in self._group_question_ids.items()
        }
        watched = self._set_watch
        for _ in range(_MAX_PASSES):
            before = self._watched_answers(record, items) if watched else None
            scope, derived = self._compute_scope(record, items, context)
            # An answer set by a derived value that an earlier derived value (or its own condition) reads makes
            # another pass, in which they all see it from the start.
            set_changed = watched and self._watched_answers(record, items) != before
            walk = self._walk(scope, record, items)
            record, items = walk.record, walk.items
            if not walk.changed and not set_changed:
                break
        return self._finish(scope, derived, walk, confirmations or {})

    def _watched_answers(self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]]) -> tuple[Any, ...]:
        return tuple(record.get(question_id) if group is None else [item.get(question_id) for item in items[group]]
                     for question_id, group in self._set_watch)

    def _compute_scope(
        self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], context: EvalContext
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The scope of one pass (answers as values, the context, derived values) and the record-level derived
        values."""
        scope: dict[str, Any] = dict(record)
        self._convert(scope)
        scope[CONTEXT_KEY] = context
        for name in self.context_names:
            scope[name] = context.extra.get(name)
        for group_id, group_items in items.items():
            converters = self._group_converters[group_id]
            item_scopes = []
            for item in group_items:
                item_scope = dict(item)
                for question_id, convert in converters:
                    value = item_scope.get(question_id)
                    if value is not None:
                        item_scope[question_id] = convert(value)
                item_scopes.append(item_scope)
            scope[group_id] = item_scopes
        derived: dict[str, Any] = self._derive(scope, record, items, self._set_answer)
        return scope, derived

    def _set_answer(self, question: Question, value: Any, write: dict[str, Any], answers: dict[str, Any]) -> None:
        """A derived value that `sets` a question stores its value as the answer (when it is a valid one)."""
        kind = type(value)
        # Most values set are codes: their remembered coercion is looked up here, as _coerce_set_value would.
        found = self._coerce_memo.get((question.id, kind, value)) if kind is int or kind is str else None
        stored, error = found if found is not None else self._coerce_set_value(question, value)
        if error is None and stored is not None:
            answers[question.id] = stored
            write[question.id] = value if not isinstance(stored, str) or question.type == "text" else \
                _SCOPE_CONVERTERS.get(question.type, lambda v: v)(stored)

    def _coerce_set_value(self, question: Question, value: Any) -> tuple[Any, str | None]:
        """Coercion of a derived value into its question's answer, remembered per value (derived values repeat
        from record to record; coercion is pure). Only for value types whose equal values coerce alike: 1 and
        True, or Decimal("1.0") and Decimal("1.00"), are equal but may not."""
        kind = type(value)
        raw = value.isoformat() if isinstance(value, date) else value
        if kind is Decimal:
            return self._coerce_remembered(question, (question.id, kind, str(value)), raw)
        if kind is str or kind is int or kind is date:
            return self._coerce_remembered(question, (question.id, kind, value), raw)
        return coercion.coerce(question, raw)

    def _coerce_remembered(self, question: Question, key: tuple[Any, ...], raw: Any) -> tuple[Any, str | None]:
        """coercion.coerce(question, raw), remembered under `key` (which must tell apart every two values that
        could coerce differently); lists and dicts are never shared between records."""
        memo = self._coerce_memo
        found = memo.get(key)
        if found is None:
            found = coercion.coerce(question, raw)
            if isinstance(found[0], list | dict):
                return found
            if len(memo) >= _COERCE_MEMO_SIZE:
                memo.clear()  # bounded: a worker's memory stays flat however many records it evaluates
            memo[key] = found
        return found

    def _walk(self, scope: dict[str, Any], record: dict[str, Any], items: dict[str, list[dict[str, Any]]]) -> _Walk:
        """Work out what applies, keeping only the answers to questions that apply."""
        walk = _Walk()
        # Every count is worked out before any group's items change (as a count could read another group).
        counts = [(group_id, self._item_count(group, scope, items[group_id])) for group_id, group in self._groups]
        rows: dict[str, list[tuple[int, dict[str, Any], dict[str, Any], dict[str, Any]]]] = {}
        for group_id, count in counts:
            old_items = items[group_id]
            kept_items = walk.items[group_id] = [{} for _ in range(count)]
            item_scopes = scope[group_id]
            if len(old_items) != count:
                walk.changed = True
                # Items past the count are dropped; new items start empty.
                item_scopes = scope[group_id] = (item_scopes + [{} for _ in range(count)])[:count]
                old_items = (old_items + [{} for _ in range(count)])[:count]
            rows[group_id] = list(zip(range(1, count + 1), item_scopes, old_items, kept_items, strict=True))
        walk.answered = self._walk_pages(
            scope, record, walk.record, rows, walk.sections, walk.pages, walk.applicable, walk.keys, walk.missing,
            walk.problems, self._ask_ref, self._page_instance, self._type_problem)
        if not walk.changed:
            walk.changed = self._cleared_what_applies_reads(record, items, walk)
        return walk

    def _cleared_what_applies_reads(
        self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], walk: _Walk
    ) -> bool:
        """Whether the pass cleared an answer that a derived value, condition or count reads (so another pass
        could work out something else). Kept answers are a subset of the pass's input, so equal sizes mean
        nothing was cleared."""
        reads = self._walk_reads
        if len(walk.record) != len(record) and any(k in reads for k in record if k not in walk.record):
            return True
        for group_id, kept_items in walk.items.items():
            for new, old in zip(kept_items, items[group_id], strict=False):
                if len(new) != len(old) and any(k in reads for k in old if k not in new):
                    return True
        return False

    def _item_count(self, group: Group, scope: dict[str, Any], items: list[dict[str, Any]]) -> int:
        if group.count is None:
            count = len(items)
        else:
            value = group.count.fn(scope)
            try:
                count = int(value) if value is not None else 0
            except (TypeError, ValueError):
                count = 0
        # group.clamp, written out
        if count < group.min_items:
            count = group.min_items
        largest = group.max_items
        return count if largest is None or count <= largest else largest

    def _page_instance(self, page: Page, item: int | None) -> PageInstance:
        found = self._page_instances.get((page.id, item))
        if found is None:
            found = self._page_instances[(page.id, item)] = PageInstance(page, item)
        return found

    def _ask_ref(self, ask: _Ask, item: int) -> tuple[FieldRef, str]:
        refs = ask.refs
        return refs[item] if item < len(refs) else self._ref_of(ask.id, ask.question.group, item)

    # ------------------------------------------------------------------------------------------ problems

    def _type_problem(self, ask: _Ask, item: int, message: str) -> Problem:
        question = ask.question
        ref, key = self._ask_ref(ask, item)
        number = item or None
        return Problem(
            rule_id=f"type.{question.id}", severity="hard", message=message, fields=[ref],
            template_fields=question.template_fields_for(number), item=number, confirmation_key=f"type.{key}",
        )

    def _late_checks(self, scope: dict[str, Any], problems: list[Any]) -> list[Problem]:
        """The type problems of the walk, with the checks it left for the final scope (bounds that are
        expressions) made in their places."""
        found: list[Problem] = []
        for problem in problems:
            if type(problem) is not tuple:
                found.append(problem)
                continue
            ask, item, value = problem
            group = ask.question.group
            read = scope if not item else ItemScope(scope[group][item - 1], scope, item)  # type: ignore[index]
            message = ask.check(value, read)
            if message is not None:
                found.append(self._type_problem(ask, item, message))
        return found

    def _finish(
        self, scope: dict[str, Any], derived: dict[str, Any], walk: _Walk, confirmations: dict[str, Any]
    ) -> Evaluation:
        """The evaluation from the last pass: its scope, record-level derived values (what _derive returned: the
        walk changes no derived value) and walk."""
        problems: list[Problem] = walk.problems
        if problems and any(type(problem) is tuple for problem in problems):
            problems = self._late_checks(scope, problems)
        missing = walk.missing
        applicable = walk.applicable
        keys = walk.keys
        answered = any(walk.answered)
        confirmed: list[Problem] = []
        applicable_keys: set[str] | None = None
        rules = self._validations
        for held in self._record_rules(scope):
            if type(held) is int:
                rule = rules[held]
                targets: list[tuple[Any, int | None]] = [(scope, None)]
            else:  # (rule, item number) of a group rule: an ItemScope for the messages
                rule = rules[held[0]]
                number = held[1]
                targets = [(ItemScope(scope[rule.group][number - 1], scope, number), number)]  # type: ignore[index]
            if applicable_keys is None:
                applicable_keys = set(keys)
            for problem in self._rule_problems(rule, targets, applicable_keys):
                token = confirmations.get(problem.confirmation_key)
                if problem.severity == "soft" and token is not None and token == problem.confirmation_token:
                    confirmed.append(problem)
                else:
                    problems.append(problem)
        for name, group_id in self._group_derived:
            derived[name] = [item.get(name) for item in scope[group_id]]
        answers = walk.record  # (made by the last pass's walk for this evaluation alone)
        for group_id, group_items in walk.items.items():
            if group_items:
                answers[group_id] = group_items
        return Evaluation(
            answers=answers, derived=derived, applicable_pages=walk.pages, applicable_questions=applicable,
            problems=problems, missing=missing, status=self._status(answered, missing, problems),
            confirmed=confirmed, section_statuses=self._section_statuses(walk, missing, problems), scope=scope,
            definition=self,
        )

    def _ref_of(self, question_id: str, group: str | None, item: int | None) -> tuple[FieldRef, str]:
        """FieldRefs are immutable, so one object per (question, item) is shared by every evaluation."""
        cache_key = (question_id, item)
        found = self._ref_cache.get(cache_key)
        if found is None:
            ref = FieldRef(question_id, group, item)
            found = self._ref_cache[cache_key] = (ref, ref.key)
        return found

    def _rule_problems(
        self, rule: Rule, targets: list[tuple[Any, int | None]], applicable: set[str]
    ) -> list[Problem]:
        """The problems of a rule whose condition holds for the record, or for these items."""
        found: list[Problem] = []
        for read, item in targets:
            refs, keys, template_fields, confirmation_key = self._rule_parts(rule, item)
            # A problem must be fixable where it is shown: skip it when none of its questions is asked.
            if keys and not any(key in applicable for key in keys):
                continue
            message, title, token = self._rule_texts(rule, read)
            found.append(Problem(
                rule_id=rule.id, severity=rule.severity, message=message, fields=list(refs),
                template_fields=list(template_fields), title=title, confirm_label=rule.confirm_label, item=item,
                confirmation_key=confirmation_key, confirmation_token=token,
            ))
        return found

    def _rule_parts(
        self, rule: Rule, item: int | None
    ) -> tuple[tuple[FieldRef, ...], tuple[str, ...], tuple[int, ...], str]:
        """What a rule's problem shows that depends only on the item: its fields (refs and keys), template
        fields and confirmation key. Made once per rule and item."""
        cache_key = (rule.id, item)
        found = self._rule_parts_cache.get(cache_key)
        if found is None:
            pairs = [self._ref_of(f, self.questions[f].group, item if self.questions[f].group else None)
                     for f in rule.fields]
            found = (
                tuple(ref for ref, _key in pairs), tuple(key for _ref, key in pairs),
                tuple(n for f in rule.fields for n in self.questions[f].template_fields_for(item)),
                rule.id if item is None else f"{rule.id}.{item}",
            )
            if len(self._rule_parts_cache) < _RULE_PARTS_LIMIT:  # bounded: groups without max_items
                self._rule_parts_cache[cache_key] = found
        return found

    def _rule_texts(self, rule: Rule, read: Any) -> tuple[str, str | None, str | None]:
        """A problem's message, title and confirmation token: they depend only on the values the rule reads,
        which repeat from record to record, so they are remembered per rule and values (bounded)."""
        values = [read.get(name) for name in rule.reads]
        key = _values_key(rule.id, values)
        found = self._rule_texts_memo.get(key) if key is not None else None
        if found is None:
            found = (
                self._fill(rule.message, read), self._fill(rule.title, read) if rule.title else None,
                _token(list(zip(rule.reads, values, strict=True))) if rule.severity == "soft" else None,
            )
            if key is not None:
                if len(self._rule_texts_memo) >= _RULE_TEXTS_MEMO_SIZE:
                    self._rule_texts_memo.clear()
                self._rule_texts_memo[key] = found
        return found

    def _fill(self, text: str, read: Any) -> str:
        return _PLACEHOLDER_RE.sub(lambda m: _display(read.get(m.group(1)), self.questions.get(m.group(1))), text)

    @staticmethod
    def _status(answered: bool, missing: list[FieldRef], problems: list[Problem]) -> str:
        if not missing and not problems:
            return "completed"
        return "in_progress" if answered else "not_started"

    def _section_statuses(self, walk: _Walk, missing: list[FieldRef], problems: list[Problem]) -> dict[str, str]:
        if not missing and not problems:  # (walk.sections holds every section, in order)
            return {section_id: "completed" if shown else "cannot_start_yet"
                    for section_id, shown in walk.sections.items()}
        statuses: dict[str, str] = {}
        section_of = self._section_of
        missing_sections = {section_of[ref.question_id] for ref in missing}
        problem_sections = {section_of[ref.question_id] for p in problems for ref in p.fields}
        answered_sections: set[str] | None = None
        for section in self.sections:
            if not walk.sections[section.id]:
                statuses[section.id] = "cannot_start_yet"
            elif section.id not in missing_sections and section.id not in problem_sections:
                statuses[section.id] = "completed"
            else:
                if answered_sections is None:
                    answered_sections = {step.section.id for step, answered in zip(self._plan, walk.answered,
                                                                                    strict=True) if answered}
                statuses[section.id] = "in_progress" if section.id in answered_sections else "not_started"
        return statuses

    def page_problems(
        self, evaluation: Evaluation, page_instance: PageInstance
    ) -> tuple[list[Problem], list[FieldRef]]:
        """The problems and missing answers that belong on one page (instance) of the web form."""
        ids = {q.id for q in page_instance.page.questions}
        item = page_instance.item

        def on_page(ref: FieldRef) -> bool:
            return ref.question_id in ids and ref.item == item

        problems = [p for p in evaluation.problems if p.fields and on_page(p.fields[0])]
        missing = [ref for ref in evaluation.missing if on_page(ref)]
        return problems, missing

    # ------------------------------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        def source(expression: Expression | None) -> str | None:
            return expression.source if expression is not None else None

        def bound(value: Any) -> Any:
            if isinstance(value, Expression):
                return value.source
            if isinstance(value, date | Decimal):
                return str(value)
            return value

        questions = []
        for section in self.sections:
            for page in section.pages:
                for q in page.questions:
                    questions.append({
                        "id": q.id, "type": q.type, "label": q.label, "hint": q.hint, "required": q.required,
                        "options": [{"code": o.code, "label": o.label} for o in q.options],
                        "options_source": q.options_source,
                        "condition": source(q.condition), "page_condition": source(page.condition),
                        "group": q.group, "template_fields": q.all_template_fields(), "page": page.id,
                        "section": section.id, "min": bound(q.min), "max": bound(q.max),
                        "set_by_system": q.set_by_system,
                    })
        return {
            "collection": self.collection, "form": self.form, "year": self.year, "title": self.title,
            "sections": [{"id": s.id, "title": s.title, "condition": source(s.condition),
                          "pages": [p.id for p in s.pages]} for s in self.sections],
            "groups": [{"id": g.id, "title": g.title, "count": source(g.count), "min_items": g.min_items,
                        "max_items": g.max_items, "questions": g.question_ids} for g in self.groups.values()],
            "questions": questions,
            "derived": [{"id": d.id, "label": d.label, "value": d.value.source, "condition": source(d.condition),
                         "sets": d.sets, "group": d.group} for d in self.derived],
            "validations": [{"id": r.id, "ref": r.ref, "severity": r.severity, "when": r.when.source,
                             "fields": r.fields, "message": r.message, "group": r.group} for r in self.validations],
        }
