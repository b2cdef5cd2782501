"""The converter needs no database: CORE's downloads read back give their own answers and CORE's derived values."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from dcp_platform.definitions import EvalContext
from dcp_platform.exports.columns import DEPARTMENT, PROVIDER, build_layout
from dcp_platform.exports.convert import CORE_CODES, CORE_LABELS, JSON_LINES, ReadRow, convert, evaluate
from dcp_platform.exports.writing import CODES, LABELS, csv_chunks
from dcp_platform.registry import definition_for, get_plugin

REPO = Path(__file__).resolve().parents[2]
ANSWERS: dict[str, Any] = {
    "tenancycode": "T-100", "renewal": 0, "startdate": "2026-05-04", "needstype": 1, "rent_type": 2,
    "period": 1, "brent": "87.50", "hhmemb": 2, "illness": 1, "condition_effects": ["illness_type_4"],
    "persons": [{"age_known": 0, "age": 40}, {"details_known": 1}],
}


def download(form: str, answers: dict[str, Any], layout_name: str, values: str) -> tuple[Any, str]:
    definition = definition_for("core", form, 2026)
    layout = build_layout(definition, get_plugin("core").export_columns, layout_name)
    written = evaluate(definition, ReadRow(1, answers), context=EvalContext())
    return layout, "".join(csv_chunks(layout, values, [written]))


def converted(layout: Any, text: str, source: str, target: str) -> str:
    return "".join(convert(definition=layout.definition, layout=layout, source=source, target=target,
                           handle=io.BytesIO(text.encode("utf-8"))))


def test_a_download_converted_to_codes_gives_back_its_own_cells() -> None:
    for layout_name in (DEPARTMENT, PROVIDER):
        layout, codes = download("lettings", ANSWERS, layout_name, CODES)
        assert converted(layout, codes, CORE_CODES, CORE_CODES) == codes
        _, labels = download("lettings", ANSWERS, layout_name, LABELS)
        assert converted(layout, labels, CORE_LABELS, CORE_CODES) == codes
    lines = list(csv.reader(codes.splitlines()))
    row = dict(zip(lines[1], lines[2], strict=True))
    assert row["renttype"] == "2" and row["age2"] == "-9" and row["illness_type_4"] == "1"


def test_json_lines_carry_answers_and_derived_values() -> None:
    layout, codes = download("lettings", ANSWERS, DEPARTMENT, CODES)
    record = json.loads(converted(layout, codes, CORE_CODES, JSON_LINES))
    assert record["answers"]["tenancycode"] == "T-100" and record["answers"]["period"] == 1
    assert record["answers"]["persons"][1] == {"details_known": 1}  # CORE's "not known" -9 is not an answer
    assert record["derived"]["renttype"] == 2
    again = converted(layout, json.dumps(record) + "\n", JSON_LINES, CORE_CODES)
    assert again == codes


def test_sales_round_trip_with_split_dates() -> None:
    layout, codes = download("sales", {"purchid": "P1", "saledate": "2026-06-09", "ownershipsch": 1},
                             DEPARTMENT, CODES)
    assert converted(layout, codes, CORE_CODES, CORE_CODES) == codes
    assert json.loads(converted(layout, codes, CORE_CODES, JSON_LINES))["answers"]["saledate"] == "2026-06-09"


def test_invalid_cells_are_reported_and_left_out() -> None:
    layout, codes = download("lettings", {"period": 1}, PROVIDER, CODES)
    bad = codes.replace("\n1,", "\nx,").splitlines()
    headers = next(csv.reader([bad[1]]))
    cells = next(csv.reader([bad[2]]))
    cells[headers.index("period")] = "77"
    text = "\n".join(bad[:2] + [",".join(cells)]) + "\n"
    problems: list[str] = []
    out = "".join(convert(definition=layout.definition, layout=layout, source=CORE_CODES, target=JSON_LINES,
                          handle=io.BytesIO(text.encode()), problems=problems))
    assert "period" not in json.loads(out)["answers"]
    assert any(p.startswith("row 3, period:") for p in problems)


def test_the_command_line_needs_no_database(tmp_path: Path) -> None:
    layout, codes = download("lettings", ANSWERS, PROVIDER, CODES)
    source = tmp_path / "download.csv"
    source.write_text(codes, encoding="utf-8")
    env = {"DJANGO_SETTINGS_MODULE": "dcp_platform.settings.test", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "records_convert", "--collection", "core", "--form", "lettings",
         "--year", "2026", "--from", "core-csv-codes", "--to", "json", "--columns", "provider", str(source)],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["answers"]["tenancycode"] == "T-100"


def test_a_bulk_upload_template_converts_to_cores_download(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bulk_upload_bench_for_convert", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    definition = definition_for("core", "lettings", 2026)
    path = tmp_path / "template.csv"
    bench.write_template(path, definition, "ORG1", 5)
    layout = build_layout(definition, get_plugin("core").export_columns, PROVIDER)
    with path.open("rb") as handle:
        text = "".join(convert(definition=definition, layout=layout, source="template", target=CORE_CODES,
                               handle=handle, codecs=get_plugin("core").codecs))
    lines = list(csv.reader(text.removeprefix("\ufeff").splitlines()))
    assert len(lines) == 2 + 5
    rows = [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]
    assert all(row["startdate"].startswith("2026-") and row["period"] for row in rows)
