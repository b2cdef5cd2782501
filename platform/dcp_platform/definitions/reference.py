"""The reference evaluator: what a definition means, read straight from docs/definition-format.md.

`evaluate(definition, answers)` gives the same `Evaluation` as `Definition.evaluate`, worked out the plain way:
expressions are walked as syntax trees, pages are walked one by one, nothing is generated, compiled or
remembered. It is the executable meaning of the definition format; the fast engine (definition.py and the code
it generates) must agree with it on every record, which the differential tests check
(tests/unit/definitions/test_reference_differential.py). It is too slow for production; keep it plain and
short rather than fast.

It shares with the fast engine only what both take as given: the loaded definition (the loader's objects),
the type checks and coercion of answers (coerce.py), and the plugins' functions.
"""

from __future__ import annotations

import copy
import hashlib
import operator
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from . import coerce as coercion
from .evaluation import Evaluation
from .expressions import (
    CONTEXT_KEY,
    Binary,
    Call,
    Const,
    Expression,
    ItemScope,
    ListLit,
    MapLit,
    Name,
    Node,
    Unary,
    names_read_for_value,
)
from .model import Cleared, DerivedValue, EvalContext, FieldRef, PageInstance, Problem, Question

if TYPE_CHECKING:
    from .definition import Definition

MAX_PASSES = 10  # clearing answers can change conditions; the walk repeats until nothing changes (at most this)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# ---------------------------------------------------------------------------------------------- expressions


def value(expression: Expression, scope: Any) -> Any:
    """The value of an expression over a scope (a dict, or an ItemScope inside a group)."""
    return _value(expression.ast, scope, expression.library)


def truth(expression: Expression, scope: Any) -> bool:
    """Null is false; otherwise Python's truthiness (0, "" and [] are false)."""
    return bool(value(expression, scope))


def _value(node: Node, scope: Any, library: Any) -> Any:  # noqa: C901 - one case per kind of node, as the docs list them
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Name):
        return scope.get(node.name)
    if isinstance(node, ListLit):
        return [_value(item, scope, library) for item in node.items]
    if isinstance(node, MapLit):
        return {_value(key, scope, library): _value(item, scope, library) for key, item in node.pairs}
    if isinstance(node, Unary):
        operand = _value(node.operand, scope, library)
        return not operand if node.op == "not" else _arithmetic("*", operand, -1)
    if isinstance(node, Binary):
        return _binary(node, scope, library)
    if isinstance(node, Call):
        return _call(node, scope, library)
    raise TypeError(f"not an expression node: {node!r}")


def _binary(node: Binary, scope: Any, library: Any) -> Any:
    if node.op == "and":  # null counts as false; the right side is worked out only when needed
        return bool(_value(node.left, scope, library)) and bool(_value(node.right, scope, library))
    if node.op == "or":
        return bool(_value(node.left, scope, library)) or bool(_value(node.right, scope, library))
    left, right = _value(node.left, scope, library), _value(node.right, scope, library)
    if node.op == "==":
        return _equal(left, right)
    if node.op == "!=":
        return not _equal(left, right)
    if node.op == "in":
        return _contains(right, left)
    if node.op == "not in":  # mirrors `!=`: a null is "not in" any list
        return not _contains(right, left)
    if node.op in _ORDERS:
        return _compare(_ORDERS[node.op], left, right)
    return _arithmetic(node.op, left, right)


def _equal(a: Any, b: Any) -> bool:
    """`==`: a null equals only a null."""
    if a is None or b is None:
        return a is b
    return bool(a == b)


def _contains(container: Any, item: Any) -> bool:
    """`in` and contains(): false for a null (and for what cannot be looked for, such as a list in a set)."""
    if item is None or container is None:
        return False
    try:
        return item in container
    except TypeError:
        return False


def _decimal(value: Any) -> Any:
    """Plugin functions may return floats, which do not mix with Decimal in Python: they are read as decimals."""
    return Decimal(str(value)) if isinstance(value, float) else value


_ORDERS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(order: Any, a: Any, b: Any) -> bool:
    """`<`, `<=`, `>`, `>=`: false when either side is null or the two cannot be compared."""
    if a is None or b is None:
        return False
    try:
        return bool(order(a, b))
    except TypeError:
        try:
            return bool(order(_decimal(a), _decimal(b)))
        except TypeError:
            return False


