"""Reading uploaded files: encodings, separators, and every bad input answered with one clear message."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import openpyxl
import pytest
from dcp_platform.uploads import reading
from dcp_platform.uploads.reading import FileRejected, neutralise, raw_rows
from dcp_platform.uploads.table import data_rows, read_layout, scan

ROWS = [["Tenant ref", "Start date", "Rent"], ["T1", "01/05/2026", "100.50"], ["T2", "2/5/2026", "£90"]]


def write_csv(tmp_path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",",
              newline: str = "\n", name: str = "f.csv") -> Path:
    text = newline.join(delimiter.join(row) for row in rows) + newline
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_encodings_separators_and_line_ends(tmp_path: Path, encoding: str, delimiter: str, newline: str) -> None:
    rows = [*ROWS, ["Zoë", "3/5/2026", "£80"]]
    path = write_csv(tmp_path, rows, encoding=encoding, delimiter=delimiter, newline=newline)
    assert list(raw_rows(path)) == rows


def test_windows_1252_pound_sign_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("a,b\n£5,x\n".encode("cp1252"))
    assert list(raw_rows(path))[1] == ["£5", "x"]


def test_xlsx_rows_dates_and_formulas_are_text(tmp_path: Path) -> None:
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ref", "Start", "Sum"])
    sheet.append(["T1", datetime(2026, 5, 1), "=1+1"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert list(raw_rows(path)) == [["Ref", "Start", "Sum"], ["T1", "2026-05-01", "=1+1"]]  # never evaluated


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\xef\xbb\xbf\r\n,,\r\n", "empty"),
    (b"PK\x03\x04" + b"\x00" * 200, "zipped file or an Excel workbook"),
    (bytes(range(256)) * 10, "binary"),
])
def test_bad_csv_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=message):
        scan(path)


def test_headers_only_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="headers but no rows"):
        scan(write_csv(tmp_path, ROWS[:1]))


def test_ragged_row_is_refused_with_its_row_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [*ROWS, ["T3", "1/6/2026", "5", "extra"]])
    with pytest.raises(FileRejected, match="Row 4 has 4 cells but the header has 3"):
        scan(path)


def test_short_rows_are_padded(tmp_path: Path) -> None:
    layout = read_layout(write_csv(tmp_path, [*ROWS, ["T3"]]))
    rows = list(data_rows(tmp_path / "f.csv", layout))
    assert rows[-1] == (4, ["T3", "", ""])


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="“rent” is used for more than one column .columns 2 and 3"):
        scan(write_csv(tmp_path, [["Ref", "Rent", "rent "], ["1", "2", "3"]]))


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.xls"
    path.write_bytes(b"abc")
    with pytest.raises(FileRejected, match="CSV file or an Excel .xlsx"):
        scan(path)


def test_damaged_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(FileRejected, match="damaged"):
        scan(path)


def test_xlsx_zip_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))  # compresses to ~300 KB
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(FileRejected, match="too large once opened|cannot be opened safely"):
        scan(path)


def test_200000_row_file_is_refused_while_streaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("ref,age\n")
        for number in range(200_000):
            handle.write(f"T{number},{number % 90}\n")
    with pytest.raises(FileRejected, match="more than 150,000 rows"):
        scan(path)


def test_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    with pytest.raises(FileRejected, match="too large"):
        scan(write_csv(tmp_path, ROWS * 10))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("plain", "plain"), ("", ""),
])
def test_formula_like_cells_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_template_header_block_is_recognised(tmp_path: Path) -> None:
    rows = [["Section", "Setup", ""], ["Question", "Owner?", "Start day"], ["Field number", "1", "8"], ["", "ORG1", "3"]]
    path = write_csv(tmp_path, rows, encoding="utf-8-sig")
    layout = read_layout(path)
    assert layout.kind == "template"
    assert layout.field_numbers == [None, 1, 8]
    assert layout.headers[1:] == ["Owner?", "Start day"]
    assert list(data_rows(path, layout)) == [(4, ["", "ORG1", "3"])]


def test_template_with_a_field_number_twice_is_refused(tmp_path: Path) -> None:
    rows = [["Field number", "1", "1"], ["", "a", "b"]]
    with pytest.raises(FileRejected, match="Field number 1 appears in more than one column"):
        read_layout(write_csv(tmp_path, rows))


def test_bom_detection_does_not_confuse_utf16(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "a;b\r\n1;2\r\n".encode("utf-16-le"))
    assert list(raw_rows(path)) == [["a", "b"], ["1", "2"]]
