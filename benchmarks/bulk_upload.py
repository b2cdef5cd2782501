"""Bulk upload benchmark: speed and peak memory of the whole pipeline (read, map, decode, validate, derive,
store) on files of two sizes, so that "memory does not grow with file size" can be checked.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<a migrated database with the collections> \
    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/bulk_upload.py [--rows 2000 10000]

Writes a template-format file and a provider-format file of each size in a temporary folder, then processes
each file in a fresh child process (so each run's memory is its own) in the `core` schema, as the upload of a
throw-away organisation, and deletes what it stored after each run (so no run sees another's records as
duplicates), then vacuums the tables it wrote to (so no run pays for another's deleted rows). The schema keeps
20,000 confirmed records of another organisation, as a live service's tables are never empty
(ensure_background_records). For each run it prints rows per second, the child's resident size once Django and
the definition are loaded ("base"), its peak resident size while it processes the file (VmHWM, reset just before
through /proc/self/clear_refs, so Linux only) and the difference ("growth"), the number of processes that evaluated rows (uploads/evaluating.py;
DCP_UPLOAD_PROCESSES, default the CPUs), the CPU seconds of the child and of its worker processes, and the
workers' peak resident size (which counts the pages they share with the child), and the machine's speed just
before the run (benchmarks/machine_speed.py: figures are comparable only at like speeds).
Children run with DEBUG off, as in production (`--debug` keeps the settings' DEBUG: Django then keeps the SQL
of every query, which grows with the file). `--tracemalloc` also reports the peak of Python allocations
during processing (slower); `--profile PREFIX` writes a cProfile of each run to PREFIX-<file>.prof (much
slower: for finding where the time goes, not for figures). Processing uses 1 June 2026 as today, inside the 2026
collection window.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 6, 1)


def template_cells(definition: Any, org_code: str, number: int) -> dict[int, str]:
    """A complete, valid template row built from the definition (first option, minimum numbers, ...): the
    fields of questions that apply to it are filled, the others left blank, as in a real return. Answers are
    stored codes, as the upload decoder reads them once the file's template codes are translated."""
    cells = _every_field(definition, org_code, number)
    applicable = _APPLICABLE_FIELDS.get(id(definition))
    if applicable is None:
        applicable = _APPLICABLE_FIELDS[id(definition)] = _applicable_fields(definition, cells)
    return {n: (value if n in applicable else "") for n, value in cells.items()}


_APPLICABLE_FIELDS: dict[int, frozenset[int]] = {}


def to_template_codes(definition: Any, cells: dict[int, str]) -> dict[int, str]:
    """Stored answer codes as the official template codes them, where the two differ (renewal "No" is 2)."""
    to_template = {n: {code: text for text, code in table.items()}
                   for n, table in definition.template_value_maps().items()}
    return {n: (to_template[n].get(value, value) if value and n in to_template else value) for n, value in cells.items()}


def _applicable_fields(definition: Any, cells: dict[int, str]) -> frozenset[int]:
    """The fields whose questions apply to the row (an answer to a question that does not apply is cleared)."""
    from dcp_platform.definitions import EvalContext
    from dcp_platform.registry import get_plugin
    from dcp_platform.uploads.decode import RowDecoder

    answers, errors = RowDecoder(definition, get_plugin(definition.collection).codecs).decode(cells)
    assert not errors, errors
    context = EvalContext(today=START, extra={"owning_organisation_provider_type": "PRP",
                                              "managing_organisation_provider_type": "PRP"})
    kept = definition.evaluate(answers, context=context).answers
    applicable = set()
    for field_number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        if question.template_codec:
            applicable.add(field_number)  # the codec answers several questions from these fields: kept as made
            continue
        group = question.group
        items = kept.get(group) or [] if group else []
        where = kept if group is None else (items[spec.item - 1] if spec.item <= len(items) else {})
        if where.get(spec.question_id) is not None:
            applicable.add(field_number)
    return frozenset(applicable)