def _plain_arithmetic(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        if isinstance(a, date) and isinstance(b, int):
            return a + timedelta(days=b)
        if isinstance(b, date) and isinstance(a, int):
            return b + timedelta(days=a)
        return a + b
    if op == "-":
        if isinstance(a, date) and isinstance(b, date):
            return (a - b).days
        if isinstance(a, date) and isinstance(b, int):
            return a - timedelta(days=b)
        return a - b
    if op == "*":
        return a * b
    if isinstance(a, int) and isinstance(b, int):  # "/": 7 / 2 is 3.5
        return Decimal(a) / Decimal(b)
    return a / b


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    """Arithmetic with a null is null, and so is division by zero or a sum that cannot be done."""
    if a is None or b is None:
        return None
    try:
        return _plain_arithmetic(op, a, b)
    except TypeError:
        try:
            return _plain_arithmetic(op, _decimal(a), _decimal(b))
        except (TypeError, InvalidOperation):
            return None
    except (ZeroDivisionError, InvalidOperation):
        return None


def _call(node: Call, scope: Any, library: Any) -> Any:  # noqa: C901 - one case per function with its own rules
    name, args = node.func, node.args
    if name in ("count", "sum", "any", "all"):
        return _aggregate(name, args, scope, library)
    if name == "if":  # only the branch chosen is worked out
        condition, then, otherwise = args
        return _value(then if _value(condition, scope, library) else otherwise, scope, library)
    if name == "coalesce":  # the first argument that is not null (the rest are not worked out)
        for arg in args[:-1]:
            found = _value(arg, scope, library)
            if found is not None:
                return found
        return _value(args[-1], scope, library)
    if name == "map":  # map(x, {from: to}, default?): the default only when x is null or not in the table
        key, table = _value(args[0], scope, library), _value(args[1], scope, library)
        if key is not None and _contains(table, key):  # (a list, such as a checkbox answer, is in no table)
            return table[key]
        return _value(args[2], scope, library) if len(args) == 3 else None
    if name == "today":
        context = scope.get(CONTEXT_KEY)
        return context.today if isinstance(getattr(context, "today", None), date) else date.today()
    values = [_value(arg, scope, library) for arg in args]
    if name in BUILTIN_FUNCTIONS:
        return BUILTIN_FUNCTIONS[name](*values)
    function = library[name]
    if getattr(function, "takes_context", False):
        return function(scope.get(CONTEXT_KEY), *values)
    return function(*values)


def _aggregate(name: str, args: list[Node], scope: Any, library: Any) -> Any:
    """count/sum/any/all over a group's items: the expression is read per item (item answers first, then the
    record, and `n` the item number)."""
    items = _value(args[0], scope, library) or []
    if len(args) == 1:
        return len(items)
    per_item = [_value(args[1], ItemScope(item, scope, number), library) for number, item in enumerate(items, 1)]
    if name == "count":
        return sum(1 for found in per_item if found)
    if name == "any":
        return any(per_item)
    if name == "all":
        return all(per_item)
    total: Any = 0
    for found in per_item:
        if found is not None:  # nulls are left out of a sum
            total = _arithmetic("+", total, found)
    return total


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _null_safe(function: Any) -> Any:
    """Null when any argument is null or the function cannot work on them."""
    def apply(*values: Any) -> Any:
        if any(found is None for found in values):
            return None
        try:
            return function(*values)
        except (TypeError, ValueError, AttributeError, InvalidOperation):
            return None
    return apply


def _round(number: Any, places: Any = 0) -> Any:
    if number is None:
        return None
    places = int(places or 0)
    try:
        rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    except InvalidOperation:
        return None
    return int(rounded) if places <= 0 else rounded


def _answered(found: Any) -> bool:
    return found is not None and found != "" and found != []


BUILTIN_FUNCTIONS: dict[str, Any] = {
    "answered": _answered,
    "date": _date,
    "days_between": _null_safe(lambda a, b: (_date(b) - _date(a)).days),  # type: ignore[operator]
    "year": _null_safe(lambda d: _date(d).year),  # type: ignore[union-attr]
    "month": _null_safe(lambda d: _date(d).month),  # type: ignore[union-attr]
    "day": _null_safe(lambda d: _date(d).day),  # type: ignore[union-attr]
    "round": _round,
    "min": _null_safe(min),
    "max": _null_safe(max),
    "abs": _null_safe(abs),
    "len": lambda found: 0 if found is None else len(found),
    "matches": lambda text, pattern: text is not None and pattern is not None
    and re.search(str(pattern), str(text)) is not None,
    "contains": _contains,
}


def names_read(node: Node) -> set[str]:
    """Every name an expression reads (answers, derived values, groups, names inside aggregates)."""
    if isinstance(node, Name):
        return {node.name}
    children: list[Node] = []
    if isinstance(node, ListLit):
        children = node.items
    elif isinstance(node, MapLit):
        children = [part for pair in node.pairs for part in pair]
    elif isinstance(node, Unary):
        children = [node.operand]
    elif isinstance(node, Binary):
        children = [node.left, node.right]
    elif isinstance(node, Call):
        children = node.args
    return set().union(*(names_read(child) for child in children)) if children else set()


# ---------------------------------------------------------------------------------------------- the record


def expression_value(question: Question, stored: Any) -> Any:
    """How expressions see a stored answer: dates as dates, decimal and money answers as decimals."""
    if isinstance(stored, str) and question.type == "date":
        try:
            return date.fromisoformat(stored)
        except ValueError:
            return stored
    if isinstance(stored, str) and question.type in ("decimal", "money"):
        try:
            return Decimal(stored)
        except InvalidOperation:
            return stored
    return stored


def evaluate(
    definition: Definition, answers: dict[str, Any], *, confirmations: dict[str, Any] | None = None,
    context: EvalContext | None = None,
) -> Evaluation:
    """What the definition makes of these answers (see Definition.evaluate, which must give the same)."""
    context = context or EvalContext()
    # Answers to unknown ids (derived ones too) are dropped, and so are nulls.
    record = {k: v for k, v in answers.items()
              if k in definition.questions and definition.questions[k].group is None and v is not None}
    items = {group_id: [{k: v for k, v in item.items() if k in group.question_ids and v is not None}
                        for item in answers.get(group_id) or [] if isinstance(item, dict)]
             for group_id, group in definition.groups.items()}
    first = copy.deepcopy((record, items))
    for _ in range(MAX_PASSES):
        given = copy.deepcopy((record, items))
        scope, derived = _scope(definition, record, items, context)
        walk = _Walk(definition, scope, record, items)
        # Settled when a pass leaves the answers as they were given to it (an answer a derived value `sets`
        # is a change: derived values before it, and its own condition, may read it in the next pass).
        settled = (walk.record, walk.items) == given
        record, items = walk.record, walk.items
        if settled:
            break
    evaluation = _result(definition, scope, derived, walk, confirmations or {})
    evaluation.cleared = cleared_answers(definition, *first, evaluation)
    return evaluation


def cleared_answers(
    definition: Definition, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], evaluation: Evaluation
) -> list[Cleared]:
    """The answers given (`record`, `items`: the known ids, without nulls) that the evaluation did not keep, in the
    order their questions are asked: each with the condition that is false for it and the hard rules that refuse
    it: rules naming it in their fields, reading it only as given or equal to a constant (names_read_for_value),
    that fail when it is put back beside the other answers (derived values are not worked out again for that)."""
    questions = definition.questions
    kept = evaluation.answers
    lost = [(FieldRef(qid), answer) for qid, answer in record.items() if qid not in kept]
    for group_id, group_items in items.items():
        kept_items = kept.get(group_id) or []
        for number, item in enumerate(group_items, 1):
            kept_item = kept_items[number - 1] if number <= len(kept_items) else {}
            lost.extend((FieldRef(qid, group_id, number), answer) for qid, answer in item.items() if qid not in kept_item)
    if not lost:
        return []
    lost.sort(key=lambda pair: (questions[pair[0].question_id].position, pair[0].item or 0))
    scope = evaluation.scope
    restored = dict(scope)
    for group_id in definition.groups:
        restored[group_id] = [dict(item) for item in scope[group_id]]
    for ref, answer in lost:
        if ref.group is None:
            restored[ref.question_id] = expression_value(questions[ref.question_id], answer)
        elif ref.item is not None and ref.item <= len(restored[ref.group]):
            restored[ref.group][ref.item - 1][ref.question_id] = expression_value(questions[ref.question_id], answer)
    lost_keys = {ref.key for ref, _answer in lost}
    fired = {(p.rule_id, p.item) for p in evaluation.problems}
    refused: dict[str, list[Problem]] = {}
    for rule in definition.validations:
        if rule.severity != "hard":
            continue
        if rule.group is None:
            targets: list[tuple[Any, int | None]] = [(restored, None)]
        else:
            targets = [(ItemScope(one, restored, n), n) for n, one in enumerate(restored[rule.group], 1)]
        by_value = names_read_for_value(rule.when.ast)
        for read, rule_item in targets:
            keys = [FieldRef(f, questions[f].group, rule_item if questions[f].group else None).key for f in rule.fields]
            hit = [key for f, key in zip(rule.fields, keys, strict=True) if key in lost_keys and f not in by_value]
            if not hit or (rule.id, rule_item) in fired or not truth(rule.when, read):
                continue
            problem = _rule_problem(definition, rule, read, rule_item, set(keys))
            if problem is not None:
                for key in hit:
                    refused.setdefault(key, []).append(problem)
    return [Cleared(ref, answer, _false_condition(definition, ref, scope), refused.get(ref.key, []))
            for ref, answer in lost]


