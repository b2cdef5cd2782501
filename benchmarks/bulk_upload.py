"""Bulk upload benchmark: the whole pipeline (read, map, decode, validate, derive, store) on 10,000 rows.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/bulk_upload.py [--rows 10000]

Writes a template-format file and a provider-format file in a temporary folder, processes each in the
`core` schema of the configured database as a throw-away organisation's upload (then deletes what it stored),
and prints rows per second and peak memory (peak resident set size). Needs the 2026 window to be open for the dates used,
so it runs with today's date inside the window.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

START = date(2026, 6, 1)


def template_cells(definition: Any, org_code: str, number: int) -> dict[int, str]:
    """A plausible template row built from the definition (first option, minimum numbers, ...)."""
    cells: dict[int, str] = {}
    for field_number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        if spec.item not in (None, 1):
            continue  # one-person households
        kind = question.type
        if question.template_codec:
            value = "34" if question.id == "age" else ""
            if question.id == "housingneeds_type":
                value = "1" if field_number == question.template_fields_for(None)[4] else ""
        elif kind == "organisation":
            value = org_code
        elif kind == "date":
            value = str({"day": START.day, "month": START.month, "year": START.year}[spec.part])
        elif kind == "postcode":
            value = "LS6" if spec.part == "outward" else "1AA"
        elif kind == "checkboxes":
            value = "1" if spec.part == question.options[0].code else ""
        elif question.options:
            value = str(question.options[0].code)
        elif kind in ("integer",):
            value = str(question.min if isinstance(question.min, int) and question.min > 0 else 1)
        elif kind in ("money", "decimal"):
            value = "100.00"
        elif kind == "email" or kind == "select":
            value = ""
        else:
            value = f"T{number}" if question.id.endswith("code") else "x"
        cells[field_number] = value
    return cells


def write_template(path: Path, definition: Any, org_code: str, rows: int) -> None:
    numbers = sorted(definition.template_field_map())
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", *(f"Field {n}" for n in numbers)])
        writer.writerow(["Field number", *numbers])
        for number in range(rows):
            cells = template_cells(definition, org_code, number)
            writer.writerow(["", *(cells.get(n, "") for n in numbers)])


PROVIDER_COLUMNS = [
    ("Tenancy Reference", lambda n, org: f"T{n}"), ("Property Reference", lambda n, org: f"P{n}"),
    ("Owning Organisation", lambda n, org: org), ("Managing Organisation", lambda n, org: org),
    ("Needs Type", lambda n, org: "General needs"), ("Is Renewal", lambda n, org: "No"),
    ("Tenancy Start Date", lambda n, org: START.strftime("%d/%m/%Y")), ("Rent Type", lambda n, org: "Social Rent"),
    ("Postcode", lambda n, org: "LS6 1AA"), ("Number of Bedrooms", lambda n, org: "2"),
    ("Tenancy Type", lambda n, org: "AST"), ("Lead Tenant Age", lambda n, org: "34"),
    ("Lead Tenant Sex", lambda n, org: "Female"), ("Basic Rent", lambda n, org: "95.50"),
    ("Service Charge", lambda n, org: "5.00"),
]


def write_provider(path: Path, org_code: str, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _ in PROVIDER_COLUMNS])
        for number in range(rows):
            writer.writerow([make(number, org_code) for _, make in PROVIDER_COLUMNS])


def run(rows: int) -> list[dict[str, Any]]:
    import django

    django.setup()
    from dcp_platform.accounts.models import Organisation, User
    from dcp_platform.records.models import Record
    from dcp_platform.registry import definition_for
    from dcp_platform.tenancy.models import Collection
    from dcp_platform.uploads import services
    from dcp_platform.uploads.models import Upload
    from django.db import connection

    connection.set_tenant(Collection.objects.get(schema_name="core"))
    definition = definition_for("core", "lettings", 2026)
    stamp = str(int(time.time()))
    org = Organisation.objects.create(name=f"Benchmark {stamp}", code=f"BENCH{stamp}", provider_type="PRP")
    user = User.objects.create(email=f"bench{stamp}@example.org", organisation=org, role="data_coordinator")
    results = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            files = {"template": Path(folder) / "template.csv", "provider": Path(folder) / "provider.csv"}
            write_template(files["template"], definition, org.code, rows)
            write_provider(files["provider"], org.code, rows)
            for kind, path in files.items():
                with open(path, "rb") as handle:
                    upload = services.receive_file(user=user, form="lettings", year=2026, handle=handle,
                                                   filename=path.name).upload
                started = time.perf_counter()
                services.process_upload(upload.pk, today=START)
                upload.refresh_from_db()
                if upload.status == "needs_mapping":  # accept the proposal as a user would
                    services.confirm_mapping(upload, column_mapping=upload.column_mapping, value_mapping={})
                    services.process_upload(upload.pk, today=START)
                elapsed = time.perf_counter() - started
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
                upload.refresh_from_db()
                results.append(result := {
                    "file": kind, "rows": upload.total_rows, "seconds": round(elapsed, 2),
                    "rows_per_second": round(upload.total_rows / elapsed), "peak_rss_mb": round(peak / 1e6, 1),
                    "status": upload.status, "summary": {k: v for k, v in upload.summary.items() if k != "problem_groups"},
                })
                print(result, flush=True)
    finally:
        for upload in Upload.objects.filter(organisation_id=org.pk):
            Record.objects.filter(upload_id=upload.pk).delete()
            Path(upload.stored_path).unlink(missing_ok=True)
            upload.delete()
        connection.set_schema_to_public()
        User.objects.filter(pk=user.pk).update(is_active=False)  # users are deactivated, never deleted
        Organisation.objects.filter(pk=org.pk).update(active=False)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    arguments = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    run(arguments.rows)


if __name__ == "__main__":
    main()
