"""Expression functions and option lists the CORE definitions use.

The platform registers `EXPRESSION_FUNCTIONS` with the definition engine, so a definition can call them by
name (`weekly(brent, period)`), and `OPTION_SOURCES` for dynamic option lists (`options_source:
local_authorities`). Every function accepts nulls and answers null (or false for predicates) when an input it
needs is missing, so rules simply do not fire on incomplete records.

Money arrives as decimal strings ("12.50"), numbers or Decimals; dates as ISO strings or `date`s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from dcp_platform.lookups.adapters import postcode_lookup

from . import reference_data

Number = Decimal | int | float | str
PENNY = Decimal("0.01")

# Payments a year for each rent period code (CORE's period question). Weekly = value x payments / 52.
PAYMENTS_PER_YEAR: dict[int, int] = {
    1: 52,  # weekly for 52 weeks
    2: 26,  # every 2 weeks
    3: 13,  # every 4 weeks
    4: 12,  # every calendar month
    5: 50,
    6: 49,
    7: 48,
    8: 47,
    9: 46,
    10: 53,
    11: 51,
}

# Weekly net income ranges per person by working situation (ecstat): soft_min, soft_max, hard_min, hard_max.
INCOME_RANGES: dict[int, tuple[int, int, int, int]] = {
    1: (143, 730, 90, 1230),  # full-time work
    2: (67, 620, 50, 950),  # part-time work
    3: (80, 480, 40, 990),  # government training
    4: (50, 370, 10, 450),  # jobseeker
    5: (50, 380, 10, 1000),  # retired
    6: (53, 540, 10, 890),  # not seeking work
    7: (47, 460, 10, 1300),  # full-time student
    8: (54, 460, 10, 2000),  # unable to work because of illness
    9: (50, 450, 10, 750),  # child under 16
    0: (50, 580, 10, 1040),  # other
    10: (47, 730, 10, 2000),  # prefers not to say
}
RANGE_BOUNDS = ("soft_min", "soft_max", "hard_min", "hard_max")
CHILD_ECSTAT = 9
REFUSED_ECSTAT = 10

# Weekly charge maxima in pounds by charge, owning organisation provider type and needs type
# (1 general needs, 2 supported housing). Hard maxima are the same for both needs types.
CHARGE_HARD_MAX: dict[str, dict[str, int]] = {
    "scharge": {"PRP": 800, "LA": 500},
    "pscharge": {"PRP": 700, "LA": 200},
    "supcharg": {"PRP": 800, "LA": 200},
}
CHARGE_SOFT_MAX: dict[str, dict[tuple[str, int], int]] = {
    "scharge": {("LA", 1): 25, ("PRP", 1): 35, ("LA", 2): 100, ("PRP", 2): 200},
    "pscharge": {("LA", 1): 25, ("PRP", 1): 35, ("LA", 2): 75, ("PRP", 2): 100},
    "supcharg": {("LA", 1): 25, ("PRP", 1): 35, ("LA", 2): 75, ("PRP", 2): 85},
}

# Letting type from rent type group (renttype 1..4), needs type and provider type.
LETTYPE_BASE: dict[int, int] = {1: 1, 2: 5, 3: 9, 4: 13}  # general needs, PRP
LETTYPE_OFFSET: dict[tuple[int, str], int] = {(1, "PRP"): 0, (2, "PRP"): 1, (1, "LA"): 2, (2, "LA"): 3}

SUPPORTED_HOUSING = 2
MAX_RENT_RANGE_BEDS = 4  # the rent range table's "4" row means 4 or more bedrooms

# "Other" reasons for leaving that are really homelessness (H5.4): the whole answer is one of these.
HOMELESS_REASON_PHRASES = (
    "homeless",
    "homelessness",
    "temporary accommodation",
    "temp accommodation",
    "ta",
    "sleeping rough",
    "rough sleeping",
)
# Words in an "other" reason that suggest one of the listed reasons fits (S8).
LISTED_REASON_WORDS = (
    "decant",
    "decanted",
    "refugee",
    "asylum",
    "ukraine",
    "ukrainian",
    "army",
    "military",
    "domestic abuse",
    "domestic violence",
    "da",
    "dv",
    "relationship breakdown",
    "overcrowding",
    "overcrowded",
    "too small",
    "more space",
    "bigger property",
    "damp",
    "mould",
    "fire",
    "repossession",
    "death",
    "deceased",
    "passed away",
    "prison",
    "hospital",
)
STARTER_TENANCY_WORDS = ("introductory", "intro", "starter")


def _words_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in phrases)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_LISTED_REASON_RE = _words_pattern(LISTED_REASON_WORDS)
_STARTER_TENANCY_RE = _words_pattern(STARTER_TENANCY_WORDS)
_NON_LETTERS_RE = re.compile(r"[^a-z]+")


# --- conversions -------------------------------------------------------------------------------------------


def to_decimal(value: Any) -> Decimal | None:
    """A money or number answer as a Decimal; None when missing or not a number."""
    kind = type(value)
    if kind is Decimal:  # fast paths: what the engine passes most (money answers, integer answers)
        return value  # type: ignore[no-any-return]
    if kind is int:
        return Decimal(value)  # the same as Decimal(str(value))
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def to_int(value: Any) -> int | None:
    if type(value) is int:  # fast path: integer and option answers (bool is not int here, so it stays None)
        return value  # type: ignore[no-any-return]
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _round(value: Decimal, exponent: Decimal = PENNY) -> Decimal:
    # CORE rounds half away from zero; Python's round() would round half to even. (The rounding is passed by
    # position: Decimal.quantize takes a keyword argument more slowly.)
    return value.quantize(exponent, ROUND_HALF_UP)


# --- rent and charges --------------------------------------------------------------------------------------


def payments_per_year(period: Any) -> int | None:
    code = to_int(period)
    return PAYMENTS_PER_YEAR.get(code) if code is not None else None


def weekly(value: Any, period: Any) -> Decimal | None:
    """The weekly equivalent of an amount paid every `period`, to the penny."""
    # Money answers are Decimals in the engine's scope and periods ints: those skip the conversions (the same
    # values either way), and _round is written out; a call costs more than the arithmetic (and so does passing
    # quantize's rounding by keyword).
    amount = value if type(value) is Decimal else to_decimal(value)
    payments = PAYMENTS_PER_YEAR.get(period) if type(period) is int else payments_per_year(period)
    if amount is None or payments is None:
        return None
    return (amount * payments / 52).quantize(PENNY, ROUND_HALF_UP)


def per_period(weekly_value: Any, period: Any) -> Decimal | None:
    """The amount per `period` that a weekly amount comes to (used to state limits in messages)."""
    amount = to_decimal(weekly_value)
    payments = payments_per_year(period)
    if amount is None or payments is None:
        return None
    return _round(amount * 52 / payments)


_NO_CHARGE = Decimal("0.00")


def total_charge(*charges: Any) -> Decimal | None:
    """Sum of the charges given, counting missing ones as 0; None when none is given."""
    # A plain loop making the additions sum(..., Decimal("0.00")) made, in the same order (so the same result,
    # exponent included), without building lists and generators.
    total: Decimal | None = None
    for charge in charges:
        amount = charge if type(charge) is Decimal else to_decimal(charge)
        if amount is not None:
            total = (_NO_CHARGE if total is None else total) + amount
    return total


def charge_max(charge: Any, provider_type: Any, needstype: Any, level: Any = "hard") -> int | None:
    """Weekly maximum for a service, personal service or support charge ("scharge", "pscharge", "supcharg").

    `level` is "hard" (the charge cannot be higher) or "soft" (higher than this needs confirming).
    """
    provider = str(provider_type) if provider_type is not None else None
    if provider not in ("LA", "PRP"):
        return None
    if level == "hard":
        return CHARGE_HARD_MAX.get(str(charge), {}).get(provider)
    needs = to_int(needstype)
    if needs is None:
        return None
    return CHARGE_SOFT_MAX.get(str(charge), {}).get((provider, needs))


def lettype_code(renttype: Any, needstype: Any, provider_type: Any) -> int | None:
    """CORE letting type 1..16 from rent type group, needs type and owning organisation provider type."""
    base = LETTYPE_BASE.get(to_int(renttype) or 0)
    offset = LETTYPE_OFFSET.get((to_int(needstype) or 0, str(provider_type)))
    if base is None or offset is None:
        return None
    return base + offset


def rent_range_bound(
    year: Any, la: Any, beds: Any, lettype: Any, needstype: Any, bound: Any
) -> Decimal | None:
    """One bound ("soft_min", "soft_max", "hard_min", "hard_max") of the weekly rent range, or None.

    Supported housing uses the bedspace row (beds 0); general needs caps bedrooms at 4.
    """
    # The definition asks for the four bounds one at a time, and records repeat the same areas and lettings: the
    # answer depends only on the arguments (the tables are read once), so it is remembered. Typed, so that 1 and
    # True are not mixed up; only for a text `la`, the one argument whose equal values of one type could differ
    # (str(Decimal("1")) is not str(Decimal("1.0"))).
    if type(la) is str:
        try:
            return _cached_rent_range_bound(year, la, beds, lettype, needstype, bound)
        except TypeError:  # an unhashable argument: nothing to cache
            pass
    return _rent_range_bound(year, la, beds, lettype, needstype, bound)


def _rent_range_bound(
    year: Any, la: Any, beds: Any, lettype: Any, needstype: Any, bound: Any
) -> Decimal | None:
    year_number, letting, bedrooms = to_int(year), to_int(lettype), to_int(beds)
    if year_number is None or letting is None or not la or bound not in RANGE_BOUNDS:
        return None
    if to_int(needstype) == SUPPORTED_HOUSING:
        bedrooms = 0
    elif bedrooms is None:
        return None
    else:
        bedrooms = min(bedrooms, MAX_RENT_RANGE_BEDS)
    found = reference_data.rent_range(year_number, letting, str(la), bedrooms)
    return getattr(found, str(bound)) if found is not None else None


_cached_rent_range_bound = functools.lru_cache(maxsize=4096, typed=True)(_rent_range_bound)


# --- income ------------------------------------------------------------------------------------------------


def weekly_income(earnings: Any, incfreq: Any) -> Decimal | None:
    """Weekly net income in whole pounds from the amount and how often it is received (1 week, 2 month, 3 year)."""
    amount = to_decimal(earnings)
    frequency = to_int(incfreq)
    if amount is None:
        return None
    if frequency == 1:
        return amount
    if frequency == 2:
        return _round(amount * 12 / 52, Decimal(1))
    if frequency == 3:
        return _round(amount / 52, Decimal(1))
    return None


_BOUND_INDEX = {bound: index for index, bound in enumerate(RANGE_BOUNDS)}


def income_bounds(n: Any, ecstat: Any, age: Any) -> tuple[int, int, int, int] | None:
    """One person's contribution to the household's weekly income range: (soft_min, soft_max, hard_min,
    hard_max), or None.

    The lead tenant (n = 1) counts only with a known working situation. Others without one count as a child
    under 16 or, when older or of unknown age, as "prefers not to say".
    """
    situation = to_int(ecstat)
    if situation is None:
        if to_int(n) == 1:
            return None
        years = to_int(age)
        situation = CHILD_ECSTAT if years is not None and years < 16 else REFUSED_ECSTAT
    return INCOME_RANGES.get(situation)


# The definition asks for the four bounds of each person one at a time: work them out once per person. Typed,
# so that 1, 1.0, True and Decimal(1) (equal as keys) are not mixed up: to_int treats them differently.
_cached_income_bounds = functools.lru_cache(maxsize=4096, typed=True)(income_bounds)


def income_bound(n: Any, ecstat: Any, age: Any, bound: Any) -> int | None:
    """One bound ("soft_min", "soft_max", "hard_min", "hard_max") of a person's income range (income_bounds)."""
    index = _BOUND_INDEX.get(bound) if isinstance(bound, str) else None
    if index is None:
        return None
    try:
        limits = _cached_income_bounds(n, ecstat, age)
    except TypeError:  # an unhashable argument: nothing to cache
        limits = income_bounds(n, ecstat, age)
    return limits[index] if limits else None