def _every_field(definition: Any, org_code: str, number: int) -> dict[int, str]:
    """A value in every field of the first person's and the record's questions, whether it applies or not."""
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
            elif question.template_codec.endswith("_or_prefers_not_to_say"):
                value = str(question.options[0].code)  # a detailed answer (the column may hold a group answer)
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
    # Where the minimum answers above contradict each other or leave a question open, the answers a real
    # complete record has (a 5-year tenancy, one tenant, 12 years in the area, partly on benefits, a relet
    # after the last tenant moved to another landlord, ...).
    for field_number, spec in definition.template_field_map().items():
        if spec.item in (None, 1) and spec.question_id in COMPLETE_ROW_ANSWERS:
            cells[field_number] = COMPLETE_ROW_ANSWERS[spec.question_id]
    return cells


# Stored codes (write_template turns them into the template's codes where the two differ).
# Money is within the "are you sure?" ranges too (rent paid fortnightly: £75 a week).
COMPLETE_ROW_ANSWERS = {"uprn": "", "tenancylength": "5", "joint": "2", "layear": "12", "benefits": "3", "hb": "9",
                        "la": "E08000035", "earnings": "300.00", "brent": "150.00", "scharge": "10.00",
                        "pscharge": "5.00", "supcharg": "2.50", "renewal": "0",
                        "rsnvac": "12"}


def vary_cells(definition: Any, cells: dict[int, str], number: int) -> dict[int, str]:
    """Row `number`'s own values where real rows differ (dates, ages, money, ethnic background, nationality).

    Identical rows would flatter the pipeline: decoding and evaluation remember results per distinct values.
    Only filled cells change, and every value stays valid.
    """
    fields = {(spec.question_id, spec.part): n for n, spec in definition.template_field_map().items()
              if spec.item in (None, 1)}
    nationalities = [o.code for o in definition.question("nationality_all").options if o.code not in (0, 826)]
    # In the 28 days before START (the day the benchmark checks the file as of): later dates are too far ahead.
    earlier = START - timedelta(days=1 + number % 28)
    date_parts: dict[tuple[str, str | None], str] = {("startdate", "day"): str(earlier.day), ("startdate", "month"): str(earlier.month),
                  ("voiddate", "day"): str(earlier.day), ("voiddate", "month"): str(earlier.month)}
    changes: dict[tuple[str, str | None], str] = {
        **date_parts, ("age", None): str(20 + number % 30),  # of an age to be expecting (the answer says so)
        ("ethnic", None): str((16, 19)[number % 2]), ("nationality_all", None): str(nationalities[number % len(nationalities)]),
        ("earnings", None): f"{150 + (number * 37) % 400}.{number % 100:02d}",
        # Fortnightly rent of £55 to £90 a week: within the expected range, above the benefit shortfall.
        ("brent", None): f"{110 + (number * 13) % 70}.{(number * 7) % 100:02d}",
        ("scharge", None): f"{5 + (number * 3) % 30}.{(number * 11) % 100:02d}",
        ("pscharge", None): f"{(number * 5) % 20}.00", ("supcharg", None): f"{(number * 2) % 15}.50",
    }
    varied = dict(cells)
    for key, value in changes.items():
        field = fields.get(key)
        if field is not None and varied.get(field):
            varied[field] = value
    return varied


def write_template(path: Path, definition: Any, org_code: str, rows: int, *, varied: bool = False) -> None:
    """The official template's layout; `varied` rows differ as real rows do (the benchmark), else alike (tests)."""
    numbers = sorted(definition.template_field_map())
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", *(f"Field {n}" for n in numbers)])
        writer.writerow(["Field number", *numbers])
        for number in range(rows):
            cells = template_cells(definition, org_code, number)
            if varied:
                cells = vary_cells(definition, cells, number)
            cells = to_template_codes(definition, cells)
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
# What differs from row to row in a real export (see vary_cells): dates, ages, sex and money.
VARIED_PROVIDER_COLUMNS = {
    "Tenancy Start Date": lambda n, org: (START - timedelta(days=1 + n % 28)).strftime("%d/%m/%Y"),
    "Lead Tenant Age": lambda n, org: str(20 + n % 45),
    "Lead Tenant Sex": lambda n, org: ("Female", "Male")[n % 2],
    "Basic Rent": lambda n, org: f"{80 + (n * 13) % 80}.{(n * 7) % 100:02d}",
    "Service Charge": lambda n, org: f"{5 + (n * 3) % 30}.{(n * 11) % 100:02d}",
}


