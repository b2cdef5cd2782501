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
from dcp_platform.definitions.expressions import (
    _ORDER,
    _member,
    _null_safe,
    _parse_date,
    is_answered,
    parse_expression,
)


class Sub(int):
    pass


VALUES: list[Any] = [
    None, "", " ", "a", "A", "1", "16", 0, 1, 2, 15, 16, 17, -1, 10**20, True, False, Sub(16), 1.0, 15.5, 16.0,
    float("nan"), Decimal("16"), Decimal("16.0"), Decimal("15.99"), Decimal("NaN"), date(2026, 6, 1),
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