# --- local authorities -------------------------------------------------------------------------------------


def la_in_england(code: Any) -> bool:
    found = reference_data.local_authorities().get(str(code)) if code else None
    return found is not None and found.in_england


def la_known(code: Any) -> bool:
    return bool(code) and str(code) in reference_data.local_authorities()


def la_active_on(code: Any, day: Any) -> bool:
    """True when the local authority code is valid on the date (false when either is missing or unknown)."""
    on = to_date(day)
    found = reference_data.local_authorities().get(str(code)) if code else None
    return found is not None and on is not None and found.active_on(on)


def la_name(code: Any) -> str | None:
    found = reference_data.local_authorities().get(str(code)) if code else None
    return found.name if found else None


def _authority_options(*, england_only: bool, on: Any) -> list[tuple[str, str]]:
    day = to_date(on) or date.today()
    chosen = [
        authority
        for authority in reference_data.local_authorities().values()
        if authority.active_on(day) and (authority.in_england or not england_only)
    ]
    return [(authority.code, authority.name) for authority in sorted(chosen, key=lambda la: la.name)]


def local_authority_options(on: Any = None, **_: Any) -> list[tuple[str, str]]:
    """English local authorities valid on `on` (default today), as (ONS code, name), sorted by name."""
    return _authority_options(england_only=True, on=on)


