"""Unit tests for the CORE expression functions and reference data (no engine needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dcp_core import functions, reference_data


@pytest.mark.parametrize(
    ("value", "period", "expected"),
    [
        ("100.00", 1, Decimal("100.00")),  # weekly for 52 weeks
        ("200.00", 2, Decimal("100.00")),  # every 2 weeks
        ("400.00", 3, Decimal("100.00")),  # every 4 weeks
        ("433.33", 4, Decimal("100.00")),  # monthly: 433.33 x 12 / 52 = 99.999...
        ("100.00", 5, Decimal("96.15")),  # 50 weeks
        ("100.00", 9, Decimal("88.46")),  # 46 weeks
        ("100.00", 10, Decimal("101.92")),  # 53 weeks
        ("100.00", 11, Decimal("98.08")),  # 51 weeks
        (52, "1", Decimal("52.00")),
    ],
)
def test_weekly_uses_payments_per_year(value: object, period: object, expected: Decimal) -> None:
    assert functions.weekly(value, period) == expected


def test_weekly_rounds_half_away_from_zero() -> None:
    # 10.01 x 50 / 52 = 9.625 exactly: half away from zero gives 9.63 (banker's rounding would give 9.62)
    assert functions.weekly("10.01", 5) == Decimal("9.63")


@pytest.mark.parametrize(("value", "period"), [(None, 1), ("100", None), ("100", 12), ("abc", 1)])
def test_weekly_is_null_without_value_or_known_period(value: object, period: object) -> None:
    assert functions.weekly(value, period) is None


def test_per_period_reverses_weekly() -> None:
    assert functions.per_period(100, 4) == Decimal("433.33")
    assert functions.per_period(100, 2) == Decimal("200.00")
    assert functions.per_period(None, 2) is None


def test_total_charge_counts_missing_charges_as_zero() -> None:
    assert functions.total_charge("100.50", None, "2.25", None) == Decimal("102.75")
    assert functions.total_charge(None, None, None, None) is None


@pytest.mark.parametrize(
    ("renttype", "needstype", "provider", "expected"),
    [
        (1, 1, "PRP", 1),
        (1, 2, "PRP", 2),
        (1, 1, "LA", 3),
        (1, 2, "LA", 4),
        (2, 1, "PRP", 5),
        (2, 2, "LA", 8),
        (3, 1, "LA", 11),
        (3, 2, "PRP", 10),
        (4, 1, "PRP", 13),
        (4, 2, "LA", 16),
        (None, 1, "LA", None),
        (1, 1, None, None),
    ],
)
def test_lettype_code(renttype: object, needstype: object, provider: object, expected: object) -> None:
    assert functions.lettype_code(renttype, needstype, provider) == expected


def test_rent_range_reads_the_2026_table() -> None:
    # Adur (E07000223), social rent general needs PRP (lettype 1), 1 bedroom: first row of the table.
    assert functions.rent_range_bound(2026, "E07000223", 1, 1, 1, "soft_min") == Decimal("60.13")
    assert functions.rent_range_bound(2026, "E07000223", 1, 1, 1, "hard_max") == Decimal("1000")


def test_rent_range_caps_bedrooms_at_four_and_uses_bedspaces_for_supported_housing() -> None:
    four = functions.rent_range_bound(2026, "E07000223", 4, 1, 1, "soft_max")
    assert four == Decimal("201.8")
    assert functions.rent_range_bound(2026, "E07000223", 9, 1, 1, "soft_max") == four
    supported = reference_data.rent_range(2026, 2, "E07000223", 0)
    assert supported is not None
    assert functions.rent_range_bound(2026, "E07000223", 3, 2, 2, "hard_min") == supported.hard_min


def test_rent_range_is_null_without_a_row() -> None:
    assert (
        functions.rent_range_bound(2026, "E07000223", 1, 13, 1, "soft_min") is None
    )  # specified accommodation
    assert functions.rent_range_bound(2019, "E07000223", 1, 1, 1, "soft_min") is None  # no table for the year
    assert functions.rent_range_bound(2026, None, 1, 1, 1, "soft_min") is None
    assert functions.rent_range_bound(2026, "E07000223", None, 1, 1, "soft_min") is None


def test_rent_range_table_is_complete() -> None:
    assert len(reference_data.rent_ranges(2026)) == 8880


@pytest.mark.parametrize(
    ("earnings", "incfreq", "expected"),
    [
        ("500", 1, Decimal("500")),
        ("2000", 2, Decimal("462")),
        ("26026", 3, Decimal("501")),
        ("10", None, None),
    ],
)
def test_weekly_income(earnings: object, incfreq: object, expected: object) -> None:
    assert functions.weekly_income(earnings, incfreq) == expected


def test_income_bound_uses_working_situation_and_falls_back_by_age() -> None:
    assert functions.income_bound(1, 1, 30, "hard_max") == 1230
    assert functions.income_bound(1, None, 30, "hard_max") is None  # lead tenant needs a working situation
    assert functions.income_bound(2, None, 10, "hard_max") == 750  # child under 16
    assert functions.income_bound(2, None, 40, "hard_min") == 10  # treated as "prefers not to say"
    assert functions.income_bound(2, None, None, "soft_max") == 730
    assert functions.income_bound(2, 5, 70, "soft_min") == 50


def test_charge_max() -> None:
    assert functions.charge_max("scharge", "PRP", 1, "hard") == 800
    assert functions.charge_max("scharge", "LA", 2, "hard") == 500
    assert functions.charge_max("supcharg", "LA", 1, "hard") == 200
    assert functions.charge_max("pscharge", "PRP", 2, "soft") == 100
    assert functions.charge_max("supcharg", "PRP", 2, "soft") == 85
    assert functions.charge_max("scharge", "LA", 1, "soft") == 25
    assert functions.charge_max("scharge", None, 1, "soft") is None


def test_local_authorities_england_and_dates() -> None:
    assert functions.la_in_england("E09000033")  # Westminster
    assert not functions.la_in_england("S12000033")  # Aberdeen
    assert not functions.la_in_england("E99999999")
    assert functions.la_name("E08000038") == "Barnsley"
    # Barnsley's code changed when the 2025 collection year started.
    assert functions.la_active_on("E08000016", "2025-03-31")
    assert not functions.la_active_on("E08000016", "2025-04-01")
    assert functions.la_active_on("E08000038", date(2026, 5, 1))
    assert not functions.la_active_on("E08000038", "2025-03-31")
    assert not functions.la_active_on(None, "2026-05-01")


def test_local_authority_options() -> None:
    options = functions.local_authority_options(on=date(2026, 5, 1))
    codes = [code for code, _ in options]
    assert "E08000038" in codes
    assert "E08000016" not in codes
    assert all(code.startswith("E") for code in codes)
    assert [name for _, name in options] == sorted(name for _, name in options)
    everywhere = dict(functions.all_local_authority_options(on="2026-05-01"))
    assert "S12000033" in everywhere and "9300000XX" in everywhere


def test_add_years_and_collection_year() -> None:
    assert functions.add_years("2026-05-01", -20) == date(2006, 5, 1)
    assert functions.add_years("2028-02-29", -1) == date(2027, 2, 28)
    assert functions.collection_year("2027-03-31") == 2026
    assert functions.collection_year("2027-04-01") == 2027


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Homeless", True),
        (" temp  accommodation!", True),
        ("TA", True),
        ("Rough sleeping", True),
        ("Homeless after eviction", False),
        ("Taken into care", False),
        (None, False),
    ],
)
def test_reason_other_is_homelessness(text: object, expected: bool) -> None:
    assert functions.reason_other_is_homelessness(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flat had damp", True),
        ("fled domestic  abuse", True),
        ("DV", True),
        ("Moved for work", False),
        ("dadaist collective", False),  # "da" only as a whole word
    ],
)
def test_reason_other_might_be_listed(text: str, expected: bool) -> None:
    assert functions.reason_other_might_be_listed(text) is expected


def test_tenancy_other_might_be_starter() -> None:
    assert functions.tenancy_other_might_be_starter("Introductory tenancy")
    assert functions.tenancy_other_might_be_starter("STARTER")
    assert not functions.tenancy_other_might_be_starter("Introductions agency")
    assert not functions.tenancy_other_might_be_starter(None)


@pytest.mark.parametrize(
    ("elders", "adults", "children", "expected"),
    [
        (1, 0, 0, 1),
        (2, 0, 0, 2),
        (1, 1, 0, 2),
        (0, 1, 0, 3),
        (0, 2, 0, 4),
        (0, 1, 2, 5),
        (0, 3, 1, 6),
        (0, 3, 0, 9),
        (1, 1, 1, 2),
        (None, 1, 0, None),
    ],
)
def test_household_type(elders: object, adults: object, children: object, expected: object) -> None:
    assert functions.household_type(elders, adults, children) == expected


def test_registries_name_callables() -> None:
    assert all(callable(fn) for fn in functions.EXPRESSION_FUNCTIONS.values())
    assert set(functions.OPTION_SOURCES) == {"local_authorities", "all_local_authorities"}
