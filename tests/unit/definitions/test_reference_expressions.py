"""The reference evaluator's reading of expressions (a tree walk) against the compiled ones (generated Python),
on the language's own examples from docs/definition-format.md and on random values of every kind.

Both inline forms of the fast engine (Expression.fn and the bodies Definition inlines) are exercised by the
record-level differential tests; this one pins the language itself, one operator and function at a time.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dcp_platform.definitions import EvalContext, parse_expression, reference
from dcp_platform.definitions.expressions import CONTEXT_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXPRESSIONS = [
    "x == 1", "x != 1", "x == y", "x != y", "x < y", "x <= 3", "x > y", "x >= 2.5", "x in [1, 2, 3]",
    "x not in [1, 2, 3]", 'x in ["a", "b"]', "x in [1, null]", "x in y", "x not in y", "x + y", "x - y",
    "x * y", "x / y", "-x", "x + 14", "x - 14", "not x", "x and y", "x or y", "not (x == 1) or y > 2",
    "answered(x)", "coalesce(x, y, 3)", "map(x, {1: 2, 3: 4})", "map(x, {1: 2, 3: 4}, y)", "map(y, {1: 2})", "if(x, y, 7)",
    "date(x)", "days_between(x, y)", "year(x)", "month(x)", "day(x)", "round(x, 1)", "round(x)", "min(x, y)",
    "max(x, y, 2)", "abs(x)", "len(y)", "matches(x, \"^a\")", "contains(y, x)", "today()", "today() + 14",
    "count(persons)", "count(persons, age < 16)", "sum(persons, age)", "any(persons, age > x)",
    "all(persons, n <= 2 or age == null)", "count(persons, answered(age) and age >= y)",
    "sum(persons, if(age > 17, 1, 0)) + x", "x == 1 and (y == 2 or count(persons, age > 60) > 0)",
]

VALUES = st.one_of(
    st.none(), st.integers(-5, 20), st.sampled_from([Decimal("2.5"), Decimal("0"), Decimal("-1.25"), 1.5]),
    st.sampled_from(["a", "b", "", "2026-05-01", "abc"]), st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.lists(st.integers(0, 3), max_size=3), st.booleans(),
)
PERSONS = st.lists(st.fixed_dictionaries({}, optional={"age": st.one_of(st.none(), st.integers(0, 90))}),
                   max_size=4)


def _outcome(function: Any, scope: dict[str, Any]) -> Any:
    try:
        result = function(scope)
    except Exception as error:  # noqa: BLE001 - both must fail alike
        return ("raises", type(error).__name__)
    return (type(result).__name__, result)


@pytest.mark.parametrize("text", EXPRESSIONS)
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=VALUES, y=VALUES, persons=PERSONS)
def test_reference_reads_expressions_as_the_compiled_code(text: str, x: Any, y: Any, persons: Any) -> None:
    expression = parse_expression(text)
    scope = {"x": x, "y": y, "persons": persons, CONTEXT_KEY: EvalContext(today=date(2026, 6, 1))}
    fast = _outcome(expression.fn, scope)
    plain = _outcome(lambda s: reference.value(expression, s), scope)
    assert plain == fast, f"{text} with x={x!r}, y={y!r}, persons={persons!r}: reference {plain}, fast {fast}"
    if fast[0] != "raises":
        assert reference.truth(expression, scope) == bool(fast[1])


def test_names_read_are_the_compiled_names() -> None:
    for text in EXPRESSIONS:
        expression = parse_expression(text)
        assert reference.names_read(expression.ast) == expression.names, text


def test_plugin_functions_and_context() -> None:
    def provider(context: EvalContext, value: Any) -> Any:
        return (context.extra.get("provider"), value)

    provider.takes_context = True  # type: ignore[attr-defined]
    expression = parse_expression("provider(x)", functions={"provider": provider})
    scope = {"x": 3, CONTEXT_KEY: EvalContext(extra={"provider": "LA"})}
    assert reference.value(expression, scope) == expression.fn(scope) == ("LA", 3)
