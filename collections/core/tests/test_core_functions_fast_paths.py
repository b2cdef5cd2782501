"""The fast paths of to_decimal, to_int and income_bound give exactly what the plain versions gave.

The `_old_*` functions are the versions before the fast paths, kept here verbatim as the reference.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from dcp_core import functions


def _old_to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _old_to_int(value: Any) -> int | None:
    number = _old_to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _old_income_bound(n: Any, ecstat: Any, age: Any, bound: Any) -> int | None:
    if bound not in functions.RANGE_BOUNDS:
        return None
    situation = _old_to_int(ecstat)
    if situation is None:
        if _old_to_int(n) == 1:
            return None
        years = _old_to_int(age)
        situation = functions.CHILD_ECSTAT if years is not None and years < 16 else functions.REFUSED_ECSTAT
    limits = functions.INCOME_RANGES.get(situation)
    return limits[functions.RANGE_BOUNDS.index(str(bound))] if limits else None


class Sub(int):
    pass


# What answers, derived values and literals can be: None, ints (and bools, which are ints), Decimals (money,
# decimal literals), strings (stored money, text answers, option codes), floats (JSON from the API), dates.
VALUES: list[Any] = [
    None, "", " ", 0, 1, -1, 15, 16, 60, 10**20, True, False, Sub(3),
    Decimal("0"), Decimal("1"), Decimal("1.0"), Decimal("1.50"), Decimal("-2"), Decimal("1E+2"), Decimal("NaN"),
    "0", "1", " 7 ", "1.0", "1.5", "12.50", "-3", "abc", "1e2", "R", "F",
    0.0, 1.0, 2.5, -4.0, 1e16, [], {},
]


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        result = fn(*args)
    except Exception as error:  # noqa: BLE001 - the kind of failure must be the same too
        return ("raises", type(error))
    return (type(result).__name__, str(result))  # str: Decimal("1.0") and Decimal("1") must stay different


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_to_decimal_is_unchanged(value: Any) -> None:
    assert _outcome(functions.to_decimal, value) == _outcome(_old_to_decimal, value)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_to_int_is_unchanged(value: Any) -> None:
    assert _outcome(functions.to_int, value) == _outcome(_old_to_int, value)


PEOPLE: list[Any] = [None, 1, 2, 3, True, "1", "2", 1.0, Decimal("1"), Decimal("2")]
SITUATIONS: list[Any] = [None, *range(0, 12), "1", "9", 1.0, 9.5, True, False, Decimal("10"), "x", []]
AGES: list[Any] = [None, 0, 15, 16, 15.5, "15", "16", Decimal("15"), True, "R"]
BOUNDS: list[Any] = [*functions.RANGE_BOUNDS, "other", None, 1]


def test_income_bound_is_unchanged_on_every_combination() -> None:
    # Twice over, so the second round is served from the per-person cache.
    for _ in range(2):
        for n in PEOPLE:
            for ecstat in SITUATIONS:
                for age in AGES:
                    for bound in BOUNDS:
                        assert _outcome(functions.income_bound, n, ecstat, age, bound) == \
                            _outcome(_old_income_bound, n, ecstat, age, bound), (n, ecstat, age, bound)


def test_income_bounds_gives_the_four_bounds_in_order() -> None:
    assert functions.income_bounds(2, None, 10) == functions.INCOME_RANGES[functions.CHILD_ECSTAT]
    assert functions.income_bounds(1, None, 30) is None
    assert [functions.income_bound(1, 1, 30, b) for b in functions.RANGE_BOUNDS] == [143, 730, 90, 1230]