def write_provider(path: Path, org_code: str, rows: int, *, varied: bool = False) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _ in PROVIDER_COLUMNS])
        for number in range(rows):
            writer.writerow([(VARIED_PROVIDER_COLUMNS.get(header, make) if varied else make)(number, org_code)
                             for header, make in PROVIDER_COLUMNS])


def _status_mb(field: str) -> float:
    """A size from /proc/self/status (Linux), in MB: VmRSS (resident now) or VmHWM (peak resident)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} is not in /proc/self/status (this benchmark needs Linux)")


def _reset_peak_rss() -> bool:
    """Start the peak resident size (VmHWM) again from the current size (Linux 4.0+); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _database_cpu_seconds() -> float | None:
    """CPU seconds (user + system) used so far by the PostgreSQL server's processes on this machine, including
    backends that have exited (counted in the postmaster's children's time); None when the server runs elsewhere
    or its processes cannot be seen. The server shares the CPUs with processing, so its time matters here."""
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        if name == "postgres" or name.startswith("postgres:"):
            stats[int(stat.parent.name)] = text.rsplit(")", 1)[1].split()
    if not stats:
        return None
    ticks = 0
    for fields in stats.values():
        ticks += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in stats:  # the postmaster: its exited children's time too
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _setup() -> None:
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # machine_speed
    django.setup()


def accept_proposed_mapping(upload: Any) -> None:
    """What a user who agrees with every proposal does: keep the proposed columns, then the suggested meaning
    of each of the file's own answers ("AST", "Social Rent", ...), as the mapping pages pre-select them."""
    from dcp_platform.registry import definition_for
    from dcp_platform.uploads import reports, services

    definition = definition_for("core", upload.form, upload.year)
    reviews = reports.value_reviews(definition, upload, services.column_values(upload))
    value_mapping = {review.target_key: {choice.value: choice.selected for choice in review.choices}
                     for review in reviews}
    services.confirm_mapping(upload, column_mapping=dict(upload.column_mapping), value_mapping=value_mapping)


def process_one(path: Path, user_id: int, trace: bool, profile: Path | None = None) -> dict[str, Any]:
    """One run, in its own process: receive the file and process it to the end (accepting proposed mappings)."""
    _setup()
    from dcp_platform.accounts.models import User
    from dcp_platform.records.models import Record
    from dcp_platform.registry import definition_for
    from dcp_platform.tenancy.models import Collection
    from dcp_platform.uploads import services
    from dcp_platform.uploads.evaluating import worker_processes
    from dcp_platform.uploads.models import Upload
    from django.db import connection

    connection.set_tenant(Collection.objects.get(schema_name="core"))  # type: ignore[attr-defined]
    definition_for("core", "lettings", 2026)  # loaded once per process, like a worker's
    user = User.objects.get(pk=user_id)
    existing = Record.objects.filter(form="lettings", year=2026).count()
    base_rss = _status_mb("VmRSS")
    if not _reset_peak_rss():  # the peak would include Django's start-up; refuse rather than mislead
        raise RuntimeError("cannot reset the peak resident size (/proc/self/clear_refs)")
    if trace:
        import tracemalloc

        tracemalloc.start()
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    database_cpu_before = _database_cpu_seconds()
    started = time.perf_counter()
    cpu_before = os.times()
    with open(path, "rb") as handle:
        upload = services.receive_file(user=user, form="lettings", year=2026, handle=handle, filename=path.name).upload
    services.process_upload(upload.pk, today=START)
    upload.refresh_from_db()
    if upload.status == "needs_mapping":
        accept_proposed_mapping(upload)
        services.process_upload(upload.pk, today=START)
    elapsed = time.perf_counter() - started
    cpu = os.times()
    database_cpu = _database_cpu_seconds()
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(str(profile.parent / f"{profile.name}-{path.stem}.prof"))
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    peak = _status_mb("VmHWM")
    # Worker processes (uploads/evaluating.py) are forked from this one: their peak counts the pages they share
    # with it too, so their growth is taken from this process's base size. 0 when none ran.
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    upload = Upload.objects.get(pk=upload.pk)
    if upload.status != "ready":
        raise RuntimeError(f"the upload ended as {upload.status}: {upload.message}")
    return {
        "file": path.stem.split("-")[0], "rows": upload.total_rows, "seconds": round(elapsed, 2),
        "rows_per_second": round(upload.total_rows / elapsed), "base_rss_mb": round(base_rss, 1),
        "peak_rss_mb": round(peak, 1), "growth_mb": round(peak - base_rss, 1),
        "python_peak_mb": None if traced is None else round(traced, 1),
        "processes": worker_processes(), "cpu_seconds": round(cpu.user + cpu.system - cpu_before.user - cpu_before.system, 2),
        "workers_cpu_seconds": round(cpu.children_user + cpu.children_system - cpu_before.children_user
                                     - cpu_before.children_system, 2),
        "database_cpu_seconds": None if database_cpu is None or database_cpu_before is None
        else round(database_cpu - database_cpu_before, 2),
        "workers_peak_rss_mb": round(workers_peak, 1),
        "workers_growth_mb": round(workers_peak - base_rss, 1) if workers_peak else None,
        "existing_records": existing, "status": upload.status, "upload_id": upload.pk,
        "summary": {k: v for k, v in upload.summary.items() if k not in ("problem_groups", "proposal_scores")},
    }


