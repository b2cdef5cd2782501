"""The expression language used by conditions, validations and derived values: `parse_expression` parses an
expression once (language.py) and compiles it to a Python function (compile_expressions.py); an `Expression`
holds both. Null rules mirror CORE: see docs/definition-format.md, whose executable meaning is reference.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .compile_expressions import GENERATED_BUILTINS, Compiler, is_answered, truthy
from .language import (
    AGGREGATES,
    BUILTINS,
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
    Parser,
    Scope,
    Token,
    Unary,
    tokenize,
)

__all__ = [
    "AGGREGATES", "BUILTINS", "CONTEXT_KEY", "GENERATED_BUILTINS", "ITEM_NUMBER", "Binary", "Call", "Compiled",
    "Const", "Expression", "ItemCompiled", "ItemScope", "ListLit", "MapLit", "Name", "NameUse", "Node", "Parser", "Scope",
    "Token", "Unary", "is_answered", "names_read_for_value", "parse_expression", "tokenize", "truthy",
]


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
        compiler = Compiler(self.source, self.library)
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


def parse_expression(text: str | int | float | bool | None, *, functions: Mapping[str, Callable[..., Any]] | None = None) -> Expression:
    """Parse and compile an expression. Unknown functions are errors; names are checked by the loader."""
    source = _source_text(text)
    ast = Parser(source).parse()
    compiler = Compiler(source, functions or {})
    fn = compiler.function(ast)
    names, called, uses = set(compiler.names), set(compiler.called), list(compiler.uses)
    body, truth_body = compiler.compile(ast), compiler.compile(ast, truth=True)
    item_body, item_truth_body = compiler.item_body(ast), compiler.item_body(ast, truth=True)
    return Expression(source, ast, fn, names, called, uses, "".join(compiler.sources), body, truth_body,
                      compiler.namespace, item_body, item_truth_body, functions or {})


_CONSTANT_TESTS = frozenset({"==", "!=", "in", "not in"})


def _constant(node: Node) -> bool:
    return isinstance(node, Const) or (isinstance(node, ListLit) and all(isinstance(i, Const) for i in node.items))


def names_read_for_value(node: Node) -> set[str]:
    """The names an expression reads for more than whether they are given or equal to a constant: every name
    except where it is only `answered(name)` or compared with a literal (`==`, `!=`, `in`, `not in`).

    A hard rule that reads a question only that way refuses the answer being given at all beside the other
    answers (CORE's "tenancy length given but the tenancy has no length"), whatever its value; one that reads its
    value (a range, a date before another) says nothing about an answer its question does not ask for.
    """
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Call) and node.func == "answered" and len(node.args) == 1 and isinstance(node.args[0], Name):
        return set()
    if isinstance(node, Binary) and node.op in _CONSTANT_TESTS:
        if isinstance(node.left, Name) and _constant(node.right):
            return set()
        if isinstance(node.right, Name) and _constant(node.left) and node.op in ("==", "!="):
            return set()
    children: list[Node] = []
    if isinstance(node, ListLit):
        children = list(node.items)
    elif isinstance(node, MapLit):
        children = [part for pair in node.pairs for part in pair]
    elif isinstance(node, Unary):
        children = [node.operand]
    elif isinstance(node, Binary):
        children = [node.left, node.right]
    elif isinstance(node, Call):
        children = list(node.args)
    return set().union(*(names_read_for_value(child) for child in children)) if children else set()


def _source_text(text: str | int | float | bool | None) -> str:
    # YAML turns `value: 14` into an int and `condition: true` into a bool; accept them as literals.
    if text is None:
        return "null"
    if isinstance(text, bool):
        return "true" if text else "false"
    return str(text)
