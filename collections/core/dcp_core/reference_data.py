"""CORE reference tables (rent ranges, sale ranges, local authorities), loaded lazily from the CSVs in `data/`.

Each table is read once per process on first use and cached: bulk upload evaluates thousands of records and
must not re-read the files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCAL_AUTHORITY_FILES = ("initial_local_authorities.csv", "2025_local_authorities.csv")
LOCAL_AUTHORITY_LINK_FILES = (
    "local_authority_links_2022.csv",
    "local_authority_links_2023.csv",
    "local_authority_links_2025.csv",
)


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    start_date: date  # first day the code is valid
    end_date: date | None  # last day the code is valid (None = still valid)

    @property
    def in_england(self) -> bool:
        return self.code.startswith("E")

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class RentRange:
    """Weekly rent range in pounds for one letting type, local authority and bedroom count."""

    soft_min: Decimal
    soft_max: Decimal
    hard_min: Decimal
    hard_max: Decimal


def _read_csv(path: Path) -> list[dict[str, str]]:
    # utf-8-sig: some of the source files start with a byte-order mark.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _collection_year_start(year: int) -> date:
    return date(year, 4, 1)


def _collection_year_before_start(year: int) -> date:
    # A code whose last year is Y stops being valid when collection year Y starts (CORE's convention:
    # Barnsley's old code ends in 2025 and its new code starts in 2025).
    return date(year, 3, 31)


@cache
def local_authorities() -> dict[str, LocalAuthority]:
    """Every local authority code (England, Wales, Scotland, Northern Ireland and "outside UK") by code.

    A later file overrides an earlier one for the same code (the 2025 file ends Barnsley's and
    Sheffield's old codes).
    """
    found: dict[str, LocalAuthority] = {}
    for filename in LOCAL_AUTHORITY_FILES:
        for row in _read_csv(DATA_DIR / "local_authorities_data" / filename):
            end_year = row["end_year"].strip()
            found[row["code"].strip()] = LocalAuthority(
                code=row["code"].strip(),
                name=row["name"].strip(),
                start_date=_collection_year_start(int(row["start_year"])),
                end_date=_collection_year_before_start(int(end_year)) if end_year else None,
            )
    return found


@cache
def local_authority_links() -> dict[str, frozenset[str]]:
    """Old and new codes for the same area, both ways (e.g. Barnsley E08000016 <-> E08000038)."""
    links: dict[str, set[str]] = {}
    for filename in LOCAL_AUTHORITY_LINK_FILES:
        for row in _read_csv(DATA_DIR / "local_authorities_data" / filename):
            code = row["local_authority_code"].strip()
            links.setdefault(code, set()).add(row["linked_local_authority_code"].strip())
    return {code: frozenset(linked) for code, linked in links.items()}


@cache
def rent_ranges(year: int) -> dict[tuple[int, str, int], RentRange]:
    """Rent ranges for a collection year keyed by (lettype, la, beds). Empty if we hold no table for it."""
    path = DATA_DIR / "rent_range_data" / f"{year}.csv"
    if not path.exists():
        return {}
    table: dict[tuple[int, str, int], RentRange] = {}
    for row in _read_csv(path):
        key = (int(row["lettype"]), row["la"].strip(), int(row["beds"]))
        table[key] = RentRange(
            soft_min=Decimal(row["soft_min"]),
            soft_max=Decimal(row["soft_max"]),
            hard_min=Decimal(row["hard_min"]),
            hard_max=Decimal(row["hard_max"]),
        )
    return table


@dataclass(frozen=True)
class SaleRange:
    """The usual purchase price in pounds of a property with this many bedrooms in one local authority."""

    soft_min: Decimal
    soft_max: Decimal


@cache
def sale_ranges(year: int) -> dict[tuple[str, int], SaleRange]:
    """Sale ranges for a collection year keyed by (la, bedrooms 1 to 4). Empty if we hold no table for it."""
    path = DATA_DIR / "sale_range_data" / f"{year}.csv"
    if not path.exists():
        return {}
    return {
        (row["la"].strip(), int(row["bedrooms"])): SaleRange(Decimal(row["soft_min"]), Decimal(row["soft_max"]))
        for row in _read_csv(path)
    }


def sale_range(year: int, la: str, bedrooms: int) -> SaleRange | None:
    return sale_ranges(year).get((la, bedrooms))


def _table_years(folder: str) -> list[int]:
    return sorted(int(path.stem) for path in (DATA_DIR / folder).glob("*.csv") if path.stem.isdigit())


def rent_range_years() -> list[int]:
    """The collection years we hold a rent range table for."""
    return _table_years("rent_range_data")


def sale_range_years() -> list[int]:
    """The collection years we hold a sale range table for."""
    return _table_years("sale_range_data")


def load_all() -> None:
    """Read every table now rather than at its first use (see CollectionPlugin.load_reference_data)."""
    local_authorities()
    local_authority_links()
    for year in rent_range_years():
        rent_ranges(year)
    for year in sale_range_years():
        sale_ranges(year)


def rent_range(year: int, lettype: int, la: str, beds: int) -> RentRange | None:
    return rent_ranges(year).get((lettype, la, beds))
