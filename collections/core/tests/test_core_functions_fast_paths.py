"""The fast paths of to_decimal, to_int, income_bound, weekly, total_charge, rent_range_bound, add_years and
collection_year give exactly what the plain versions gave.

The `_old_*` functions are the versions before the fast paths, kept here verbatim as the reference.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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


def _old_weekly(value: Any, period: Any) -> Decimal | None:
    amount = functions.to_decimal(value)
    payments = functions.payments_per_year(period)
    if amount is None or payments is None:
        return None
    return (amount * payments / 52).quantize(functions.PENNY, rounding=ROUND_HALF_UP)


def _old_total_charge(*charges: Any) -> Decimal | None:
    amounts = [functions.to_decimal(charge) for charge in charges]
    if all(amount is None for amount in amounts):
        return None
    return sum((amount for amount in amounts if amount is not None), Decimal("0.00"))


def _old_rent_range_bound(year: Any, la: Any, beds: Any, lettype: Any, needstype: Any, bound: Any) -> Decimal | None:
    year_number, letting, bedrooms = functions.to_int(year), functions.to_int(lettype), functions.to_int(beds)
    if year_number is None or letting is None or not la or bound not in functions.RANGE_BOUNDS:
        return None
    if functions.to_int(needstype) == functions.SUPPORTED_HOUSING:
        bedrooms = 0
    elif bedrooms is None:
        return None
    else:
        bedrooms = min(bedrooms, functions.MAX_RENT_RANGE_BEDS)
    found = functions.reference_data.rent_range(year_number, letting, str(la), bedrooms)
    return getattr(found, str(bound)) if found is not None else None


def _old_add_years(day: Any, years: Any) -> date | None:
    start, count = functions.to_date(day), functions.to_int(years)
    if start is None or count is None:
        return None
    try:
        return start.replace(year=start.year + count)
    except ValueError:
        return start.replace(year=start.year + count, day=28)


def _old_collection_year(day: Any) -> int | None:
    on = functions.to_date(day)
    if on is None:
        return None
    return on.year if on >= date(on.year, 4, 1) else on.year - 1


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


PERIODS: list[Any] = [None, 1, 2, 4, 10, 11, 12, 0, True, "2", 2.0, Decimal("2"), Decimal("2.5"), "x", Sub(2)]
MONEY: list[Any] = [None, "", 0, 1, Decimal("150.37"), Decimal("0.00"), Decimal("1E+2"), Decimal("-5.5"), "150.37",
                    " 12.50 ", 150.37, True, "abc", Decimal("NaN"), 10**20]


def test_weekly_is_unchanged() -> None:
    amounts = [*MONEY, Decimal("-0"), Decimal("-0.00"), 0.0, Decimal("150.370"), Decimal("1.5037E+2"), 150,
               Decimal("-0.001"), Decimal("-0.0010"), Decimal("Infinity"), Decimal("sNaN"), Decimal("1E+30")]
    for _ in range(2):  # the second round from memory
        for value in amounts:
            for period in PERIODS:
                assert _outcome(functions.weekly, value, period) == _outcome(_old_weekly, value, period), (value, period)
        for value in reversed(amounts):  # equal amounts written differently, remembered the other way round
            for period in PERIODS:
                assert _outcome(functions.weekly, value, period) == _outcome(_old_weekly, value, period), (value, period)


def test_add_years_is_unchanged() -> None:
    days = [None, "", date(2024, 2, 29), date(2026, 6, 1), datetime(2024, 2, 29, 10), "2026-06-01", "x", 5]
    for day in days:
        for years in [None, -20, 1, 0, "2", 2.0, True, Decimal("-20"), "x", 10**6]:
            assert _outcome(functions.add_years, day, years) == _outcome(_old_add_years, day, years), (day, years)


def _every_day(first: date, last: date) -> list[date]:
    return [date.fromordinal(number) for number in range(first.toordinal(), last.toordinal() + 1)]


def test_add_years_is_unchanged_on_every_day_of_a_leap_cycle_and_at_the_ends_of_the_calendar() -> None:
    days = [*_every_day(date(2023, 1, 1), date(2027, 1, 1)), date(1, 1, 1), date(20, 2, 29), date(9999, 12, 31)]
    for day in days:
        for years in (-20, -1, 0, 1, 4, 10**6):
            assert _outcome(functions.add_years, day, years) == _outcome(_old_add_years, day, years), (day, years)


def test_collection_year_is_unchanged_on_every_day() -> None:
    for day in [*_every_day(date(2023, 1, 1), date(2027, 12, 31)), date(1, 1, 1), date(9999, 12, 31)]:
        assert functions.collection_year(day) == _old_collection_year(day), day


def test_total_charge_is_unchanged() -> None:
    for count in range(5):
        for charges in itertools.product(MONEY[:9], repeat=min(count, 3)):
            assert _outcome(functions.total_charge, *charges) == _outcome(_old_total_charge, *charges), charges
    for charges in itertools.permutations(MONEY, 4):
        assert _outcome(functions.total_charge, *charges) == _outcome(_old_total_charge, *charges), charges


YEARS: list[Any] = [2026, 2025, None, "2026", 2026.0, Decimal("2026"), Decimal("2026.0"), True, 1999]
AREAS: list[Any] = ["E08000035", "E07000223", "E09000033", "", None, "X1", Decimal("1"), Decimal("1.0"), 0, [], "e08000035"]
BEDS: list[Any] = [None, 0, 1, 2, 4, 7, "2", 2.0, True, Decimal("2.0"), "x"]
LETTINGS: list[Any] = [1, 2, 5, 13, None, "1", True, 1.0]
NEEDS: list[Any] = [1, 2, None, "2", True, 2.5]


def test_rent_range_bound_is_unchanged_on_every_combination() -> None:
    for _ in range(2):  # the second round from memory
        for arguments in itertools.product(YEARS, AREAS, BEDS, LETTINGS, NEEDS, BOUNDS):
            assert _outcome(functions.rent_range_bound, *arguments) == \
                _outcome(_old_rent_range_bound, *arguments), arguments
    assert functions.rent_range_bound(2026, "E08000035", 2, 1, 1, "soft_max") is not None


@pytest.mark.parametrize("day", [None, "", date(2026, 3, 31), date(2026, 4, 1), datetime(2026, 4, 1, 1), "2027-01-02",
                                 "2027-13-01", 5, Decimal("1")], ids=repr)
def test_collection_year_is_unchanged(day: Any) -> None:
    assert _outcome(functions.collection_year, day) == _outcome(_old_collection_year, day)
