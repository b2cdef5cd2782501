"""Loading the local lookups' files: the ONS Postcode Directory and an OS Places-shaped address file.

`load_postcodes` reads the ONSPD's published CSV (the "Data/ONSPD_<month>_UK.csv" file of its download, or one of
its multi-CSV parts): the postcode (`pcds`, or `pcd`/`pcd7`/`pcd2`/`pcd8`), the local authority district
(`oslaua` in older releases, `lad<yy>cd` in newer ones) and the termination date (`doterm`, YYYYMM). Postcodes
with no district, or a pseudo-code (`E99999999`, `L99999999`, ...: Channel Islands, Isle of Man, not known), are
skipped. A load replaces every postcode held before, in one transaction.

`load_addresses` reads a CSV with OS Places' DPA field names: UPRN, ORGANISATION_NAME, SUB_BUILDING_NAME,
BUILDING_NAME, BUILDING_NUMBER, THOROUGHFARE_NAME, DEPENDENT_LOCALITY, POST_TOWN, POSTCODE (and COUNTY, which
OS Places lacks, when the file has it). It replaces every address held before.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.db import connection, transaction

from dcp_platform.lookups.adapters import forget_loaded_postcodes, is_postcode, normalise_postcode
from dcp_platform.lookups.models import Address, PostcodeLoad

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd2", "pcd8")
_DISTRICT = re.compile(r"^(oslaua|lad\d{2}cd)$")
_PSEUDO = re.compile(r"^[A-Z]99999999$")


class LookupFileError(Exception):
    """A file that cannot be loaded; the message says why (shown as it is by the commands)."""


@dataclass(frozen=True)
class Loaded:
    rows: int  # rows read
    kept: int  # postcodes or addresses held now
    skipped: int


def _reader(stream: IO[str]) -> tuple[csv.DictReader[str], dict[str, str]]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise LookupFileError("The file is empty: it needs a header row")
    return reader, {name.strip().lower(): name for name in reader.fieldnames}


def _terminated(text: str) -> date | None:
    text = (text or "").strip()
    if re.fullmatch(r"\d{6}", text):
        return date(int(text[:4]), int(text[4:]), 1)
    return None


def load_postcodes(stream: IO[str], *, source: str) -> Loaded:
    reader, columns = _reader(stream)
    postcode_column = next((columns[name] for name in POSTCODE_COLUMNS if name in columns), None)
    district_column = next((original for name, original in columns.items() if _DISTRICT.match(name)), None)
    if postcode_column is None or district_column is None:
        raise LookupFileError(
            "This is not an ONS Postcode Directory file: it needs a postcode column (pcds or pcd) and a local "
            "authority district column (oslaua or lad..cd)"
        )
    terminated_column = columns.get("doterm")
    counts = {"rows": 0, "skipped": 0}

    def rows() -> Iterator[tuple[str, str, date | None]]:
        for row in reader:
            counts["rows"] += 1
            postcode = normalise_postcode(row.get(postcode_column))
            district = (row.get(district_column) or "").strip().upper()
            if not is_postcode(postcode) or not district or _PSEUDO.match(district):
                counts["skipped"] += 1
                continue
            yield postcode, district, _terminated(row.get(terminated_column, "") if terminated_column else "")

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS lookups_postcode_load")  # a load earlier in the same transaction
            cursor.execute("CREATE TEMPORARY TABLE lookups_postcode_load "
                           "(postcode varchar(8), local_authority varchar(9), terminated date) ON COMMIT DROP")
            with cursor.cursor.copy("COPY lookups_postcode_load (postcode, local_authority, terminated) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
            cursor.execute("DELETE FROM lookups_postcode")
            # A postcode given twice keeps its live row (no termination date) over a terminated one.
            cursor.execute(
                "INSERT INTO lookups_postcode (postcode, local_authority, terminated) "
                "SELECT DISTINCT ON (postcode) postcode, local_authority, terminated FROM lookups_postcode_load "
                "ORDER BY postcode, terminated DESC NULLS FIRST"
            )
            kept = cursor.rowcount
        PostcodeLoad.objects.create(source=source[:255], postcodes=kept)
    forget_loaded_postcodes()
    return Loaded(rows=counts["rows"], kept=kept, skipped=counts["skipped"])


def _line1(row: dict[str, str]) -> str:
    parts = [row.get(name, "").strip() for name in ("organisation_name", "sub_building_name", "building_name")]
    street = " ".join(p for p in (row.get("building_number", "").strip(), row.get("thoroughfare_name", "").strip()) if p)
    return ", ".join(p for p in (*parts, street) if p)


def _title(text: str) -> str:
    return text.title() if text.isupper() else text


def load_addresses(stream: IO[str], *, source: str) -> Loaded:
    reader, columns = _reader(stream)
    if "uprn" not in columns or "postcode" not in columns:
        raise LookupFileError("This is not an address file: it needs at least the columns UPRN and POSTCODE")
    addresses: dict[str, Address] = {}
    rows = skipped = 0
    for raw in reader:
        rows += 1
        row = {name.strip().lower(): (value or "") for name, value in raw.items() if name}
        uprn, postcode = row.get("uprn", "").strip(), normalise_postcode(row.get("postcode"))
        line1 = _title(_line1(row))
        if not re.fullmatch(r"[0-9]{1,12}", uprn) or not is_postcode(postcode) or not line1:
            skipped += 1
            continue
        addresses[uprn] = Address(
            uprn=uprn, postcode=postcode, line1=line1, line2=_title(row.get("dependent_locality", "").strip()),
            town=_title(row.get("post_town", "").strip()), county=_title(row.get("county", "").strip()),
        )
    with transaction.atomic():
        Address.objects.all().delete()
        Address.objects.bulk_create(addresses.values(), batch_size=2000)
    return Loaded(rows=rows, kept=len(addresses), skipped=skipped)


def lines(text: str) -> IO[str]:
    """A text as a file (for tests and callers holding the file's contents)."""
    return io.StringIO(text)


def open_text(path: str) -> IO[str]:
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - the caller closes it