def all_local_authority_options(on: Any = None, **_: Any) -> list[tuple[str, str]]:
    """Every UK local authority (and "Outside UK") valid on `on`: for the household's previous area."""
    return _authority_options(england_only=False, on=on)


# The specification's year adjustments of the codes the postcode lookup returns (D-PC; lettings_2025_changes.md
# L25-D11): for 2025 only, the old Barnsley and Sheffield codes become the new ones. 2026 has no entry, so the
# looked-up code is used as it is. A later year adds its own entry here.
LA_CODE_ADJUSTMENTS: dict[int, dict[str, str]] = {
    2025: {"E08000016": "E08000038", "E08000019": "E08000039"},
}


def postcode_la(postcode: Any, year: Any = None) -> str | None:
    """The local authority the postcode is in (the platform's postcode lookup: lookups.adapters), with the
    collection year's code adjustments; None when the postcode is missing or not found."""
    if not postcode:
        return None
    code = postcode_lookup().local_authority(str(postcode))
    if code is None:
        return None
    adjustments = LA_CODE_ADJUSTMENTS.get(year) if type(year) is int else None
    return adjustments.get(code, code) if adjustments else code


# --- dates ---------------------------------------------------------------------------------------------------


def add_years(day: Any, years: Any) -> date | None:
    """The same calendar day `years` later (earlier when negative); 29 February becomes 28 February."""
    # (Date answers are dates in the engine's scope, and years ints: those skip the conversions, and are made
    # with date(), which costs less than replace() with a keyword.)
    if type(day) is date and type(years) is int:
        try:
            return date(day.year + years, day.month, day.day)
        except ValueError:
            return date(day.year + years, day.month, 28)
    start = day if type(day) is date else to_date(day)
    count = years if type(years) is int else to_int(years)
    if start is None or count is None:
        return None
    try:
        return start.replace(year=start.year + count)
    except ValueError:
        return start.replace(year=start.year + count, day=28)


