"""Code generation for Definition.evaluate: the derived values, the walk of the pages, the rules' conditions and
the conversion of answers, each written out once per definition as one Python function that inlines the
definition's compiled expressions (compile_expressions.py), with the plan and helpers those functions use.

What they must give is what reference.py gives (the differential tests compare them on every definition).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from . import coerce as coercion
from .coerce import Checker
from .expressions import GENERATED_BUILTINS, Binary, Compiled, Expression, Node
from .model import (
    DerivedValue,
    FieldRef,
    Group,
    Page,
    PageInstance,
    Question,
    Rule,
    Section,
)


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


SET_CHANGED_KEY = "$set_changed"  # in the scope when a watched answer was changed by a derived value's `sets`


def _derive_function(
    derived: list[DerivedValue], questions: dict[str, Question], watched: frozenset[str] = frozenset()
) -> Callable[..., dict[str, Any]]:
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
                _add_set(source, indent, f"set_answer({sets}, value, scope, record)", d.sets in watched)
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
            _add_set(source, indent, f"set_answer({sets}, value, item, answers)", d.sets in watched)
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


def _add_set(source: _Source, indent: int, call: str, watched: bool) -> None:
    """A `sets:` call; for a watched answer (one a derived value at or before the setter reads), whether it
    changed the answer is noted in the scope under SET_CHANGED_KEY (Definition.evaluate then makes another
    pass)."""
    if not watched:
        source.add(indent, call)
        return
    source.add(indent, f"if {call}:")
    source.add(indent + 1, f"scope[{SET_CHANGED_KEY!r}] = True")


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
