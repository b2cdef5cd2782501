"""Value generators and the writer shared by the automap benchmark's file generators.

Each generator script describes its files as columns (header, the template fields a person would map it to,
a value generator) and calls `write_set`, which writes the files and their labels. The files and labels are
committed; the generators say how they were made and are not run again (changing them would change the files
the figures were measured on).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

Gen = Callable[[random.Random], str]
# header, the template field numbers a person would map it to ([] = leave unmapped), values
Column = tuple[str, list[int], Gen]


@dataclass(frozen=True)
class ExportFile:
    name: str
    style: str  # what kind of export it imitates, for the reader of the labels
    columns: Sequence[Column]
    delimiter: str = ","
    encoding: str = "utf-8"
    rows: int = 50


def pick(*values: str) -> Gen:
    return lambda rng: rng.choice(values)


def weighted(*pairs: tuple[str, int]) -> Gen:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return lambda rng: rng.choices(values, weights)[0]


def sometimes(gen: Gen, share: float) -> Gen:
    """The value in `share` of the rows, empty in the others (later household members, optional answers)."""
    return lambda rng: gen(rng) if rng.random() < share else ""


def blank() -> Gen:
    return lambda rng: ""


def number(low: int, high: int) -> Gen:
    return lambda rng: str(rng.randint(low, high))


def money(low: float, high: float, fmt: str = "{:.2f}") -> Gen:
    return lambda rng: fmt.format(rng.uniform(low, high))


def a_date(fmt: str, start: date = date(2026, 4, 1), span: int = 330) -> Gen:
    return lambda rng: (start + timedelta(days=rng.randint(0, span))).strftime(fmt)


def excel_serial(start: date = date(2026, 4, 1), span: int = 330) -> Gen:
    """A date as Excel stores it (days since 30 December 1899), as exports from spreadsheets often show it."""
    return lambda rng: str((start + timedelta(days=rng.randint(0, span)) - date(1899, 12, 30)).days)


def date_part(part: str, start: date = date(2026, 4, 1), span: int = 330) -> Gen:
    def gen(rng: random.Random) -> str:
        day = start + timedelta(days=rng.randint(0, span))
        return str({"day": day.day, "month": day.month, "year": day.year}[part])
    return gen


OUTWARDS = ("LS6", "M14", "B33", "NE4", "CR2", "BS16", "L18", "PE30", "S10", "NG7", "HU3", "E17", "SE15", "WV10")


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(OUTWARDS)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQ')}"


def postcode_compact(rng: random.Random) -> str:
    return postcode(rng).replace(" ", "")


def outward(rng: random.Random) -> str:
    return rng.choice(OUTWARDS)


def inward(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRS')}"


def ref(prefix: str, low: int = 10000, high: int = 99999, suffix: str = "") -> Gen:
    return lambda rng: f"{prefix}{rng.randint(low, high)}{suffix}"


def email(rng: random.Random) -> str:
    return f"{rng.choice(['a.khan', 'j.smith', 'l.okafor', 'm.nowak', 'p.jones'])}@{rng.choice(['hha.org.uk', 'example.gov.uk'])}"


LA_CODES = pick("E08000035", "E08000003", "E08000025", "E08000021", "E09000008", "E06000023", "E07000178", "E08000019")
LA_NAMES = pick("Leeds", "Manchester", "Birmingham", "Newcastle upon Tyne", "Croydon", "Bristol", "Sheffield")
STREETS = pick("12 High Street", "4 Mill Lane", "Flat 3, 88 Park Road", "27 Church Walk", "1 Station Approach",
               "Flat 12 Beech Court", "9 Albert Terrace", "63 Victoria Road")
LINE2 = pick("", "", "Northside", "Hyde Park", "Moss Side", "Eastfield")
TOWNS = pick("Leeds", "Manchester", "Birmingham", "Newcastle upon Tyne", "Croydon", "Bristol", "Sheffield")
COUNTIES = pick("West Yorkshire", "Greater Manchester", "", "Tyne and Wear", "Surrey", "West Midlands")
UPRN = number(10000000000, 100099999999)
NAMES = pick("J Smith", "A Khan", "M Nowak", "L Okafor", "S Patel", "R Evans", "K Brown")
PHONES = lambda rng: f"07{rng.randint(100000000, 999999999)}"  # noqa: E731 - a generator like the others
FREE_NOTES = pick("", "", "keys with caretaker", "tenant to call back", "see housing file", "sign-up rescheduled",
                  "gas safety cert outstanding", "")


def write_set(folder: Path, files: Sequence[ExportFile], seed: int = 2026) -> dict[str, object]:
    """Write each file and `labels.json` (per file, in column order: header and the fields it fills)."""
    (folder / "files").mkdir(parents=True, exist_ok=True)
    labels: dict[str, object] = {}
    for export in files:
        rng = random.Random(f"{seed}-{export.name}")
        with open(folder / "files" / export.name, "w", encoding=export.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=export.delimiter)
            writer.writerow([header for header, _, _ in export.columns])
            for _ in range(export.rows):
                writer.writerow([gen(rng) for _, _, gen in export.columns])
        labels[export.name] = {
            "style": export.style,
            "columns": [{"column": header, "fields": fields} for header, fields, _ in export.columns],
        }
    (folder / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return labels