def collection_year(day: Any) -> int | None:
    """The collection year a date belongs to: years run from 1 April (2027-03-31 is in 2026)."""
    on = day if type(day) is date else to_date(day)  # (date answers are dates in the engine's scope)
    if on is None:
        return None
    return on.year if on.month >= 4 else on.year - 1  # (on or after 1 April of its year)


# --- free text -----------------------------------------------------------------------------------------------


def reason_other_is_homelessness(text: Any) -> bool:
    """The "other" reason for leaving is only a word for homelessness or temporary accommodation."""
    if not text:
        return False
    core = _NON_LETTERS_RE.sub(" ", str(text).lower()).strip()
    return " ".join(core.split()) in HOMELESS_REASON_PHRASES


def reason_other_might_be_listed(text: Any) -> bool:
    """The "other" reason mentions something one of the listed reasons covers (S8)."""
    return bool(text) and _LISTED_REASON_RE.search(str(text)) is not None


def tenancy_other_might_be_starter(text: Any) -> bool:
    """The "other" tenancy type reads like an introductory or starter tenancy (S9)."""
    return bool(text) and _STARTER_TENANCY_RE.search(str(text)) is not None


# --- organisation --------------------------------------------------------------------------------------------

PROVIDER_TYPE_KEY = "owning_organisation_provider_type"


