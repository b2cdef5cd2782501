"""Expressions said in plain words, for people reading a paper form or a data dictionary.

`renewal == 0 and rsnvac in [5, 6]` becomes "the answer to question 7 is ‘No’ and the answer to question 15 is
‘Lease ended’ or ‘Transfer’": the renderer walks the parsed expression (its syntax tree) and asks a `Wording`
how to name each answer, option and group. `Wording` names answers by their id; `DefinitionWording` names them
by question number (when the caller numbered them) or label, and says option codes as their labels.

`truth_given` works out, without evaluating anything else, whether a condition is certainly true or certainly
false once some answers are known (None when it depends on answers not known): a paper form's "go to question
N" is the run of following questions whose conditions are certainly false after a given answer.

Pure Python over the engine's syntax tree; never raises on any expression the parser accepts.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .definition import Definition
from .expressions import Binary, Call, Const, Expression, ListLit, MapLit, Name, Node, Unary
from .model import Cleared, Group, Question

ITEM_NUMBER = "n"
_ORDER = {"<": "less than", "<=": "or less", ">": "more than", ">=": "or more"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_ARITHMETIC = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
_PRECEDENCE = {"or": 1, "and": 2, "+": 4, "-": 4, "*": 5, "/": 5}
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})


def quoted(text: Any) -> str:
    return f"‘{text}’"


def join_words(parts: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def humanise(identifier: str) -> str:
    return identifier.replace("_", " ").strip() or identifier


class Wording:
    """How a renderer names things. This base names answers by id; subclasses know the definition."""

    def answer(self, name: str, group: str | None) -> str:
        """An answer (or derived value) by name; `group` is the group whose item is in scope, if any."""
        return f"the answer {quoted(name)}"

    def group(self, name: str) -> str:
        """A repeating group as a plural noun phrase ("the household members")."""
        return f"the {quoted(name)} items"

    def item_noun(self, group: str | None) -> str:
        """One item of the group in scope ("person"), for `n`."""
        return "item"

    def option(self, name: str | None, code: Any) -> str | None:
        """The label of an answer's option code, or None when `name` has no such option."""
        return None

    def takes_many(self, name: str | None) -> bool:
        """The answer is a list (ticked boxes): comparisons read "include"."""
        return False

    def function(self, name: str) -> str:
        """A collection's own function (a reference-data look-up, a conversion)."""
        return f"the {quoted(humanise(name))} value"


class DefinitionWording(Wording):
    """Names a definition's answers: "the answer to question N" when `numbers` numbers the question, otherwise
    its label; derived values by their label; groups by their title; codes as option labels."""

    def __init__(self, definition: Definition, numbers: Mapping[str, int | str] | None = None) -> None:
        self.definition = definition
        self.numbers = numbers or {}
        self._derived = {d.id: d for d in definition.derived}

    def question(self, name: str | None) -> Question | None:
        return self.definition.questions.get(name or "")

    def answer(self, name: str, group: str | None) -> str:
        question = self.question(name)
        if question is not None:
            number = self.numbers.get(name)
            said = f"the answer to question {number}" if number is not None else \
                f"the answer to {quoted(question.label.rstrip('?'))}"
            if question.group is not None and group == question.group:
                said += f" for this {self.item_noun(group)}"
            return said
        derived = self._derived.get(name)
        if derived is not None:
            return f"the {derived.label[0].lower() + derived.label[1:]}" if derived.label else \
                f"the worked-out value {quoted(name)}"
        if name in self.definition.groups:
            return self.group(name)
        return f"the {humanise(name)}"

    def group(self, name: str) -> str:
        group: Group | None = self.definition.groups.get(name)
        if group is None:
            return super().group(name)
        return f"the {group.title[0].lower() + group.title[1:]}"

    def item_noun(self, group: str | None) -> str:
        found = self.definition.groups.get(group or "")
        if found is None:
            return "item"
        noun = found.item_title.replace("{n}", "").strip().lower()
        return noun or "item"

    def option(self, name: str | None, code: Any) -> str | None:
        question = self.question(name)
        return question.option_label(code) if question is not None else None

    def takes_many(self, name: str | None) -> bool:
        question = self.question(name)
        return question is not None and question.type == "checkboxes"


