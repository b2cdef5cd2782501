"""Server time per web form page with 10,000 existing records in the collection.

    .venv/bin/python benchmarks/form_pages.py [--iterations 300]

Uses its own database (dcp_bench by default; DATABASE_URL overrides), builds the shared schema and the
collections if needed, adds 10,000 lettings records, then times requests through Django's test client
(in-process, so the figures are server time without network). Prints p50/p95 per page in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dcp_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcp_platform.settings")
os.environ.setdefault("DCP_LOG_LEVEL", "WARNING")
RECORDS = 10_000


def ensure_database() -> None:
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname=%s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from dcp_platform.accounts.models import Organisation, User
    from dcp_platform.records.models import Record
    from dcp_platform.tenancy.models import Collection, Participation
    from dcp_platform.tenancy.services import ensure_collections
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate_schemas", shared=True, verbosity=0)
    ensure_collections()
    org, _ = Organisation.objects.get_or_create(code="BENCH1", defaults={"name": "Bench Homes", "provider_type": "PRP"})
    user = User.objects.filter(email="bench@example.com").first() or User.objects.create_user(
        "bench@example.com", None, name="Bench User", organisation=org)
    core = Collection.objects.get(schema_name="core")
    Participation.objects.get_or_create(organisation=org, collection=core)
    connection.set_tenant(core)  # type: ignore[attr-defined]
    existing = Record.objects.count()
    if existing < RECORDS:
        answers = {"owning_organisation_id": org.code, "managing_organisation_id": org.code, "needstype": 1,
                   "renewal": 0, "startdate": "2026-10-01", "rent_type": 0}
        Record.objects.bulk_create(
            [Record(form="lettings", year=2026, status="in_progress", answers={**answers, "tenancycode": f"T{n}"},
                    reference=f"T{n}", search_text=f"t{n}", owning_organisation=org, managing_organisation=org,
                    created_by=user) for n in range(existing, RECORDS)],
            batch_size=2000,
        )
    record = Record.objects.filter(owning_organisation=org).order_by("-pk").first()
    assert record is not None
    client = Client(HTTP_HOST=f"core.{os.environ.get('DCP_BASE_DOMAIN', 'dcp.localhost')}")
    client.force_login(user)
    base = f"/records/{record.public_id}/"
    cases = [
        ("GET records list (page 1 of 500)", "get", "/records/", None),
        ("GET records list, search", "get", "/records/?q=t99", None),
        ("GET task list", "get", base, None),
        ("GET question page", "get", base + "questions/needs_type/", None),
        ("POST question page (save, evaluate, history)", "post", base + "questions/needs_type/", {"needstype": "1"}),
        ("GET household member page", "get", base + "questions/household_members/", None),
        ("GET check your answers", "get", base + "check/setup/", None),
    ]
    print(f"{Record.objects.count()} records in the core schema; {args.iterations} requests per page\n")
    print(f"{'page':<48} {'p50 ms':>8} {'p95 ms':>8}")
    for label, method, url, data in cases:
        timings = []
        for _ in range(args.iterations):
            start = time.perf_counter()
            response = client.post(url, data) if method == "post" else client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code >= 400:
                sys.exit(f"{label}: HTTP {response.status_code}")
        print(f"{label:<48} {statistics.median(timings):>8.1f} {percentile(timings, 95):>8.1f}")


if __name__ == "__main__":
    main()