def owner_provider_type(context: Any) -> str | None:
    """The owning organisation's provider type, "LA" or "PRP", from the evaluation context.

    The platform puts it in `EvalContext.extra["owning_organisation_provider_type"]` (or `values`).
    """
    for source in ("extra", "values"):
        found = (getattr(context, source, None) or {}).get(PROVIDER_TYPE_KEY)
        if found in ("LA", "PRP"):
            return str(found)
    return None


owner_provider_type.takes_context = True  # type: ignore[attr-defined]  # the engine passes EvalContext first


# --- lead tenant's ethnic group and nationality ----------------------------------------------------------------

# Ethnic background (ethnic) -> ethnic group (ethnic_group), as the specification's bulk-upload mapping of
# field 45: White 0, Mixed 1, Asian 2, Black 3, Arab or other 4, prefers not to say 17.
ETHNIC_GROUPS: dict[int, int] = {
    **dict.fromkeys((1, 2, 3, 18, 20), 0),
    **dict.fromkeys((4, 5, 6, 7), 1),
    **dict.fromkeys((8, 9, 10, 11, 15), 2),
    **dict.fromkeys((12, 13, 14), 3),
    **dict.fromkeys((16, 19), 4),
    17: 17,
}
BRITISH = 826
NATIONALITY_REFUSED = 0
ANOTHER_NATIONALITY = 12


def ethnic_group_of(ethnic: Any) -> int | None:
    """The ethnic group an ethnic background code belongs to; None for a missing or unknown code."""
    code = to_int(ethnic)
    return ETHNIC_GROUPS.get(code) if code is not None else None


def nationality_group_of(nationality: Any) -> int | None:
    """The nationality group of a country code (BR19): British 826, prefers not to say 0, any other country 12."""
    code = to_int(nationality)
    if code is None:
        return None
    return code if code in (BRITISH, NATIONALITY_REFUSED) else ANOTHER_NATIONALITY


# --- household ----------------------------------------------------------------------------------------------


def household_type(totelder: Any, totadult: Any, totchild: Any) -> int | None:
    """CORE household type: 1 one elder, 2 two adults with an elder, 3 one adult, 4 two adults,
    5 one adult with children, 6 two or more adults with children, 9 other."""
    elders, adults, children = to_int(totelder), to_int(totadult), to_int(totchild)
    if elders is None or adults is None or children is None:
        return None
    if elders == 1 and adults == 0 and children == 0:
        return 1
    if elders + adults == 2 and elders >= 1:
        return 2
    if elders == 0 and adults == 1 and children == 0:
        return 3
    if elders == 0 and adults == 2 and children == 0:
        return 4
    if elders == 0 and adults == 1 and children >= 1:
        return 5
    if elders == 0 and adults >= 2 and children >= 1:
        return 6
    return 9


# --- sales logs ----------------------------------------------------------------------------------------------

# The 33 London boroughs (with the City of London): sales income caps and discount caps are higher there.
LONDON_BOROUGHS = frozenset(f"E090000{number:02d}" for number in range(1, 34))
MAX_SALE_RANGE_BEDROOMS = 4  # the sale range table's "4" row means 4 or more bedrooms
SALE_RANGE_BOUNDS = ("soft_min", "soft_max")
# A buyer's usual gross annual income in pounds by working situation (ecstat): soft minimum and maximum.
SALES_INCOME_SOFT_RANGES: dict[int, tuple[int, int]] = {
    1: (13_400, 150_000),  # full-time work
    2: (2_600, 80_000),  # part-time work
    3: (2_080, 30_000),  # government training
    4: (520, 23_400),  # jobseeker
    5: (520, 80_000),  # retired
    6: (520, 50_000),  # not seeking work
    7: (520, 30_000),  # full-time student
    8: (520, 150_000),  # unable to work because of illness
    9: (520, 150_000),  # child under 16
    0: (520, 150_000),  # other
}


