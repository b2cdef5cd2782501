"""Compiling expressions: each syntax tree becomes the source of a Python function, compiled to bytecode once,
together with the runtime helpers that generated code calls or inlines (null rules, mixed numbers, errors
giving null). Evaluating an expression is then one call of that function over a *scope* (anything with a
``.get(name)`` method, normally a dict): names are scope lookups, operators are inline where Python's own
behaviour is the language's and these helpers where it is not. No re-parsing, no tree walking.

What the code must give is what reference.py's tree walk gives (the differential tests compare them).
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ExpressionError
from .language import (
    AGGREGATES,
    CONTEXT_KEY,
    ITEM_NUMBER,
    Binary,
    Call,
    Compiled,
    Const,
    ItemCompiled,
    ItemScope,
    ListLit,
    MapLit,
    Name,
    NameUse,
    Node,
    Scope,
    Unary,
)

# ---------------------------------------------------------------------------------------------- runtime helpers


truthy = bool  # null is false; otherwise Python truthiness (0, "", [] are false)


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


# Types none of whose values is_answered's comparisons find equal to "" or [] (so all are answered).
_ALWAYS_ANSWERED = frozenset({int, bool, float, Decimal, date})


def _eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a == b)


def _to_decimal(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        try:
            return op(a, b)
        except TypeError:
            # Decimal and float do not mix in Python; plugin functions may return floats.
            try:
                return op(_to_decimal(a), _to_decimal(b))
            except (TypeError, InvalidOperation):
                return None
        except (ZeroDivisionError, InvalidOperation):
            return None

    return apply


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, date) and isinstance(b, int):
        return a + timedelta(days=b)
    if isinstance(b, date) and isinstance(a, int):
        return b + timedelta(days=a)
    return a + b


def _sub(a: Any, b: Any) -> Any:
    if isinstance(a, date):
        if isinstance(b, date):
            return (a - b).days
        if isinstance(b, int):
            return a - timedelta(days=b)
    return a - b


def _div(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        return Decimal(a) / Decimal(b)
    return a / b


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": _arith(_add),
    "-": _arith(_sub),
    "*": _arith(lambda a, b: a * b),
    "/": _arith(_div),
}


def _order_retry(op: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    """Decimal and float do not compare in Python; plugin functions may return floats. Other mixes are false."""
    try:
        return op(_to_decimal(a), _to_decimal(b))
    except TypeError:
        return False


# A null on either side is false, as are comparisons of values that cannot be ordered ("a" < 1).
def _lt(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a < b  # type: ignore[no-any-return]
    except TypeError:
        return _order_retry(operator.lt, a, b)


def _le(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a <= b  # type: ignore[no-any-return]
    except TypeError:
        return _order_retry(operator.le, a, b)


def _gt(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a > b  # type: ignore[no-any-return]
    except TypeError:
        return _order_retry(operator.gt, a, b)


def _ge(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a >= b  # type: ignore[no-any-return]
    except TypeError:
        return _order_retry(operator.ge, a, b)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {"<": _lt, "<=": _le, ">": _gt, ">=": _ge}
_NEGATE = _arith(operator.mul)  # -x is x * -1, null-safe


def _member(value: Any, members: frozenset[Any]) -> bool:
    """`x in [1, 2, 3]` with literal members. Null is never a member, nor is an unhashable value (a list)."""
    try:
        return value is not None and value in members
    except TypeError:
        return False


_MISSING = object()


def _lookup(key: Any, mapping: Any) -> Any:
    """map(): the mapped value, or _MISSING when the key is null or not in the table (a list, such as a checkbox
    answer, is in no table)."""
    try:
        if key is not None and key in mapping:
            return mapping[key]
    except TypeError:
        pass
    return _MISSING


def _contains(container: Any, value: Any) -> bool:
    if value is None or container is None:
        return False
    try:
        return value in container
    except TypeError:
        return False


def _parse_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _context_today(scope: Scope) -> date:
    context = scope.get(CONTEXT_KEY)
    today = getattr(context, "today", None)
    return today if isinstance(today, date) else date.today()


# Aggregates over a group: `per_item` is the compiled per-item expression, a function(item, parent, number) that
# reads names as ItemScope(item, parent, number) would, without making one (see Compiler, item mode). (Plain
# loops: faster than any()/all() over a generator.)
def _count_items(items: Any, per_item: ItemCompiled, scope: Scope) -> int:
    count = 0
    for number, item in enumerate(items or (), start=1):
        if per_item(item, scope, number):
            count += 1
    return count


def _any_item(items: Any, per_item: ItemCompiled, scope: Scope) -> bool:
    for number, item in enumerate(items or (), start=1):  # noqa: SIM110
        if per_item(item, scope, number):
            return True
    return False


def _all_items(items: Any, per_item: ItemCompiled, scope: Scope) -> bool:
    for number, item in enumerate(items or (), start=1):  # noqa: SIM110
        if not per_item(item, scope, number):
            return False
    return True


def _sum_items(items: Any, per_item: ItemCompiled, scope: Scope) -> Any:
    add = _ARITH["+"]
    result: Any = 0
    for number, item in enumerate(items or (), start=1):
        value = per_item(item, scope, number)
        if value is not None:
            # Whole numbers are added at once (what `add` does with two ints); anything else goes to `add`.
            result = result + value if type(result) is int and type(value) is int else add(result, value)
    return result


_AGGREGATE_FUNCTIONS: dict[str, Callable[[Any, ItemCompiled, Scope], Any]] = {
    "count": _count_items, "any": _any_item, "all": _all_items, "sum": _sum_items,
}


def _round(value: Any, places: Any = 0) -> Any:
    if value is None:
        return None
    places = int(places or 0)
    try:
        result = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    except InvalidOperation:
        return None
    return int(result) if places <= 0 else result


def _null_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    def apply(*args: Any) -> Any:
        for arg in args:  # (a plain loop: faster than any() over a generator)
            if arg is None:
                return None
        try:
            return fn(*args)
        except (TypeError, ValueError, AttributeError, InvalidOperation):  # (year() of what is not a date: null)
            return None

    return apply


def _matches(text: Any, pattern: Any) -> bool:
    if text is None or pattern is None:
        return False
    return re.search(str(pattern), str(text)) is not None


_days_between_any = _null_safe(lambda a, b: (_parse_date(b) - _parse_date(a)).days)  # type: ignore[operator]


def _days_between(a: Any, b: Any) -> Any:
    """days_between(): the days from a to b, null when either is null or not a date. Date answers are dates in
    the scope, so two dates are subtracted at once; anything else goes the general way."""
    if type(a) is date and type(b) is date:
        return (b - a).days
    return _days_between_any(a, b)


# Functions whose arguments are evaluated eagerly. if/coalesce/map/aggregates are compiled specially.
_EAGER: dict[str, tuple[Callable[..., Any], int, int]] = {
    "answered": (is_answered, 1, 1),
    "date": (_parse_date, 1, 1),
    "days_between": (_days_between, 2, 2),
    "year": (_null_safe(lambda d: _parse_date(d).year), 1, 1),  # type: ignore[union-attr]
    "month": (_null_safe(lambda d: _parse_date(d).month), 1, 1),  # type: ignore[union-attr]
    "day": (_null_safe(lambda d: _parse_date(d).day), 1, 1),  # type: ignore[union-attr]
    "round": (_round, 1, 2),
    "min": (_null_safe(min), 2, 99),
    "max": (_null_safe(max), 2, 99),
    "abs": (_null_safe(abs), 1, 1),
    "len": (lambda x: 0 if x is None else len(x), 1, 1),
    "matches": (_matches, 2, 2),
    "contains": (lambda container, v: _contains(container, v), 2, 2),
}


GENERATED_BUILTINS = {"bool": bool, "len": len, "type": type, "int": int, "str": str}  # the only builtins generated code uses
_COMPILATION_UNITS = itertools.count()


class Compiler:
    """Turns the AST into the source of one Python function per expression, compiled once.

    `compile(node)` gives a Python expression (text) over `g` (the scope's `.get`) and `scope`; constants and
    helpers are bound by name in the function's globals. Each aggregate's per-item expression becomes a
    function(item, parent, number) of its own (item mode, see `read`). The generated code follows the same
    rules as the helpers above (null handling, Decimal/float mixing, errors giving null); `truth=True` marks a place where
    only the truth of the value matters (operands of and/or/not, if() conditions, count/any/all), so the
    `bool()` around and/or can be left out there.
    """

    def __init__(self, text: str, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.text = text
        self.functions = functions
        self.names: set[str] = set()
        self.called: set[str] = set()
        self.uses: list[NameUse] = []
        self.group_stack: list[str] = []
        self.namespace: dict[str, Any] = {"__builtins__": GENERATED_BUILTINS}
        self.prefix = f"_e{next(_COMPILATION_UNITS)}_"
        self.bound: dict[int, str] = {}
        self.temps = 0
        self.sources: list[str] = []
        # Item mode: names are read from `item` first, then `n` is `number`, then `pg` (the parent scope's get),
        # as ItemScope.get reads them; `scope`, where one is needed, is made as ItemScope(item, parent, number).
        self.item_mode = False
        self.local_names: Mapping[str, str] = {}  # names read from local variables (see Expression.inline)
        self.per_item: dict[int, ItemCompiled] = {}  # by id of the aggregate's node: made once for both modes
        # Loops written out for aggregates (see Expression.inline), and how deep compile() is in a part that may
        # not be worked out (then aggregates stay calls).
        self.hoist: list[str] | None = None
        self.hoisted = 0
        self.lazy = 0

    def error(self, message: str, node: Node) -> ExpressionError:
        return ExpressionError(message, self.text, node.col)

    # ------------------------------------------------------------------------------------------ building

    def bind(self, value: Any) -> str:
        """A global name for a constant or helper (the same object every call, as before)."""
        name = self.bound.get(id(value))
        if name is None:
            name = self.bound[id(value)] = f"{self.prefix}k{len(self.bound)}"
            self.namespace[name] = value
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def function(self, node: Node, *, truth: bool = False) -> Compiled:
        body = self.compile(node, truth=truth)
        name = f"{self.prefix}f{len(self.sources)}"
        source = f"def {name}(scope):\n    g = scope.get\n    return {body}\n"
        self.sources.append(source)
        exec(compile(source, f"<expression {self.text!r}>", "exec"), self.namespace)  # noqa: S102
        return self.namespace[name]  # type: ignore[no-any-return]

    def item_function(self, node: Node, *, truth: bool = False) -> ItemCompiled:
        """A function(item, parent, number) of the expression over one item (item mode)."""
        outer, self.item_mode = self.item_mode, True
        try:
            body = self.compile(node, truth=truth)
        finally:
            self.item_mode = outer
        name = f"{self.prefix}f{len(self.sources)}"
        start = "    pg = parent.get\n" if "pg(" in body else ""
        source = f"def {name}(item, parent, number):\n{start}    return {body}\n"
        self.sources.append(source)
        exec(compile(source, f"<expression {self.text!r}>", "exec"), self.namespace)  # noqa: S102
        return self.namespace[name]  # type: ignore[no-any-return]

    def item_body(self, node: Node, *, truth: bool = False) -> str:
        outer, self.item_mode = self.item_mode, True
        try:
            return self.compile(node, truth=truth)
        finally:
            self.item_mode = outer

    def read(self, name: str) -> str:
        """The value of `name` in the scope."""
        if not self.item_mode:
            local = self.local_names.get(name)
            return f"g({name!r})" if local is None else local
        if name == ITEM_NUMBER:
            return f"(item[{name!r}] if {name!r} in item else number)"
        return f"(item[{name!r}] if {name!r} in item else pg({name!r}))"

    def scope(self) -> str:
        """The scope itself (for what needs one: nested aggregates, today())."""
        return f"{self.bind(ItemScope)}(item, parent, number)" if self.item_mode else "scope"

    def literal(self, value: Any) -> str:
        if value is None or isinstance(value, bool) or type(value) is str:
            return repr(value)
        if type(value) is int:
            return repr(value) if value >= 0 else f"({value!r})"
        return self.bind(value)

    # ------------------------------------------------------------------------------------------ nodes

    def compile(self, node: Node, *, truth: bool = False) -> str:
        if isinstance(node, Const):
            return self.literal(node.value)
        if isinstance(node, Name):
            return self.compile_name(node)
        if isinstance(node, ListLit):
            return self.compile_list(node)
        if isinstance(node, MapLit):
            return self.compile_map(node)
        if isinstance(node, Unary):
            return self.compile_unary(node)
        if isinstance(node, Binary):
            return self.compile_binary(node, truth)
        if isinstance(node, Call):
            return self.compile_call(node, truth)
        raise self.error("cannot compile this expression", node)  # pragma: no cover

    def compile_name(self, node: Name) -> str:
        name = node.name
        self.names.add(name)
        self.uses.append(NameUse(name, self.group_stack[-1] if self.group_stack else None, node.col))
        return self.read(name)

    def compile_list(self, node: ListLit) -> str:
        if all(isinstance(item, Const) for item in node.items):
            return self.bind([item.value for item in node.items])  # type: ignore[attr-defined]
        return "[" + ", ".join(self.compile(item) for item in node.items) + "]"

    @staticmethod
    def constant_members(node: ListLit) -> frozenset[Any] | None:
        if not all(isinstance(item, Const) and item.value is not None for item in node.items):
            return None
        try:
            return frozenset(item.value for item in node.items)  # type: ignore[attr-defined]
        except TypeError:
            return None

    def compile_map(self, node: MapLit) -> str:
        if all(isinstance(k, Const) and isinstance(v, Const) for k, v in node.pairs):
            return self.bind({k.value: v.value for k, v in node.pairs})  # type: ignore[attr-defined]
        return "{" + ", ".join(f"{self.compile(k)}: {self.compile(v)}" for k, v in node.pairs) + "}"

    def compile_unary(self, node: Unary) -> str:
        operand = self.compile(node.operand, truth=True) if node.op == "not" else self.compile(node.operand)
        if node.op == "not":
            return f"(not {operand})"
        return f"{self.bind(_NEGATE)}({operand}, -1)"

    def compile_binary(self, node: Binary, truth: bool) -> str:
        op = node.op
        if op in ("and", "or"):
            # bool(None) is False, so truthiness gives the null rule; the value is a bool unless only its truth
            # is used.
            left = self.compile(node.left, truth=True)
            text = f"{left} {op} {self.compile_lazy(node.right, truth=True)}"
            return f"({text})" if truth else f"bool({text})"
        left = self.compile(node.left)
        right_const = isinstance(node.right, Const) and node.right.value is not None
        if op in ("==", "!=") and right_const:
            # The most common pattern, `answer == literal`: a plain comparison (null is never equal).
            return f"({left} {op} {self.compile(node.right)})"
        if op in ("in", "not in") and isinstance(node.right, ListLit):
            members = self.constant_members(node.right)
            if members is not None:
                # `x in [1, 2, 3]` with literal members: set membership; null is never a member.
                test = f"{self.bind(_member)}({left}, {self.bind(members)})"
                kinds = {type(member) for member in members}
                if len(kinds) == 1 and (kind := kinds.pop()) in (int, str):
                    # Members all ints (or all strings): a value of that very type is tested at once, as
                    # _member would test it; any other value goes to _member.
                    temp = self.temp()
                    test = (f"({temp} in {self.bind(members)} if type({temp} := {left}) is {kind.__name__} "
                            f"else {self.bind(_member)}({temp}, {self.bind(members)}))")
                return test if op == "in" else f"(not {test})"
        right = self.compile(node.right)
        if op == "==":
            return f"{self.bind(_eq)}({left}, {right})"
        if op == "!=":
            return f"(not {self.bind(_eq)}({left}, {right}))"
        if op == "in":
            return f"{self.bind(_contains)}({right}, {left})"
        if op == "not in":
            # Mirrors `!=`: a null is "not in" any list.
            return f"(not {self.bind(_contains)}({right}, {left}))"
        if op in _ORDER:
            if isinstance(node.right, Const) and type(node.right.value) is int:
                # `answer < 16`: an int answer is compared at once, as the helper would; anything else (null,
                # Decimal, text) goes to the helper.
                temp = self.temp()
                return f"({temp} {op} {right} if type({temp} := {left}) is int else {self.bind(_ORDER[op])}({temp}, {right}))"
            return f"{self.bind(_ORDER[op])}({left}, {right})"
        return f"{self.bind(_ARITH[op])}({left}, {right})"

    def compile_call(self, node: Call, truth: bool) -> str:
        name = node.func
        self.called.add(name)
        if name in AGGREGATES:
            return self.compile_aggregate(node)
        if name == "if":
            self.check_arity(node, 3, 3)
            cond, then, otherwise = node.args
            condition = self.compile(cond, truth=True)
            return (f"({self.compile_lazy(then, truth=truth)} if {condition} "
                    f"else {self.compile_lazy(otherwise, truth=truth)})")
        if name == "coalesce":
            self.check_arity(node, 1, 99)
            *firsts, last = [self.compile(arg) if index == 0 else self.compile_lazy(arg)
                             for index, arg in enumerate(node.args)]
            text = last
            for part in reversed(firsts):
                temp = self.temp()
                text = f"({temp} if ({temp} := {part}) is not None else {text})"
            return text
        if name == "map":
            return self.compile_map_call(node)
        if name == "answered":
            # is_answered written out: a call costs more than the test. Values of _ALWAYS_ANSWERED's types are
            # never equal to '' or [] (comparing a Decimal with them is slow), so those skip the comparisons.
            self.check_arity(node, 1, 1)
            temp = self.temp()
            return (f"(({temp} := {self.compile(node.args[0])}) is not None and "
                    f"(type({temp}) in {self.bind(_ALWAYS_ANSWERED)} or ({temp} != '' and {temp} != [])))")
        if name == "today":
            self.check_arity(node, 0, 0)
            return f"{self.bind(_context_today)}({self.scope()})"
        if name in _EAGER:
            fn, low, high = _EAGER[name]
            self.check_arity(node, low, high)
        elif name in self.functions:
            fn = self.functions[name]
            if getattr(fn, "takes_context", False):
                args = "".join(f", {self.compile(arg)}" for arg in node.args)
                return f"{self.bind(fn)}({self.read(CONTEXT_KEY)}{args})"
        else:
            raise self.error(f"unknown function {name!r}", node)
        return f"{self.bind(fn)}(" + ", ".join(self.compile(arg) for arg in node.args) + ")"

    def check_arity(self, node: Call, low: int, high: int) -> None:
        count = len(node.args)
        if not low <= count <= high:
            expected = str(low) if low == high else f"{low} to {high}" if high < 99 else f"at least {low}"
            raise self.error(f"{node.func}() takes {expected} argument(s), not {count}", node)

    def compile_map_call(self, node: Call) -> str:
        self.check_arity(node, 2, 3)
        value = self.compile(node.args[0])
        table = self.compile(node.args[1])
        default = self.compile_lazy(node.args[2]) if len(node.args) == 3 else "None"
        temp = self.temp()
        missing = self.bind(_MISSING)
        return f"({temp} if ({temp} := {self.bind(_lookup)}({value}, {table})) is not {missing} else {default})"

    def compile_aggregate(self, node: Call) -> str:
        name = node.func
        low = 1 if name == "count" else 2
        self.check_arity(node, low, 2)
        group_node = node.args[0]
        if not isinstance(group_node, Name):
            raise self.error(f"the first argument of {name}() must be the id of a repeating group", node)
        items = self.compile_name(group_node)
        if len(node.args) == 1:
            return f"len({items} or ())"
        if self.hoist is not None and not self.lazy and not self.item_mode:
            return self.hoist_aggregate(name, items, group_node.name, node.args[1])
        per_item = self.per_item.get(id(node))
        if per_item is None:
            self.group_stack.append(group_node.name)
            try:
                per_item = self.per_item[id(node)] = self.item_function(node.args[1], truth=name != "sum")
            finally:
                self.group_stack.pop()
        return f"{self.bind(_AGGREGATE_FUNCTIONS[name])}({items}, {self.bind(per_item)}, {self.scope()})"


    def compile_lazy(self, node: Node, *, truth: bool = False) -> str:
        """A part of the expression that is worked out only in some cases."""
        self.lazy += 1
        try:
            return self.compile(node, truth=truth)
        finally:
            self.lazy -= 1

    def hoist_aggregate(self, name: str, items: str, group: str, per_item: Node) -> str:
        """An aggregate as a loop over the items (appended to self.hoist), doing what its function in
        _AGGREGATE_FUNCTIONS does with the per-item function; the local variable that holds the result."""
        assert self.hoist is not None
        self.group_stack.append(group)
        try:
            body = self.item_body(per_item, truth=name != "sum")
        finally:
            self.group_stack.pop()
        self.hoisted += 1
        result = f"_a{self.hoisted}"
        lines = [f"for number, item in enumerate({items} or (), start=1):"]
        if name == "count":
            lines = [f"{result} = 0", *lines, f"    if ({body}):", f"        {result} += 1"]
        elif name == "any":
            lines = [f"{result} = False", *lines, f"    if ({body}):", f"        {result} = True", "        break"]
        elif name == "all":
            lines = [f"{result} = True", *lines, f"    if not ({body}):", f"        {result} = False", "        break"]
        else:  # sum: as _sum_items adds
            add = self.bind(_ARITH["+"])
            lines = [f"{result} = 0", *lines, f"    _v = ({body})", "    if _v is not None:",
                     f"        {result} = {result} + _v if type({result}) is int and type(_v) is int "
                     f"else {add}({result}, _v)"]
        self.hoist.extend(lines)
        return result
