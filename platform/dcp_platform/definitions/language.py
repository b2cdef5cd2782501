"""The expression language's syntax: tokens, the syntax tree, the parser, and the names every reading of it
shares (the scope keys of the context and the item number, the scope of one group item).

Two readings of the tree exist: the compiled one (compile_expressions.py, Python generated once per
expression, used by the engine) and the reference's (reference.py, a plain tree walk that says what the
language means). docs/definition-format.md describes the language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import ExpressionError

Scope = Any  # a Mapping-like object with .get(name)
Compiled = Callable[[Scope], Any]
ItemCompiled = Callable[[Any, Scope, int], Any]  # function(item, parent, number): see Compiler, item mode

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


class Parser:
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


@dataclass(slots=True)
class NameUse:
    """A name read by an expression. `group` is set when the name is read inside an aggregate over that group."""

    name: str
    group: str | None
    col: int