# (elders, other adults, children) -> household type, for households without children.
SALES_SMALL_HOUSEHOLD_TYPES = {(1, 0, 0): 1, (2, 0, 0): 2, (0, 1, 0): 3, (0, 2, 0): 4}


def la_in_london(code: Any) -> bool:
    return str(code) in LONDON_BOROUGHS if code else False


def sale_range_bound(year: Any, la: Any, beds: Any, bound: Any) -> Decimal | None:
    """One bound ("soft_min" or "soft_max") of the usual purchase price for the area and bedrooms, or None.

    Bedrooms are capped at 4 (the table's last row is 4 or more)."""
    year_number, bedrooms = to_int(year), to_int(beds)
    if year_number is None or bedrooms is None or bedrooms < 1 or not la or bound not in SALE_RANGE_BOUNDS:
        return None
    found = reference_data.sale_range(year_number, str(la), min(bedrooms, MAX_SALE_RANGE_BEDROOMS))
    return getattr(found, str(bound)) if found is not None else None


def sales_income_bound(ecstat: Any, bound: Any) -> int | None:
    """One bound ("soft_min" or "soft_max") of a buyer's usual annual income for their working situation."""
    situation = to_int(ecstat)
    limits = SALES_INCOME_SOFT_RANGES.get(situation) if situation is not None else None
    if limits is None or bound not in SALE_RANGE_BOUNDS:
        return None
    return limits[SALE_RANGE_BOUNDS.index(bound)]


def sales_household_type(elders: Any, adults: Any, children: Any) -> int | None:
    """CORE sales household type from the number of people aged 60 or over, other adults and children:
    1 one elder, 2 two elders, 3 one adult, 4 two adults, 5 one adult with children, 6 two or more adults
    with children, 9 other."""
    older, grown, young = to_int(elders), to_int(adults), to_int(children)
    if older is None or grown is None or young is None:
        return None
    found = SALES_SMALL_HOUSEHOLD_TYPES.get((older, grown, young))
    if found is not None:
        return found
    if older == 0 and grown == 1 and young >= 1:
        return 5
    if older == 0 and grown >= 2 and young >= 1:
        return 6
    return 9


def item_answer(items: Any, number: Any, name: Any) -> Any:
    """One item's answer or derived value in a repeating group: item_answer(persons, 1, "ecstat") is person 1's
    working situation. None when there is no such item or answer."""
    position = to_int(number)
    if not isinstance(items, list) or position is None or not 1 <= position <= len(items):
        return None
    item = items[position - 1]
    return item.get(str(name)) if isinstance(item, dict) else None


def postcode_part(postcode: Any, part: Any) -> str | None:
    """The outward ("outward", e.g. "SW1A") or inward ("inward", e.g. "1AA") part of a stored postcode."""
    if not postcode or part not in ("outward", "inward"):
        return None
    pieces = str(postcode).split()
    if len(pieces) != 2:
        return None
    return pieces[0] if part == "outward" else pieces[1]


EXPRESSION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "weekly": weekly,
    "per_period": per_period,
    "total_charge": total_charge,
    "charge_max": charge_max,
    "lettype_code": lettype_code,
    "rent_range": rent_range_bound,
    "weekly_income": weekly_income,
    "income_bound": income_bound,
    "la_in_england": la_in_england,
    "la_known": la_known,
    "la_active_on": la_active_on,
    "la_name": la_name,
    "postcode_la": postcode_la,
    "add_years": add_years,
    "collection_year": collection_year,
    "reason_other_is_homelessness": reason_other_is_homelessness,
    "reason_other_might_be_listed": reason_other_might_be_listed,
    "tenancy_other_might_be_starter": tenancy_other_might_be_starter,
    "household_type": household_type,
    "ethnic_group_of": ethnic_group_of,
    "nationality_group_of": nationality_group_of,
    "owner_provider_type": owner_provider_type,
    "la_in_london": la_in_london,
    "sale_range": sale_range_bound,
    "sales_income_bound": sales_income_bound,
    "sales_household_type": sales_household_type,
    "postcode_part": postcode_part,
    "item_answer": item_answer,
}

OPTION_SOURCES: dict[str, Callable[..., list[tuple[str, str]]]] = {
    "local_authorities": local_authority_options,
    "all_local_authorities": all_local_authority_options,
}