BACKGROUND_CODE = "BENCHBACKGROUND"
BACKGROUND_RECORDS = 20_000


def ensure_background_records(count: int = BACKGROUND_RECORDS) -> int:
    """Keep `count` confirmed 2026 lettings records of another organisation in the `core` schema, stored once
    through the upload pipeline, and return how many there are.

    A live service's tables always hold records. Run on empty tables, the benchmarks measured a state no service
    is in: PostgreSQL plans the foreign-key checks of history rows when a table looks empty, and keeps that plan
    (a scan of the whole table) for the session while the benchmark fills the table, so batches of 1,000 records
    ran four times slower until autovacuum next analysed the table. Call inside the `core` schema.
    """
    from dcp_platform.accounts.models import Organisation, User
    from dcp_platform.records.models import Record
    from dcp_platform.registry import definition_for
    from dcp_platform.tenancy.models import Collection, Participation
    from dcp_platform.uploads import services
    from django.db import connection

    org, _ = Organisation.objects.get_or_create(
        code=BACKGROUND_CODE, defaults={"name": "Benchmark background records", "provider_type": "PRP"},
    )
    Participation.objects.get_or_create(organisation=org, collection=Collection.objects.get(schema_name="core"))
    user, _ = User.objects.get_or_create(email="benchmark-background@example.org",
                                         defaults={"organisation": org, "role": "data_coordinator"})
    have = Record.objects.filter(owning_organisation=org, form="lettings", year=2026, visible=True).count()
    if have < count:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "background.csv"
            write_template(path, definition_for("core", "lettings", 2026), org.code, count - have, varied=True)
            with open(path, "rb") as handle:
                upload = services.receive_file(user=user, form="lettings", year=2026, handle=handle,
                                               filename=f"background-{int(time.time())}.csv").upload
            services.process_upload(upload.pk, today=START)
            upload.refresh_from_db()
            if upload.status != "ready":
                raise RuntimeError(f"the background upload ended as {upload.status}: {upload.message}")
            services.confirm_upload(upload)
        have = Record.objects.filter(owning_organisation=org, form="lettings", year=2026, visible=True).count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plans from statistics of the tables as they are
    return have