def _false_condition(definition: Definition, ref: FieldRef, scope: dict[str, Any]) -> Expression | None:
    """The condition (the section's, the page's, the question's) that keeps a question from being asked."""
    question = definition.questions[ref.question_id]
    read: Any = scope
    if ref.group is not None:
        if ref.item is None or ref.item > len(scope[ref.group]):
            return None  # the item is past the group's count
        read = ItemScope(scope[ref.group][ref.item - 1], scope, ref.item)
    section = definition.section(question.section_id)
    if section.condition is not None and not truth(section.condition, scope):
        return section.condition
    for condition in (definition.page(question.page_id).condition, question.condition):
        if condition is not None and not truth(condition, read):
            return condition
    return None


def _scope(
    definition: Definition, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], context: EvalContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The names expressions read (answers as values, context names, groups' items, derived values in order),
    and the record-level derived values. A derived value that `sets` an answer writes it into `record`/`items`."""
    questions = definition.questions
    scope: dict[str, Any] = {k: expression_value(questions[k], v) for k, v in record.items()}
    scope[CONTEXT_KEY] = context
    for name in definition.context_names:
        scope[name] = context.extra.get(name)
    for group_id, group_items in items.items():
        scope[group_id] = [{k: expression_value(questions[k], v) for k, v in item.items()} for item in group_items]
    derived: dict[str, Any] = {}
    for d in definition.derived:
        targets: list[tuple[Any, dict[str, Any], dict[str, Any]]]
        if d.group is None:
            targets = [(scope, scope, record)]
        else:
            targets = [(ItemScope(item_scope, scope, number), item_scope, item_answers)
                       for number, (item_scope, item_answers) in enumerate(zip(scope[d.group], items[d.group], strict=True), 1)]
        for read, write, write_answers in targets:
            applies = _applies(d, read)
            write[d.id] = value(d.value, read) if applies else None  # null when its condition is false
            if d.sets is not None and applies:
                _set_answer(questions[d.sets], write[d.id], write, write_answers)
        if d.group is None:
            derived[d.id] = scope[d.id]
    return scope, derived


def _applies(d: DerivedValue, read: Any) -> bool:
    return d.condition is None or truth(d.condition, read)


def _set_answer(question: Question, found: Any, write: Any, answers: dict[str, Any]) -> None:
    """`sets:` stores the derived value as the answer, when it is a valid answer to that question."""
    stored, error = coercion.coerce(question, found.isoformat() if isinstance(found, date) else found)
    if error is None and stored is not None:
        answers[question.id] = stored
        write[question.id] = expression_value(question, stored)


class _Walk:
    """One walk of every page in order: what is asked, what is kept (answers to questions that are not asked
    are cleared, from the scope too, so later conditions see them cleared) and what is missing."""

    def __init__(
        self, definition: Definition, scope: dict[str, Any], record: dict[str, Any],
        items: dict[str, list[dict[str, Any]]],
    ) -> None:
        self.definition = definition
        self.record: dict[str, Any] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.pages: list[PageInstance] = []
        self.sections: dict[str, bool] = {}
        self.answered_sections: set[str] = set()
        self.applicable: list[FieldRef] = []
        self.missing: list[FieldRef] = []
        self.checks: list[tuple[Question, FieldRef, Any]] = []  # (question, ref, answer) of each answer asked
        self.setters = {q: [d for d in definition.derived if d.sets == q] for q in definition.questions}
        # Every count is worked out before any group changes; a group has as many items as its count says (an
        # "add another" group as many as it has), within min_items and max_items.
        old_items: dict[str, list[dict[str, Any]]] = {}
        for group_id, group in definition.groups.items():
            count = len(items[group_id]) if group.count is None else _whole_number(value(group.count, scope))
            count = group.clamp(count)
            old_items[group_id] = (items[group_id] + [{} for _ in range(count)])[:count]
            scope[group_id] = (scope[group_id] + [{} for _ in range(count)])[:count]
            self.items[group_id] = [{} for _ in range(count)]
        for section in definition.sections:
            shown = section.condition is None or truth(section.condition, scope)
            self.sections[section.id] = shown
            for page in section.pages:
                if page.group is None:
                    self.page(page, section.id, shown, scope, scope, record, self.record, None)
                    continue
                rows = zip(scope[page.group], old_items[page.group], self.items[page.group], strict=True)
                for number, (item_scope, old, kept) in enumerate(rows, 1):
                    self.page(page, section.id, shown, ItemScope(item_scope, scope, number), item_scope, old, kept,
                              number)

    def page(
        self, page: Any, section_id: str, section_shown: bool, read: Any, write: Any, old: dict[str, Any],
        kept: dict[str, Any], number: int | None,
    ) -> None:
        shown = section_shown and (page.condition is None or truth(page.condition, read))
        asked_any = False
        for question in page.questions:
            qid = question.id
            setters = self.setters[qid]
            if question.set_by_system and qid in old and any(_applies(d, read) for d in setters):
                kept[qid] = old[qid]  # answered by the system: kept, not asked
            elif shown and (question.condition is None or truth(question.condition, read)):
                asked_any = True
                ref = FieldRef(qid, question.group, number)
                self.applicable.append(ref)
                answer = old.get(qid)
                if answer is not None:
                    kept[qid] = answer
                    self.answered_sections.add(section_id)
                    self.checks.append((question, ref, answer))
                elif question.required:
                    self.missing.append(ref)
            elif qid in write:
                del write[qid]
        if asked_any:
            self.pages.append(PageInstance(page, number))


def _whole_number(found: Any) -> int:
    try:
        return int(found) if found is not None else 0
    except (TypeError, ValueError):
        return 0


# ---------------------------------------------------------------------------------------------- the result


def _type_problem(definition: Definition, question: Question, ref: FieldRef, answer: Any, read: Any) -> Problem | None:
    """The question's type-level check (coerce.check_value), with bounds that are expressions worked out over
    the final scope."""
    bounds = {name: value(bound, read) for name, bound in (("min", question.min), ("max", question.max))
              if isinstance(bound, Expression)}
    message = coercion.check_value(replace(question, **bounds) if bounds else question, answer, None)
    if message is None:
        return None
    return Problem(rule_id=f"type.{question.id}", severity="hard", message=message, fields=[ref],
                   template_fields=question.template_fields_for(ref.item), item=ref.item,
                   confirmation_key=f"type.{ref.key}")


def display(found: Any, question: Question | None) -> str:
    """A value in a message: option labels for option questions, dates as "1 May 2026"."""
    if found is None:
        return ""
    if question is not None and question.options and not isinstance(found, list):
        label = question.option_label(found)
        if label is not None:
            return label
    if isinstance(found, date):
        return found.strftime("%-d %B %Y")
    if isinstance(found, list):
        return ", ".join(display(v, question) for v in found)
    return str(found)


def confirmation_token(values: list[tuple[str, Any]]) -> str:
    """A hash of the values a soft rule reads: changing any of them asks for the confirmation again."""
    text = repr([(name, str(v) if isinstance(v, Decimal | date) else v) for name, v in values])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _rule_problem(definition: Definition, rule: Any, read: Any, number: int | None, asked: set[str]) -> Problem | None:
    questions = definition.questions
    refs = [FieldRef(f, questions[f].group, number if questions[f].group else None) for f in rule.fields]
    if refs and not any(ref.key in asked for ref in refs):
        return None  # none of its questions is asked: it could not be fixed
    placeholders = PLACEHOLDER.findall(rule.message + (rule.title or ""))
    reads = sorted(names_read(rule.when.ast) | set(placeholders) | set(rule.fields))

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: display(read.get(m.group(1)), questions.get(m.group(1))), text)

    return Problem(
        rule_id=rule.id, severity=rule.severity, message=fill(rule.message), fields=refs,
        template_fields=[n for f in rule.fields for n in questions[f].template_fields_for(number)],
        title=fill(rule.title) if rule.title else None, confirm_label=rule.confirm_label, item=number,
        confirmation_key=rule.id if number is None else f"{rule.id}.{number}",
        confirmation_token=confirmation_token([(name, read.get(name)) for name in reads])
        if rule.severity == "soft" else None,
    )


def _result(
    definition: Definition, scope: dict[str, Any], derived: dict[str, Any], walk: _Walk,
    confirmations: dict[str, Any],
) -> Evaluation:
    problems: list[Problem] = []
    for question, ref, answer in walk.checks:
        read = scope if ref.item is None else ItemScope(scope[ref.group][ref.item - 1], scope, ref.item)  # type: ignore[index]
        problem = _type_problem(definition, question, ref, answer, read)
        if problem is not None:
            problems.append(problem)
    asked = {ref.key for ref in walk.applicable}
    confirmed: list[Problem] = []
    for rule in definition.validations:
        if rule.group is None:
            targets: list[tuple[Any, int | None]] = [(scope, None)]
        else:
            targets = [(ItemScope(item, scope, number), number) for number, item in enumerate(scope[rule.group], 1)]
        for read, number in targets:
            if not truth(rule.when, read):
                continue
            problem = _rule_problem(definition, rule, read, number, asked)
            if problem is None:
                continue
            if problem.severity == "soft" and confirmations.get(problem.confirmation_key) == problem.confirmation_token:
                confirmed.append(problem)
            else:
                problems.append(problem)
    for d in definition.derived:
        if d.group is not None:
            derived[d.id] = [item.get(d.id) for item in scope[d.group]]
    answers = dict(walk.record)
    for group_id, group_items in walk.items.items():
        if group_items:
            answers[group_id] = group_items
    return Evaluation(
        answers=answers, derived=derived, applicable_pages=walk.pages, applicable_questions=walk.applicable,
        problems=problems, missing=walk.missing, status=_status(walk, walk.missing, problems, None),
        confirmed=confirmed, section_statuses=_section_statuses(definition, walk, problems), scope=scope,
        definition=definition,
    )


def _status(walk: _Walk, missing: list[FieldRef], problems: list[Problem], section_id: str | None) -> str:
    """completed when nothing is missing and there is no (unconfirmed) problem; otherwise in_progress when an
    asked question is answered, else not_started."""
    if not missing and not problems:
        return "completed"
    answered = walk.answered_sections if section_id is None else walk.answered_sections & {section_id}
    return "in_progress" if answered else "not_started"


def _section_statuses(definition: Definition, walk: _Walk, problems: list[Problem]) -> dict[str, str]:
    section_of = {q.id: q.section_id for q in definition.questions.values()}
    statuses: dict[str, str] = {}
    for section in definition.sections:
        if not walk.sections[section.id]:
            statuses[section.id] = "cannot_start_yet"
            continue
        missing = [ref for ref in walk.missing if section_of[ref.question_id] == section.id]
        own = [p for p in problems if any(section_of[ref.question_id] == section.id for ref in p.fields)]
        statuses[section.id] = _status(walk, missing, own, section.id)
    return statuses
