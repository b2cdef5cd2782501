"""Reading uploaded tables (CSV and .xlsx) as a stream of rows of text cells, with the safety checks.

Nothing here evaluates a cell: formulas in workbooks are read as their text, and CSV cells are plain text.
A file we cannot read safely raises `FileRejected` with one message for the user; the caller stores nothing.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

# Limits stated to the user on the upload page (keep the wording in LIMITS_TEXT in step).
MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_ROWS = 150_000
MAX_COLUMNS = 400
MAX_CELL_CHARS = 2_000
# A workbook is a zip: refuse one whose declared uncompressed size or compression ratio looks like a bomb.
MAX_UNCOMPRESSED_BYTES = 250 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
LIMITS_TEXT = (
    f"The file must be a CSV or an Excel .xlsx file of no more than {MAX_FILE_BYTES // (1024 * 1024)} MB, "
    f"with at most {MAX_ROWS:,} rows and {MAX_COLUMNS} columns."
)

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SNIFF_BYTES = 64 * 1024


class FileRejected(Exception):
    """The file cannot be used at all; `message` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def neutralise(cell: Any) -> str:
    """A cell made safe for a spreadsheet: text starting like a formula is prefixed with an apostrophe."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str


# ---------------------------------------------------------------------------------------------- CSV


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if b"\x00" in head:
        raise FileRejected("The file is not a table: it contains binary data. Save it as CSV or .xlsx and try again.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is not an error
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"  # what Excel on Windows writes as "CSV"


def _detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = [line.count(delimiter) for line in lines]
        # The delimiter appears on most lines, ideally the same number of times.
        score = sum(1 for c in counts if c > 0) * 10 + (10 if len(set(counts)) == 1 and counts[0] > 0 else 0)
        score += min(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _looks_like_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def sniff_csv(path: Path) -> CsvFormat:
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\r\n\t ,;\x00"):
        raise FileRejected("The file is empty.")
    if _looks_like_zip(head):
        raise FileRejected(
            "The file is a zipped file or an Excel workbook with a .csv name. Save it as CSV or as .xlsx and try again."
        )
    encoding = _detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    return CsvFormat(encoding=encoding, delimiter=_detect_delimiter(sample))


def _csv_rows(path: Path) -> Iterator[list[str]]:
    fmt = sniff_csv(path)
    with open(path, encoding=fmt.encoding, errors="strict", newline="") as handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise FileRejected("The file's text could not be read. Save it as CSV (UTF-8) and try again.") from None
        except csv.Error as error:
            raise FileRejected(f"The file is damaged near line {reader.line_num}: {error}.") from None


# ---------------------------------------------------------------------------------------------- XLSX


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRejected("The Excel file is damaged and cannot be opened. Save it again and try again.") from None
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected("The Excel file is too large once opened. Split it into smaller files, or save it as CSV.")
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO and \
                entry.file_size > 10 * 1024 * 1024:
            raise FileRejected("The Excel file cannot be opened safely (it expands to far more than its size).")
    if not any(entry.filename.startswith("xl/worksheets/") for entry in entries):
        raise FileRejected("The file is not an Excel workbook. Save it as .xlsx or CSV and try again.")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl  # noqa: PLC0415  (only .xlsx files need it, and it is slow to import)

    _check_zip(path)
    try:
        # read_only streams the sheet; data_only=False gives formulas as their text, never a computed value.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise FileRejected("The Excel file is damaged and cannot be opened. Save it again and try again.") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            yield [_cell_text(value) for value in row]
    except FileRejected:
        raise
    except Exception:
        raise FileRejected("The Excel file is damaged and cannot be read to the end. Save it again.") from None
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------- entry point


def kind_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise FileRejected("Upload a CSV file or an Excel .xlsx file. Older .xls files must be saved as .xlsx first.")


def raw_rows(path: Path, filename: str | None = None) -> Iterator[list[str]]:
    """Every row of the file as text cells with trailing empty cells dropped, checked against the limits."""
    kind = kind_of(filename or path.name)
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("The file is empty.")
    if size > MAX_FILE_BYTES:
        raise FileRejected(f"The file is too large. {LIMITS_TEXT}")
    source = _csv_rows(path) if kind == "csv" else _xlsx_rows(path)
    for count, row in enumerate(source, start=1):
        if count > MAX_ROWS + 20:  # the header block is not counted
            raise FileRejected(f"The file has more than {MAX_ROWS:,} rows. {LIMITS_TEXT} Split it into smaller files.")
        while row and not (row[-1] or "").strip():
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise FileRejected(f"Row {count} has more than {MAX_COLUMNS} columns. {LIMITS_TEXT}")
        # No cell can be too long when the whole row is not (one join); else the longest cell is measured.
        if row and len("".join(row)) > MAX_CELL_CHARS and max(map(len, row)) > MAX_CELL_CHARS:
            raise FileRejected(f"Row {count} has a cell longer than {MAX_CELL_CHARS:,} characters.")
        yield row