class _Renderer:
    def __init__(self, wording: Wording, group: str | None) -> None:
        self.wording = wording
        # The group whose item is in scope, and whether it is an aggregate's item ("for whom ..." already says
        # which item, so its answers are not said to be "for this person").
        self.scopes: list[tuple[str | None, bool]] = [(group, False)]

    @property
    def group(self) -> str | None:
        return self.scopes[-1][0]

    # ------------------------------------------------------------------------------------------ statements

    def statement(self, node: Node) -> str:
        if isinstance(node, Binary) and node.op in ("and", "or"):
            parts = [self.operand(part, node.op) for part in _chain(node, node.op)]
            return join_words(parts, node.op)
        if isinstance(node, Unary) and node.op == "not":
            return self.negation(node.operand)
        if isinstance(node, Binary) and node.op in _COMPARISONS:
            return self.comparison(node.op, node.left, node.right)
        if isinstance(node, Call):
            return self.call_statement(node)
        if isinstance(node, Const):
            return "always" if _truthy_constant(node.value) else "never"
        return f"{self.value(node)} is true"

    def operand(self, node: Node, within: str) -> str:
        text = self.statement(node)
        if isinstance(node, Binary) and node.op in ("and", "or") and node.op != within:
            return f"({text})"
        return text

    def negation(self, node: Node) -> str:
        if isinstance(node, Binary) and node.op in _NEGATED:
            return self.comparison(_NEGATED[node.op], node.left, node.right)
        if isinstance(node, Call) and node.func == "answered" and len(node.args) == 1:
            return f"{self.value(node.args[0])} is not answered"
        if isinstance(node, Unary) and node.op == "not":
            return self.statement(node.operand)
        inner = self.statement(node)
        if isinstance(node, Binary) and node.op in ("and", "or"):
            inner = f"({inner})"
        return f"it is not true that {inner}"

    def comparison(self, op: str, left: Node, right: Node) -> str:
        if isinstance(left, Const | ListLit) and not isinstance(right, Const | ListLit) and op in _FLIPPED:
            left, right, op = right, left, _FLIPPED[op]
        about = left.name if isinstance(left, Name) else None
        if about == ITEM_NUMBER and isinstance(right, Const) and _is_int(right.value):
            return self.item_number(op, int(right.value))
        subject = self.value(left)
        if isinstance(right, Const) and right.value is None and op in ("==", "!="):
            return f"{subject} is {'not ' if op == '==' else ''}answered"
        many = self.wording.takes_many(about)
        if op in ("==", "!="):
            said = self.value(right, about)
            if many:
                return f"{subject} {'includes' if op == '==' else 'does not include'} {said}"
            return f"{subject} is {'' if op == '==' else 'not '}{said}"
        if op in ("in", "not in"):
            if isinstance(right, ListLit):
                if not right.items:  # said with its subject, so the words still name every answer read
                    return f"{subject} is {'in' if op == 'in' else 'not in'} an empty list (so this is " \
                        f"{'never' if op == 'in' else 'always'} true)"
                said = join_words([self.value(item, about) for item in right.items], "or")
            else:
                said = f"one of {self.value(right, about)}"
            verb = ("includes" if op == "in" else "does not include") if many else \
                ("is" if op == "in" else "is not")
            return f"{subject} {verb} {said}"
        said = self.value(right, about)
        if op in ("<", ">"):
            return f"{subject} is {_ORDER[op]} {said}"
        return f"{subject} is {said} {_ORDER[op]}"

    def item_number(self, op: str, number: int) -> str:
        noun = self.wording.item_noun(self.group)
        if op == "==":
            return f"this is {noun} {number}"
        if op == "!=":
            return f"this is not {noun} {number}"
        first = {"<": number - 1, "<=": number, ">": number + 1, ">=": number}[op]
        if op in ("<", "<="):
            return f"this is {noun} {first} or an earlier one" if first > 1 else f"this is {noun} 1"
        return f"this is {noun} {first} or a later one"

    def call_statement(self, node: Call) -> str:
        args = node.args
        if node.func == "answered" and len(args) == 1:
            return f"{self.value(args[0])} is answered"
        if node.func in ("any", "all") and args:
            group = args[0].name if isinstance(args[0], Name) else None
            who = self.group_phrase(args[0])
            if len(args) < 2:
                return f"{who} has {'any' if node.func == 'any' else 'every'} item"
            inner = self.inside(group, lambda: self.statement(args[1]))
            lead = "for at least one of" if node.func == "any" else "for every one of"
            return f"{lead} {who}, {inner}"
        if node.func == "contains" and len(args) == 2:
            about = args[0].name if isinstance(args[0], Name) else None
            return f"{self.value(args[0])} includes {self.value(args[1], about)}"
        if node.func == "matches" and len(args) == 2:
            return f"{self.value(args[0])} matches the pattern {self.value(args[1])}"
        if node.func == "if" and len(args) == 3:
            return (f"{self.statement(args[1])} if {self.statement(args[0])}, "
                    f"otherwise {self.statement(args[2])}")
        return f"{self.value(node)} is true"

    # ------------------------------------------------------------------------------------------ values

    def value(self, node: Node, about: str | None = None) -> str:
        if isinstance(node, Name):
            if node.name == ITEM_NUMBER:
                return f"the {self.wording.item_noun(self.group)} number"
            group, aggregated = self.scopes[-1]
            return self.wording.answer(node.name, None if aggregated else group)
        if isinstance(node, Const):
            return self.constant(node.value, about)
        if isinstance(node, ListLit):
            return join_words([self.value(item, about) for item in node.items], "and") or "no answers"
        if isinstance(node, MapLit):
            return self.table(node, about)
        if isinstance(node, Unary):
            if node.op == "-":
                return f"minus {self.bracketed(node.operand, 6)}"
            return f"whether {self.negation(node.operand)}"
        if isinstance(node, Binary):
            if node.op in _ARITHMETIC:
                rank = _PRECEDENCE[node.op]
                right_rank = rank + (1 if node.op in ("-", "/") else 0)
                return f"{self.bracketed(node.left, rank)} {_ARITHMETIC[node.op]} {self.bracketed(node.right, right_rank)}"
            return f"whether {self.statement(node)}"
        if isinstance(node, Call):
            return self.call_value(node)
        return "a value"

    def bracketed(self, node: Node, rank: int) -> str:
        text = self.value(node)
        if isinstance(node, Binary) and node.op in _PRECEDENCE and _PRECEDENCE[node.op] < rank:
            return f"({text})"
        return text

    def constant(self, value: Any, about: str | None) -> str:
        if about is not None and value is not None:
            label = self.wording.option(about, value)
            if label is not None:
                return quoted(label)
        if value is None:
            return "no answer"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return quoted(value)
        if isinstance(value, date):
            return value.strftime("%-d %B %Y")
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def table(self, node: MapLit, about: str | None) -> str:
        pairs = [f"{self.value(key, about)} gives {self.value(value)}" for key, value in node.pairs]
        return f"({'; '.join(pairs)})" if pairs else "(nothing)"

    def group_phrase(self, node: Node) -> str:
        if isinstance(node, Name):
            return self.wording.group(node.name)
        return self.value(node)

    def inside(self, group: str | None, say: Callable[[], str]) -> str:
        self.scopes.append((group if group is not None else self.group, True))
        try:
            return say()
        finally:
            self.scopes.pop()

    def call_value(self, node: Call) -> str:  # noqa: C901 - one case per built-in function
        func, args = node.func, node.args
        values = [self.value(arg) for arg in args] if func not in ("count", "sum", "any", "all", "map") else []
        if func in ("count", "sum", "any", "all") and args:
            group = args[0].name if isinstance(args[0], Name) else None
            who = self.group_phrase(args[0])
            if func == "count":
                if len(args) == 1:
                    return f"the number of {who.removeprefix('the ')}"
                inner = self.inside(group, lambda: self.statement(args[1]))
                return f"the number of {who.removeprefix('the ')} for whom {inner}"
            if func == "sum":
                inner = self.inside(group, lambda: self.value(args[1])) if len(args) > 1 else "their values"
                return f"the total of {inner} over {who}"
            return f"whether {self.call_statement(node)}"
        if func == "map" and args:
            about = args[0].name if isinstance(args[0], Name) else None
            subject = self.value(args[0])
            table = self.table(args[1], about) if len(args) > 1 and isinstance(args[1], MapLit) else \
                (self.value(args[1]) if len(args) > 1 else "")
            otherwise = f", anything else gives {self.value(args[2])}" if len(args) > 2 else ""
            extra = "".join(f", {self.value(arg)}" for arg in args[3:])
            return f"{subject} translated {table}{otherwise}{extra}".rstrip()
        simple: dict[str, Callable[[list[str]], str]] = {
            "today": lambda v: "today's date",
            "date": lambda v: self.date_literal(args[0]) if len(args) == 1 else f"the date {join_words(v)}",
            "days_between": lambda v: f"the number of days from {v[0]} to {v[1]}" if len(v) == 2 else "",
            "year": lambda v: f"the year of {v[0]}" if len(v) == 1 else "",
            "month": lambda v: f"the month of {v[0]}" if len(v) == 1 else "",
            "day": lambda v: f"the day of the month of {v[0]}" if len(v) == 1 else "",
            "round": lambda v: (f"{v[0]} rounded to {v[1]} decimal places" if len(v) == 2 else
                                f"{v[0]} rounded to a whole number" if len(v) == 1 else ""),
            "min": lambda v: f"the smallest of {join_words(v)}" if v else "",
            "max": lambda v: f"the largest of {join_words(v)}" if v else "",
            "abs": lambda v: f"the size of {v[0]}, ignoring its sign" if len(v) == 1 else "",
            "len": lambda v: f"the number of things in {v[0]}" if len(v) == 1 else "",
            "coalesce": lambda v: f"the first of {join_words(v)} that is answered" if v else "",
            "if": lambda v: f"{v[1]} if {self.statement(args[0])}, otherwise {v[2]}" if len(v) == 3 else "",
            "answered": lambda v: f"whether {v[0]} is answered" if len(v) == 1 else "",
            "contains": lambda v: f"whether {self.call_statement(node)}" if len(v) == 2 else "",
            "matches": lambda v: f"whether {self.call_statement(node)}" if len(v) == 2 else "",
        }
        said = simple[func](values) if func in simple else ""
        if said:
            return said
        lead = self.wording.function(func)
        return f"{lead} worked out from {join_words(values)}" if values else lead

    def date_literal(self, node: Node) -> str:
        if isinstance(node, Const) and isinstance(node.value, str):
            try:
                return date.fromisoformat(node.value).strftime("%-d %B %Y")
            except ValueError:
                return f"the date {quoted(node.value)}"
        return f"the date {self.value(node)}"


