"""Dashboards at national scale: 3,000,000 lettings records (ten national years of 300,000) and the server time of
an organisation's dashboard and of England's view.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings DATABASE_URL=postgresql://.../dcp_bench \
        .venv/bin/python benchmarks/dashboards.py [--generate] [--requests 60]

`--generate` (once) adds 300 organisations (two thirds housing associations, a third councils, spread over the
nine regions, sizes skewed like the real sector: the largest sends about 6,000 lettings a year) and COPYs ten
years of records into the `core` schema of the configured database (about 10 minutes, 3 GB). Then it:

1. times a full refresh of each year's figures (`playback.services.refresh_figures`): how stale figures can be;
2. times `--requests` requests of the largest organisation's dashboard, of random organisations' dashboards and
   of England's view, in process through Django's test client (middleware, views, templates: server time, no
   network), and prints p50/p95/max.

Use a throw-away database: the records stay (the next run reuses them).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "core.dcp.localhost"
YEARS = list(range(2017, 2027))
PER_YEAR = 300_000
ORGANISATIONS = 300
PREFIX = "BENCHDASH"
REGIONS = [f"E1200000{n}" for n in range(1, 10)]
AREAS = ["E08000021", "E09000001", "E06000001", "E07000008", "E08000035", "E09000033", "E06000023", "E07000178"]


def _setup() -> None:
    import django

    sys.path.insert(0, str(REPO))
    django.setup()


def organisations() -> list[Any]:
    from dcp_platform.accounts.models import Organisation
    from dcp_platform.tenancy.models import Collection, Participation

    core = Collection.objects.get(schema_name="core")
    found = list(Organisation.objects.filter(code__startswith=PREFIX).order_by("code"))
    if len(found) == ORGANISATIONS:
        return found
    for n in range(len(found), ORGANISATIONS):
        organisation = Organisation.objects.create(
            code=f"{PREFIX}{n:04d}", name=f"Benchmark organisation {n:04d}",
            provider_type="LA" if n % 3 == 0 else "PRP", region=REGIONS[n % len(REGIONS)])
        Participation.objects.create(organisation=organisation, collection=core)
        found.append(organisation)
    return found


def _row(rng: random.Random, organisation_id: int, year: int, created: datetime) -> str:
    beds = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
    rent = round(rng.gauss(80 + 20 * beds, 15), 2)
    answers = {
        "needstype": 1 if rng.random() < 0.85 else 2, "rent_type": rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 5, 6)),
        "beds": beds, "homeless": 11 if rng.random() < 0.2 else 1, "hb": rng.choice((1, 6, 6, 9, 10, 3)),
        "illness": rng.choice((1, 2, 2, 3)), "reasonpref": rng.choice((1, 2, 3)), "reason": rng.choice((50, 51, 47, 28, 1)),
        "joint": rng.choice((1, 2, 3)), "sheltered": rng.choice((1, 2, 4)), "housingneeds": rng.choice((1, 2, 3)),
        "la": rng.choice(AREAS), "prevten": rng.choice((6, 30, 32, 40, 9)),
    }
    derived = {"wrent": f"{rent:.2f}", "wtcharge": f"{rent + 12:.2f}", "vacdays": rng.randint(0, 120),
               "weekly_net_income": f"{rng.uniform(100, 700):.2f}", "new_old": rng.choice((1, 2))}
    status = "completed" if rng.random() < 0.92 else rng.choice(("in_progress", "not_started"))
    channel = rng.choice(("web", "web", "upload", "upload", "upload", "api"))
    updated = created + timedelta(minutes=rng.randint(5, 60 * 24 * 5))
    record_date = created.date()
    return "\t".join((
        str(uuid.UUID(int=rng.getrandbits(128), version=4)), "lettings", str(year), status, json.dumps(answers),
        json.dumps(derived), "{}", str(organisation_id), str(organisation_id), "", "", record_date.isoformat(),
        "t", channel, "1", created.isoformat(), updated.isoformat(),
    )) + "\n"


COLUMNS = ("public_id", "form", "year", "status", "answers", "derived", "confirmations", "owning_organisation_id",
           "managing_organisation_id", "reference", "search_text", "record_date", "visible", "source_channel",
           "version", "created_at", "updated_at")


def generate(found: list[Any], per_year: int) -> None:
    from django.db import connection

    weights = [1 / (1 + n) ** 0.8 for n in range(len(found))]  # a few large providers, many small ones
    with connection.cursor() as cursor:
        for year in YEARS:
            cursor.execute("SELECT count(*) FROM records_record WHERE form = 'lettings' AND year = %s", [year])
            existing = cursor.fetchone()[0]
            wanted = per_year - existing
            if wanted <= 0:
                continue
            rng = random.Random(f"{year}-{existing}")  # new public ids when a smaller run's records are there
            started = time.perf_counter()
            owners = rng.choices([o.pk for o in found], weights=weights, k=wanted)
            start = datetime(year, 4, 1, tzinfo=UTC)
            sql = f"COPY records_record ({', '.join(COLUMNS)}) FROM STDIN"  # noqa: S608 - constant columns
            with cursor.cursor.copy(sql) as copy:
                buffer = io.StringIO()
                for n, owner in enumerate(owners):
                    buffer.write(_row(rng, owner, year, start + timedelta(seconds=rng.randint(0, 364 * 86400))))
                    if n % 20_000 == 19_999:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
            print(f"  {year}: {wanted:,} records in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("ANALYZE records_record")


def percentiles(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    print(f"  {name}: n={len(ms)} p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--per-year", type=int, default=PER_YEAR,
                        help="Records a year to generate up to (ten years; 300,000 is the issue's national scale).")
    parser.add_argument("--no-refresh", action="store_true", help="Keep the stored figures (already refreshed).")
    arguments = parser.parse_args()
    _setup()
    from dcp_platform.accounts.models import User
    from dcp_platform.playback.services import refresh_figures
    from dcp_platform.tenancy.models import Collection, CollectionAnalyst
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    settings.ALLOWED_HOSTS = ["*"]
    found = organisations()
    if arguments.generate:
        print("Generating records")
        with schema_context("core"):
            generate(found, arguments.per_year)
    with schema_context("core"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM records_record")
            print(f"Records in core: {cursor.fetchone()[0]:,}")
            cursor.execute("SELECT owning_organisation_id, count(*) FROM records_record WHERE year = 2026 "
                           "GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
            largest_id, largest_count = cursor.fetchone()
        if not arguments.no_refresh:
            print("Full refresh of each year's figures")
            for year in YEARS:
                started = time.perf_counter()
                rows = refresh_figures(slug="core", form="lettings", year=year)
                print(f"  {year}: {rows:,} figures in {time.perf_counter() - started:.1f} s", flush=True)
    coordinator, _ = User.objects.get_or_create(email="bench-dash-coordinator@example.com", defaults={
        "name": "Bench", "role": "data_coordinator", "organisation_id": largest_id})
    analyst, _ = User.objects.get_or_create(email="bench-dash-analyst@example.com", defaults={"name": "Bench"})
    CollectionAnalyst.objects.get_or_create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    largest = next(o for o in found if o.pk == largest_id)
    print(f"Largest organisation: {largest.code}, {largest_count:,} records in 2026")
    rng = random.Random(1)

    def timed(client: Client, url: str) -> float:
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST=HOST)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    own = Client()
    own.force_login(coordinator)
    department = Client()
    department.force_login(analyst)
    for client, url in ((own, f"/dashboards/lettings/2026/organisations/{largest.code}/"),
                        (department, "/dashboards/department/lettings/2026/")):
        timed(client, url)  # warm: definitions, templates, connections
    print(f"Requests ({date.today()})")
    percentiles("largest organisation's dashboard", [
        timed(own, f"/dashboards/lettings/2026/organisations/{largest.code}/") for _ in range(arguments.requests)])
    percentiles("random organisations' dashboards (as an analyst)", [
        timed(department, f"/dashboards/lettings/2026/organisations/{rng.choice(found).code}/")
        for _ in range(arguments.requests)])
    percentiles("England's view", [
        timed(department, "/dashboards/department/lettings/2026/") for _ in range(arguments.requests)])
    percentiles("a measure by local authority", [
        timed(department, "/dashboards/department/lettings/2026/local-authorities/median_weekly_rent_by_bedrooms/")
        for _ in range(arguments.requests)])


if __name__ == "__main__":
    main()
