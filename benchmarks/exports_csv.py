"""CSV export benchmark: a collection year's records streamed as CORE's department download.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/exports_csv.py [--records 300000]

Creates a throw-away organisation and support user in the `core` schema of the configured database, one complete
2026/27 lettings record through the records write path, and `--records` copies of it made by the database (each
with its own tenant code, rent and start date, so the exporter's remembered texts are not flattered by identical
rows). Then streams the department's download in codes and in labels through `exports.services.stream_export`
(the view's own generator: the database cursor, the row writer, the CSV writer, UTF-8 encoding), counting rows
and bytes, and samples the process's resident memory every 20,000 rows. Everything it made is deleted afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=300_000)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    import django

    django.setup()
    from dcp_platform.accounts.models import AuditEvent, Organisation, User
    from dcp_platform.exports.services import ExportRequest, stream_export
    from dcp_platform.records.models import Record, RecordChange
    from dcp_platform.records.selectors import RecordFilters
    from dcp_platform.records.services import NewRecord, records_create_many
    from dcp_platform.tenancy.models import Collection, Participation
    from django.db import connection
    from django_tenants.utils import schema_context

    from api import complete_record  # type: ignore[import-not-found]

    tag = uuid.uuid4().hex[:8]
    org = Organisation.objects.create(name=f"Export benchmark {tag}", code=f"XB{tag}", provider_type="PRP")
    user = User.objects.create_user(f"export-bench-{tag}@example.org", None, role="support", name="Bench")
    with schema_context("core"):
        Participation.objects.create(organisation=org, collection=Collection.objects.get(schema_name="core"))
        try:
            [first] = records_create_many(form="lettings", year=2026, user=user, channel="system", historical=True,
                                          new_records=[NewRecord(complete_record(org.code), {})])
            pk = first.record.pk  # type: ignore[union-attr]
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("""
                    INSERT INTO records_record (public_id, form, year, status, answers, derived, confirmations,
                        owning_organisation_id, managing_organisation_id, reference, search_text, record_date,
                        visible, source_channel, upload_id, upload_row, version, created_by_id, updated_by_id,
                        created_at, updated_at)
                    SELECT gen_random_uuid(), form, year, status,
                        answers || jsonb_build_object('tenancycode', 'T' || n, 'brent', (100 + n %% 90) || '.' || lpad((n %% 100)::text, 2, '0'),
                                                      'startdate', '2026-' || lpad((4 + n %% 9)::text, 2, '0') || '-' || lpad((1 + n %% 28)::text, 2, '0')),
                        derived, confirmations, owning_organisation_id, managing_organisation_id, 'T' || n, search_text,
                        record_date, visible, source_channel, NULL, NULL, 1, created_by_id, updated_by_id,
                        created_at + n * interval '1 second', updated_at + n * interval '1 second'
                    FROM records_record, generate_series(1, %s) AS n WHERE id = %s
                """, [args.records - 1, pk])
                cursor.execute("ANALYZE records_record")
            print(f"made {args.records:,} records in {time.perf_counter() - started:.1f} s")
            for values in ("codes", "labels"):
                request = ExportRequest(collection_slug="core", form="lettings", year=2026, columns="department",
                                        values=values, filters=RecordFilters(organisation=org.code))
                size, rows, samples = 0, -2, []
                started = time.perf_counter()
                for chunk in stream_export(user=user, request=request):
                    size += len(chunk)
                    before = rows
                    rows += chunk.count(b"\n")
                    if rows // 20_000 != before // 20_000:
                        samples.append(round(_rss_mb()))
                seconds = time.perf_counter() - started
                print(f"{values}: {rows:,} rows, {size / 1e6:.0f} MB in {seconds:.1f} s = {rows / seconds:,.0f} rows/s; "
                      f"memory every 20,000 rows (MB): {samples}")
        finally:
            ids = list(Record.objects.filter(owning_organisation=org).values_list("pk", flat=True))
            RecordChange.objects.filter(record_id__in=ids).delete()
            Record.objects.filter(pk__in=ids).delete()
            Participation.objects.filter(organisation=org).delete()
            AuditEvent.objects.filter(actor=user).delete()
            user.delete()  # in a collection schema: Wagtail's per-schema tables refer to users
            org.delete()


if __name__ == "__main__":
    main()
