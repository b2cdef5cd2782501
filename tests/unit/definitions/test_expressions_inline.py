"""Tests written out inline by the expression compiler give exactly what the runtime helpers give.

`answered(x)`, `x in [literal members]`, `x < literal int` (and the other orders) and `days_between(a, b)` are
compiled to inline Python (or a narrower helper) for speed; the helpers they stand for are the reference, for
every kind of value a scope can hold.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from dcp_platform.definitions.compile_expressions import (
    _ORDER,
    _member,
    _null_safe,
    _parse_date,
    is_answered,
)
from dcp_platform.definitions.expressions import parse_expression


class Sub(int):
    pass


VALUES: list[Any] = [
    None, "", " ", "a", "A", "1", "16", 0, 1, 2, 15, 16, 17, -1, 10**20, True, False, Sub(16), 1.0, 15.5, 16.0,
    float("nan"), Decimal("16"), Decimal("16.0"), Decimal("15.99"), Decimal("NaN"), Decimal("sNaN"), Decimal("-0"),
    Decimal("0.00"), date(2026, 6, 1),
    datetime(2026, 6, 1, 12), "2026-06-01", [], [1], ["a"], {}, {"a": 1},
]


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        result = fn(*args)
    except Exception as error:  # noqa: BLE001 - the kind of failure must be the same too
        return ("raises", type(error))
    return (type(result).__name__, repr(result))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_answered_is_is_answered(value: Any) -> None:
    for text in ("answered(x)", "if(answered(x), 1, 2)", "not answered(x)"):
        expression = parse_expression(text)
        assert is_answered not in expression.namespace.values()  # written out, not called
        reference = {"answered(x)": lambda v: is_answered(v), "if(answered(x), 1, 2)": lambda v: 1 if is_answered(v) else 2,
                     "not answered(x)": lambda v: not is_answered(v)}[text]
        assert _outcome(expression.fn, {"x": value}) == _outcome(reference, value), text


MEMBERS = [[1, 2, 16], ["a", "R"], [1, "a"], [True, 2], [Decimal("1.5"), 2]]


@pytest.mark.parametrize("members", MEMBERS, ids=repr)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_literal_membership_is_member(members: list[Any], value: Any) -> None:
    literal = ", ".join(f'"{m}"' if isinstance(m, str) else str(m).lower() for m in members)
    found = frozenset(members)
    for op, reference in (("in", lambda v: _member(v, found)), ("not in", lambda v: not _member(v, found))):
        expression = parse_expression(f"x {op} [{literal}]")
        assert _outcome(expression.fn, {"x": value}) == _outcome(reference, value), op


@pytest.mark.parametrize("bound", [16, 0, -3, 10**20])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_ordering_against_a_literal_int_is_the_helper(bound: int, value: Any) -> None:
    for op, helper in _ORDER.items():
        expression = parse_expression(f"x {op} {bound}")
        assert _outcome(expression.fn, {"x": value}) == _outcome(helper, value, bound), op
        truth = parse_expression(f"if(x {op} {bound}, 1, 2)")
        assert _outcome(truth.fn, {"x": value}) == _outcome(lambda v, h=helper: 1 if h(v, bound) else 2, value), op


_old_days_between = _null_safe(lambda a, b: (_parse_date(b) - _parse_date(a)).days)  # type: ignore[operator]
DAYS = [None, date(2026, 6, 1), date(2025, 1, 31), datetime(2026, 6, 1, 23), "2026-06-03", "2026-13-01", 5,
        Decimal("1"), "", []]


@pytest.mark.parametrize("first", DAYS, ids=repr)
@pytest.mark.parametrize("second", DAYS, ids=repr)
def test_days_between_is_unchanged(first: Any, second: Any) -> None:
    expression = parse_expression("days_between(a, b)")
    assert _outcome(expression.fn, {"a": first, "b": second}) == _outcome(_old_days_between, first, second)


def test_nan_comparisons_still_raise() -> None:
    with pytest.raises(InvalidOperation):
        parse_expression("x < 16").fn({"x": Decimal("NaN")})


# ---------------------------------------------------------------------------------------------- item mode

ITEM_EXPRESSIONS = [
    "n", "n == 1 or age < 16", "age", "hhmemb", "answered(ecstat) and ecstat in [1, 2]", "coalesce(age, hhmemb, 0) + n",
    "count(persons, age < 16)", "count(persons, age < age_limit)", "sum(persons, age)", "any(persons, n == 2)",
    "all(persons, answered(age))", "count(persons, n > 1 and age > hhmemb)", "days_between(start, today())",
    "if(n == 1, today(), null)", "provider()", "count(persons, provider() == 'PRP')", "map(ecstat, {1: 'a'}, 'b')",
]


def _provider(context: Any) -> Any:
    return getattr(context, "extra", {}).get("provider")


_provider.takes_context = True  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ITEM_EXPRESSIONS)
def test_an_expression_over_an_item_reads_as_an_item_scope_would(text: str) -> None:
    from dcp_platform.definitions import EvalContext
    from dcp_platform.definitions.expressions import GENERATED_BUILTINS, ItemScope

    expression = parse_expression(text, functions={"provider": _provider})
    persons = [{"age": 10}, {"age": 40, "ecstat": 1}, {}, {"n": 7, "age": 3}, {"age": None, "ecstat": 2},
               {"age": "x"}, {"age_limit": 5, "age": 4}]
    contexts = [EvalContext(today=date(2026, 6, 1), extra={"provider": "PRP"}), {"$context": "in the item"}]
    for parent in ({"persons": persons, "hhmemb": 3, "age": 99, "ecstat": 2, "age_limit": 30, "start": date(2026, 5, 1),
                    "$context": contexts[0]},
                   {"persons": persons[:2], "$context": contexts[0]}):
        for number, item in enumerate([*persons, {"$context": contexts[0]}], start=1):
            scope = ItemScope(item, parent, number)
            names = {**expression.namespace, "__builtins__": GENERATED_BUILTINS}
            local = {"item": item, "parent": parent, "pg": parent.get, "number": number}
            assert _outcome(eval, expression.item_body, names, local) == _outcome(expression.fn, scope), (text, number)
            assert _outcome(_truth, expression.item_truth_body, names, local) == \
                _outcome(_truth_of, expression.fn, scope), (text, number)
        # Within an item's scope (a group value counting the group): the inner items' parent is that scope.
        nested = parse_expression(f"count(persons, ({text}) == ({text}))", functions={"provider": _provider})
        inner = parse_expression(f"({text}) == ({text})", functions={"provider": _provider})
        for outer in (ItemScope(persons[1], parent, 2), ItemScope({"n": 5, "persons": persons[2:]}, parent, 1)):
            assert _outcome(nested.fn, outer) == _outcome(_count_in, outer, inner.fn), text


def _count_in(outer: Any, per_item: Any) -> int:
    """count(persons, ...) as it was: an ItemScope per item, with the scope around as its parent."""
    from dcp_platform.definitions.expressions import ItemScope

    return sum(1 for n, item in enumerate(outer.get("persons") or (), start=1) if per_item(ItemScope(item, outer, n)))


def _truth(body: str, names: dict[str, Any], local: dict[str, Any]) -> bool:
    return bool(eval(body, names, local))  # noqa: S307


def _truth_of(fn: Any, scope: Any) -> bool:
    return bool(fn(scope))


SUMMED: list[Any] = [1, 2, -3, 10**20, True, False, Sub(2), 1.5, Decimal("2.50"), Decimal("NaN"), "3", None, date(2026, 6, 1)]


@pytest.mark.parametrize("first", SUMMED, ids=repr)
def test_sum_over_items_adds_as_before(first: Any) -> None:
    from dcp_platform.definitions.compile_expressions import _ARITH

    def old_sum(values: list[Any]) -> Any:
        result: Any = 0
        for value in values:
            if value is not None:
                result = _ARITH["+"](result, value)
        return result

    expression = parse_expression("sum(persons, age)")
    for second in SUMMED:
        for third in (None, 1, Decimal("1.0"), "x"):
            values = [first, second, third]
            scope = {"persons": [{"age": value} for value in values]}
            assert _outcome(expression.fn, scope) == _outcome(old_sum, values), values


# Aggregates that generated code writes out as loops (Expression.inline with `hoist`, and if() parts) give what
# the compiled expression (calls to the aggregate functions) gives, for groups of every shape.
AGGREGATE_EXPRESSIONS = [
    "count(people, age < 16)", "count(people)", "any(people, n == 1 and answered(work))", "all(people, age >= 18)",
    "sum(people, pay)", "sum(people, if(age < 16, null, pay))", "count(people, age < limit) + count(people, age > 60)",
    "if(any(people, n == 1 and answered(work)), sum(people, pay), null)", "if(limit > 3, count(people), sum(people, age))",
    "if(x == 1 and any(people, age < 16), 1, 0)", "coalesce(x, count(people, age < 16))", "any(people, count(people) > n)",
    "sum(people, age) > 40 or all(people, answered(pay))",
]
# Left as calls: count() of the items alone is len(); an aggregate that is worked out only in some cases.
NOT_WRITTEN_OUT = {"count(people)", "if(x == 1 and any(people, age < 16), 1, 0)", "coalesce(x, count(people, age < 16))"}
PEOPLE: list[Any] = [
    None, [], [{}], [{"age": 10, "pay": 5}], [{"age": 40, "work": 1, "pay": Decimal("10.50")}, {"age": 12}],
    [{"age": 70, "pay": 3.5}, {"age": "x", "pay": "7"}, {"n": 9, "age": None, "pay": 2}],
    [{"age": 20, "pay": 1}, {"age": 30, "pay": Decimal("2.25")}, {"age": 15, "work": "", "pay": None}],
]


@pytest.mark.parametrize("text", AGGREGATE_EXPRESSIONS)
def test_hoisted_aggregates_are_the_aggregate_functions(text: str) -> None:
    from dcp_platform.definitions.compile_definition import _Source

    expression = parse_expression(text)
    source = _Source("hoisted", "")
    source.lines[0] = "def hoisted(scope):"
    source.add(1, "parent, pg = scope, g")
    names = {"x": "v_x"}
    source.add(1, "v_x = g('x')")
    parts = expression.if_parts()
    if parts is None:
        source.add(1, f"return {source.expression(expression, names=names, hoist_at=1)}")
    else:
        condition, then, otherwise = parts
        source.add(1, f"if {source.expression(expression, truth=True, names=names, hoist_at=1, part=condition)}:")
        source.add(2, f"return {source.expression(expression, names=names, hoist_at=2, part=then)}")
        source.add(1, f"return {source.expression(expression, names=names, hoist_at=1, part=otherwise)}")
    hoisted = source.build()
    assert ("_a1" in hoisted.source) is (text not in NOT_WRITTEN_OUT)  # type: ignore[attr-defined]
    for people in PEOPLE:
        for x in (None, 1, 2):
            for limit in (None, 5, 18):
                scope = {"people": people, "x": x, "limit": limit}
                assert _outcome(hoisted, scope) == _outcome(expression.fn, scope), (people, x, limit)