def run(
    sizes: list[int], *, debug: bool = False, trace: bool = False, profile: Path | None = None
) -> list[dict[str, Any]]:
    _setup()
    from dcp_platform.accounts.models import Organisation, User
    from dcp_platform.records.models import Record, RecordChange
    from dcp_platform.registry import definition_for
    from dcp_platform.tenancy.models import Collection, Participation
    from dcp_platform.uploads.models import SavedMapping, Upload, UploadRow
    from django.db import connection
    from machine_speed import python_speed_ms  # type: ignore[import-not-found]

    core = Collection.objects.get(schema_name="core")
    connection.set_tenant(core)  # type: ignore[attr-defined]
    definition = definition_for("core", "lettings", 2026)
    stamp = str(int(time.time()))
    org = Organisation.objects.create(name=f"Benchmark {stamp}", code=f"BENCH{stamp}", provider_type="PRP")
    Participation.objects.create(organisation=org, collection=core)
    user = User.objects.create(email=f"bench{stamp}@example.org", organisation=org, role="data_coordinator")
    env = {**os.environ, **({} if debug else {"DCP_DEBUG": "false"})}
    results = []

    def remove_uploads() -> None:
        for upload in Upload.objects.filter(organisation_id=org.pk):
            Record.objects.filter(upload_id=upload.pk).delete()
            Path(upload.stored_path).unlink(missing_ok=True)
            upload.delete()
        SavedMapping.objects.filter(organisation_id=org.pk).delete()
        vacuum()

    def vacuum() -> None:
        # The deleted rows stay in the tables and their indexes until a vacuum, and the next run would pay for
        # them (reading existing records' duplicate keys passes over every dead row of the organisation): each
        # run starts from tables without them, as a live service's autovacuum keeps them.
        with connection.cursor() as cursor:
            for model in (Record, RecordChange, UploadRow, Upload):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    try:
        ensure_background_records()
        vacuum()
        with tempfile.TemporaryDirectory() as folder:
            for rows in sizes:
                files = {"template": Path(folder) / f"template-{rows}.csv", "provider": Path(folder) / f"provider-{rows}.csv"}
                write_template(files["template"], definition, org.code, rows, varied=True)
                write_provider(files["provider"], org.code, rows, varied=True)
                for path in files.values():
                    probe = python_speed_ms()
                    child = subprocess.run(  # noqa: S603 - this script, with our own arguments
                        [sys.executable, __file__, "--child", str(path), "--user", str(user.pk),
                         *(["--tracemalloc"] if trace else []),
                         *(["--profile", str(profile)] if profile is not None else [])],
                        env=env, capture_output=True, text=True, check=False,
                    )
                    remove_uploads()
                    if child.returncode != 0:
                        raise RuntimeError(f"the run on {path.name} failed:\n{child.stderr[-3000:]}")
                    result = {**json.loads(child.stdout.strip().splitlines()[-1]), "machine_probe_ms": probe}
                    results.append(result)
                    print(json.dumps(result), flush=True)
    finally:
        remove_uploads()
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        User.objects.filter(pk=user.pk).update(is_active=False)  # users are deactivated, never deleted
        Organisation.objects.filter(pk=org.pk).update(active=False)
    print_table(results, debug=debug)
    return results


def print_table(results: list[dict[str, Any]], *, debug: bool) -> None:
    print(f"\nDEBUG {'on' if debug else 'off'}; {os.cpu_count()} CPUs; {results[0]['existing_records'] if results else 0} "
          "other lettings 2026 records in the schema; machine probe: benchmarks/machine_speed.py just before the run "
          "(ms, lower is faster)")
    print("| file | rows | seconds | rows/s | processes | CPU s (main + workers + database) | base RSS MB | peak RSS MB | "
          "growth MB | workers' peak RSS MB (growth) | Python peak MB | machine probe ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        traced = "" if r["python_peak_mb"] is None else r["python_peak_mb"]
        workers = f"{r['workers_peak_rss_mb']} ({r['workers_growth_mb']})" if r["workers_growth_mb"] is not None else ""
        print(f"| {r['file']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_second']:,} | {r['processes']} | "
              f"{r['cpu_seconds']} + {r['workers_cpu_seconds']} + {r.get('database_cpu_seconds') or '?'} | {r['base_rss_mb']} | {r['peak_rss_mb']} | "
              f"{r['growth_mb']} | {workers} | {traced} | {r.get('machine_probe_ms', '')} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--debug", action="store_true", help="keep the settings' DEBUG (off by default)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the peak of Python allocations")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of each run to PROFILE-<file>.prof")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(process_one(arguments.child, arguments.user, arguments.tracemalloc, arguments.profile)),
              flush=True)
    else:
        run(arguments.rows, debug=arguments.debug, trace=arguments.tracemalloc, profile=arguments.profile)


if __name__ == "__main__":
    main()