_NEGATED = {"==": "!=", "!=": "==", "in": "not in", "not in": "in", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _chain(node: Node, op: str) -> list[Node]:
    """`a and b and c` as [a, b, c] (the parser nests them to the left)."""
    if isinstance(node, Binary) and node.op == op:
        return [*_chain(node.left, op), *_chain(node.right, op)]
    return [node]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _truthy_constant(value: Any) -> bool:
    return bool(value)


def _node(expression: Expression | Node) -> Node:
    return expression.ast if isinstance(expression, Expression) else expression


def condition_in_words(expression: Expression | Node, wording: Wording | None = None, *,
                       group: str | None = None) -> str:
    """A condition as a statement: "the answer to question 7 is ‘No’". `group`: the group whose item the
    condition is read for (a group page's condition), so its answers read "for this person"."""
    return _Renderer(wording or Wording(), group).statement(_node(expression))


def value_in_words(expression: Expression | Node, wording: Wording | None = None, *, group: str | None = None) -> str:
    """A value (a derived value's formula) as a noun phrase: "the number of household members for whom ..."."""
    return _Renderer(wording or Wording(), group).value(_node(expression))


def cleared_in_words(definition: Definition, cleared: Cleared) -> str:
    """Why an answer given was not kept, for the person who gave it: "The answer to ‘What is the length of the
    fixed-term tenancy?’ (5) was not kept: it is asked only when the answer to ‘What is the type of tenancy?’ is
    ‘Fixed term’ or ‘Periodic’." (for a group item: "... for person 3"; past the count: how many items there are)."""
    question = definition.questions[cleared.ref.question_id]
    wording = DefinitionWording(definition)
    shown = cleared.value
    if question.options and not isinstance(shown, list):
        shown = question.option_label(shown) or shown
    elif isinstance(shown, list):
        shown = ", ".join(str(question.option_label(v) or v) for v in shown)
    what = f"The answer to {quoted(question.label.rstrip('?'))}"
    if cleared.ref.group is not None and cleared.ref.item is not None:
        what += f" for {wording.item_noun(cleared.ref.group)} {cleared.ref.item}"
    what += f" ({shown}) was not kept"
    if cleared.condition is not None:
        return f"{what}: it is asked only when {condition_in_words(cleared.condition, wording, group=question.group)}."
    if cleared.ref.group is not None:
        return f"{what}: there are fewer {wording.group(cleared.ref.group)[4:]} than that."
    return f"{what}: it no longer applies given the other answers."


# ---------------------------------------------------------------------------------------------- truth given answers


_UNKNOWN = object()
_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def truth_given(expression: Expression | Node, known: Mapping[str, Any]) -> bool | None:
    """True or False when the condition is certainly that whatever the answers not in `known` are (null
    included), None when it depends on them. Follows the engine's null rules; `known` values are not null."""
    value = _truth(_node(expression), known)
    return None if value is None else bool(value)


def _truth(node: Node, known: Mapping[str, Any]) -> bool | None:
    if isinstance(node, Binary) and node.op in ("and", "or"):
        left, right = _truth(node.left, known), _truth(node.right, known)
        if node.op == "and":
            if left is False or right is False:
                return False
            return True if left is True and right is True else None
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    if isinstance(node, Unary) and node.op == "not":
        inner = _truth(node.operand, known)
        return None if inner is None else not inner
    if isinstance(node, Binary) and node.op in _COMPARISONS:
        return _compare(node, known)
    if isinstance(node, Const):
        return bool(node.value)
    if isinstance(node, Name) and node.name in known:
        return bool(known[node.name])
    return None


def _known_value(node: Node, known: Mapping[str, Any]) -> Any:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Name) and node.name in known:
        return known[node.name]
    return _UNKNOWN


def _compare(node: Binary, known: Mapping[str, Any]) -> bool | None:
    left = _known_value(node.left, known)
    if left is _UNKNOWN:
        return None
    if node.op in ("in", "not in"):
        if not isinstance(node.right, ListLit):
            return None
        members = [_known_value(item, known) for item in node.right.items]
        if any(member is _UNKNOWN for member in members):
            return None
        if left is None:
            return node.op == "not in"
        try:
            found = any(member is not None and left == member for member in members)
        except TypeError:
            return None
        return found if node.op == "in" else not found
    right = _known_value(node.right, known)
    if right is _UNKNOWN:
        return None
    if node.op in ("==", "!="):
        if left is None or right is None:
            equal = left is right
        else:
            try:
                equal = bool(left == right)
            except TypeError:
                return None
        return equal if node.op == "==" else not equal
    if left is None or right is None:
        return False
    try:
        return bool(_ORDERINGS[node.op](left, right))
    except TypeError:
        return None  # the engine's rules for mixed numbers are its own: say "it depends"
