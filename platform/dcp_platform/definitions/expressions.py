"""The expression language used by conditions, validations and derived values.

Expressions are tokenised and parsed ONCE (recursive descent) into a small AST, then compiled into the
source of a Python function, which Python compiles to bytecode once. Evaluating an expression is one call of
that function over a *scope* (anything with a ``.get(name)`` method, normally a dict): names are scope
lookups, operators are inline where Python's own behaviour is the language's and small helpers where it is
not (null rules, mixed numbers, errors giving null). No re-parsing, no tree walking. Null rules mirror CORE: see
docs/definition-format.md.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ExpressionError

Scope = Any  # a Mapping-like object with .get(name)
Compiled = Callable[[Scope], Any]
ItemCompiled = Callable[[Any, Scope, int], Any]  # function(item, parent, number): see _Compiler, item mode

# Reserved scope key holding the EvalContext; cannot collide with an identifier.
CONTEXT_KEY = "$context"
# Reserved scope key holding the 1-based item number inside a group scope.
ITEM_NUMBER = "n"

AGGREGATES = frozenset({"count", "sum", "any", "all"})
BUILTINS = frozenset(
    {
        "answered", "coalesce", "map", "if", "today", "date", "days_between", "year", "month", "day",
        "round", "min", "max", "abs", "len", "matches", "contains",
    }
) | AGGREGATES


# ---------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "end"
    value: Any
    col: int  # 1-based column


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|\{|\}|,|:)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "null", "true", "false"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected character {text[pos]!r}", text, pos + 1)
        kind = match.lastgroup or ""
        raw = match.group()
        col = pos + 1
        pos = match.end()
        if kind == "ws":
            continue
        if kind == "num":
            tokens.append(Token("num", Decimal(raw) if "." in raw else int(raw), col))
        elif kind == "str":
            tokens.append(Token("str", _unescape(raw[1:-1]), col))
        elif kind == "name" and raw in _KEYWORDS:
            tokens.append(Token("op", raw, col))
        else:
            tokens.append(Token(kind, raw, col))
    tokens.append(Token("end", None, len(text) + 1))
    return tokens


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


# ---------------------------------------------------------------------------------------------- AST


@dataclass(slots=True)
class Node:
    col: int


@dataclass(slots=True)
class Const(Node):
    value: Any


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class ListLit(Node):
    items: list[Node]


@dataclass(slots=True)
class MapLit(Node):
    pairs: list[tuple[Node, Node]]


@dataclass(slots=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(slots=True)
class Call(Node):
    func: str
    args: list[Node]


# ---------------------------------------------------------------------------------------------- parser

_COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, token: Token | None = None) -> ExpressionError:
        token = token or self.peek()
        return ExpressionError(message, self.text, token.col)

    def expect(self, op: str) -> Token:
        token = self.peek()
        if token.kind != "op" or token.value != op:
            found = "the end" if token.kind == "end" else repr(token.value)
            raise self.error(f"expected {op!r} but found {found}")
        return self.advance()

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.value in ops

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error("the expression is empty")
        node = self.parse_or()
        if self.peek().kind != "end":
            raise self.error(f"unexpected {self.peek().value!r}")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at_op("or"):
            token = self.advance()
            node = Binary(token.col, "or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.at_op("and"):
            token = self.advance()
            node = Binary(token.col, "and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.at_op("not"):
            token = self.advance()
            return Unary(token.col, "not", self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        node = self.parse_additive()
        token = self.peek()
        op: str | None = None
        if token.kind == "op" and token.value in _COMPARISONS:
            op = str(token.value)
            self.advance()
        elif self.at_op("not") and self.tokens[self.pos + 1].value == "in":
            op = "not in"
            self.pos += 2
        if op is None:
            return node
        right = self.parse_additive()
        if self.peek().kind == "op" and (self.peek().value in _COMPARISONS):
            raise self.error("comparisons cannot be chained; use 'and'")
        return Binary(token.col, op, node, right)

    def parse_additive(self) -> Node:
        node = self.parse_multiplicative()
        while self.at_op("+", "-"):
            token = self.advance()
            node = Binary(token.col, str(token.value), node, self.parse_multiplicative())
        return node

    def parse_multiplicative(self) -> Node:
        node = self.parse_unary()
        while self.at_op("*", "/"):
            token = self.advance()
            node = Binary(token.col, str(token.value), node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.at_op("-"):
            token = self.advance()
            operand = self.parse_unary()
            if isinstance(operand, Const) and isinstance(operand.value, int | Decimal):
                return Const(token.col, -operand.value)
            return Unary(token.col, "-", operand)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.advance()
        if token.kind in ("num", "str"):
            return Const(token.col, token.value)
        if token.kind == "name":
            if self.at_op("("):
                return Call(token.col, str(token.value), self.parse_args())
            return Name(token.col, str(token.value))
        if token.kind == "op":
            if token.value == "null":
                return Const(token.col, None)
            if token.value in ("true", "false"):
                return Const(token.col, token.value == "true")
            if token.value == "(":
                node = self.parse_or()
                self.expect(")")
                return node
            if token.value == "[":
                return ListLit(token.col, self.parse_sequence("]"))
            if token.value == "{":
                return self.parse_map(token)
        found = "the end of the expression" if token.kind == "end" else repr(token.value)
        raise self.error(f"unexpected {found}", token)

    def parse_args(self) -> list[Node]:
        self.expect("(")
        return self.parse_sequence(")")

    def parse_sequence(self, close: str) -> list[Node]:
        items: list[Node] = []
        if self.at_op(close):
            self.advance()
            return items
        while True:
            items.append(self.parse_or())
            if self.at_op(","):
                self.advance()
                continue
            self.expect(close)
            return items

    def parse_map(self, start: Token) -> MapLit:
        pairs: list[tuple[Node, Node]] = []
        if self.at_op("}"):
            self.advance()
            return MapLit(start.col, pairs)
        while True:
            key = self.parse_or()
            self.expect(":")
            pairs.append((key, self.parse_or()))
            if self.at_op(","):
                self.advance()
                continue
            self.expect("}")
            return MapLit(start.col, pairs)


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


class ItemScope:
    """Scope for one item of a repeating group: item answers and derived first, then the record, then n."""

    __slots__ = ("item", "parent", "number")

    def __init__(self, item: Mapping[str, Any], parent: Scope, number: int) -> None:
        self.item = item
        self.parent = parent
        self.number = number

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.item:
            return self.item[name]
        if name == ITEM_NUMBER:
            return self.number
        return self.parent.get(name, default)


# Aggregates over a group: `per_item` is the compiled per-item expression, a function(item, parent, number) that
# reads names as ItemScope(item, parent, number) would, without making one (see _Compiler, item mode). (Plain
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


# ---------------------------------------------------------------------------------------------- compiler


@dataclass(slots=True)
class NameUse:
    """A name read by an expression. `group` is set when the name is read inside an aggregate over that group."""

    name: str
    group: str | None
    col: int


@dataclass(slots=True)
class Expression:
    source: str
    ast: Node
    fn: Compiled
    names: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    name_uses: list[NameUse] = field(default_factory=list)
    python: str = ""  # the generated Python source of `fn` (for debugging)
    # For inlining into larger generated functions (Definition does): `fn`'s return expression over `g` (the
    # scope's .get) and `scope`, the same where only its truth is used, and the globals both need. Global names
    # carry a prefix unique to the expression, so the namespaces of many expressions can be merged.
    body: str = "None"
    truth_body: str = "None"
    namespace: dict[str, Any] = field(default_factory=dict, repr=False)
    # The same over one item of a group, as ItemScope(item, parent, number) would read it but without making one:
    # over `item` (the item's mapping), `number`, `parent` (the scope around it) and `pg` (parent.get).
    item_body: str = "None"
    item_truth_body: str = "None"
    library: Mapping[str, Callable[..., Any]] = field(default_factory=dict, repr=False)  # the functions it may call

    def inline(
        self, names: Mapping[str, str], *, truth: bool = False, hoist: list[str] | None = None, part: Node | None = None
    ) -> tuple[str, dict[str, Any]]:
        """`body` (or `truth_body`) with the names in `names` read from the local variables named there instead
        of the scope (where generated code has read them once already), and the globals it needs.

        With `hoist`, the aggregates over items that the expression always works out (not under and/or, if(),
        coalesce() or a map() default) are written out as loops, appended to `hoist` as lines to run just
        before the expression (over `parent` and `pg`, like item_body), leaving local variables `_a1`, `_a2`, ...
        in their places: no call per aggregate and per item. They give what the aggregate functions give.
        `part`: only this node of the expression's syntax tree (see if_parts)."""
        compiler = _Compiler(self.source, self.library)
        compiler.local_names = names
        compiler.hoist = hoist
        return compiler.compile(self.ast if part is None else part, truth=truth), compiler.namespace

    def if_parts(self) -> tuple[Node, Node, Node] | None:
        """For an expression that is an if(condition, then, otherwise): its three parts (for Expression.inline),
        so that generated code can write it as an if statement."""
        ast = self.ast
        if isinstance(ast, Call) and ast.func == "if" and len(ast.args) == 3:
            condition, then, otherwise = ast.args
            return condition, then, otherwise
        return None

    def __call__(self, scope: Scope) -> Any:
        return self.fn(scope)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


GENERATED_BUILTINS = {"bool": bool, "len": len, "type": type, "int": int, "str": str}  # the only builtins generated code uses
_COMPILATION_UNITS = itertools.count()


class _Compiler:
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


def parse_expression(text: str | int | float | bool | None, *, functions: Mapping[str, Callable[..., Any]] | None = None) -> Expression:
    """Parse and compile an expression. Unknown functions are errors; names are checked by the loader."""
    source = _source_text(text)
    ast = _Parser(source).parse()
    compiler = _Compiler(source, functions or {})
    fn = compiler.function(ast)
    names, called, uses = set(compiler.names), set(compiler.called), list(compiler.uses)
    body, truth_body = compiler.compile(ast), compiler.compile(ast, truth=True)
    item_body, item_truth_body = compiler.item_body(ast), compiler.item_body(ast, truth=True)
    return Expression(source, ast, fn, names, called, uses, "".join(compiler.sources), body, truth_body,
                      compiler.namespace, item_body, item_truth_body, functions or {})


def _source_text(text: str | int | float | bool | None) -> str:
    # YAML turns `value: 14` into an int and `condition: true` into a bool; accept them as literals.
    if text is None:
        return "null"
    if isinstance(text, bool):
        return "true" if text else "false"
    return str(text)
