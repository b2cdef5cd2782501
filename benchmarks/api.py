"""API benchmark: complete 2026/27 lettings records sent to a production-like server (gunicorn) by concurrent clients.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/api.py [--workers 4] [--seconds 20]

Creates a throw-away organisation, coordinator and API key in the `core` schema of the configured database
(which keeps 20,000 records of another organisation, as a live service's tables are never empty: see
bulk_upload.ensure_background_records), starts gunicorn on a free port with DEBUG off, then measures:

1. single records: `--clients` threads each POST one complete record at a time for `--seconds`;
2. batches: `--batch-clients` threads each POST batches of 1,000 complete records.

and prints records per second and latency percentiles, then deletes everything it created. The clients run on
the same machine as the server (and the database), so they compete with it for CPU: the figures are a floor.
It also prints the machine's speed before and after (benchmarks/machine_speed.py). Needs the 2026 collection window to be open today.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "core.dcp.localhost"


def _setup() -> None:
    import django

    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    django.setup()


def complete_record(org_code: str) -> dict[str, Any]:
    """A complete record built from the definition (as the bulk upload benchmark's template row)."""
    from bulk_upload import template_cells  # type: ignore[import-not-found]
    from dcp_platform.registry import definition_for, get_plugin
    from dcp_platform.uploads.decode import RowDecoder

    definition = definition_for("core", "lettings", 2026)
    cells = template_cells(definition, org_code, 1)
    cells[18] = ""  # no UPRN
    answers, errors = RowDecoder(definition, get_plugin("core").codecs).decode(cells)
    assert not errors, errors
    answers.update({"tenancylength": 5, "joint": 2, "layear": 12, "benefits": 3, "hb": 9, "la": "E08000035",
                    "ethnic_group": 4, "nationality_all_group": 12, "previous_la_known": 0})
    # Send what a housing system would: the answers that apply (the template row fills every field).
    from dcp_platform.definitions import EvalContext

    context = EvalContext(extra={"owning_organisation_provider_type": "PRP", "managing_organisation_provider_type": "PRP"})
    return dict(definition.evaluate(answers, context=context).answers)


def varied_records(base: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """`count` different complete records: the engine remembers results per values read, so sending one record
    over and over would measure its memory, not the rules. Dates, age, money, ethnic background and nationality
    change from record to record (all valid)."""
    from dcp_platform.registry import definition_for

    definition = definition_for("core", "lettings", 2026)
    nationalities = [o.code for o in definition.questions["nationality_all"].options if o.code not in (0, 826)]
    records = []
    for i in range(count):
        record = json.loads(json.dumps(base))
        day = f"2026-06-{1 + i % 28:02d}"
        record.update({
            "tenancycode": f"T{i}", "propcode": f"P{i % 997}", "startdate": day, "voiddate": day,
            "ethnic": (16, 19)[i % 2], "nationality_all": nationalities[i % len(nationalities)],
            "earnings": f"{150 + (i * 37) % 400}.{i % 100:02d}", "brent": f"{110 + (i * 13) % 70}.{(i * 7) % 100:02d}",
            "scharge": f"{5 + (i * 3) % 30}.{(i * 11) % 100:02d}", "pscharge": f"{(i * 5) % 20}.00",
            "supcharg": f"{(i * 2) % 15}.50",
        })
        record["persons"][0]["age"] = 25 + i % 25  # of an age to be expecting (the answer says so)
        records.append(record)
    return records


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(conn: http.client.HTTPConnection, path: str, body: bytes, secret: str) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers={
        "Host": HOST, "Authorization": f"Bearer {secret}", "Content-Type": "application/json",
    })
    response = conn.getresponse()
    return response.status, response.read()


def _load(port: int, path: str, bodies: list[bytes], secret: str, clients: int, seconds: float | None,
          requests_each: int | None) -> tuple[list[float], list[int], float]:
    """Each client sends the bodies in turn (client k starts at body k) until the time or count is up."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds if seconds else None

    def client(first: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        codes: list[int] = []
        sent = 0
        while (deadline is None or time.perf_counter() < deadline) and (requests_each is None or sent < requests_each):
            started = time.perf_counter()
            status, text = _request(conn, path, bodies[(first + sent) % len(bodies)], secret)
            mine.append(time.perf_counter() - started)
            if status == 200 and path.endswith("/batch") and json.loads(text)["failed"]:
                status = 207  # some records of the batch were refused: not counted as stored
            codes.append(status)
            sent += 1
        with lock:
            latencies.extend(mine)
            statuses.extend(codes)

    threads = [threading.Thread(target=client, args=(number * 97,)) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch-clients", type=int, default=2)
    # 10 each: 20 batches take about 6 s; 8 batches (2.5 s) gave figures 20% apart in runs minutes apart here.
    parser.add_argument("--batches", type=int, default=10, help="batches of 1,000 per batch client")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    _setup()
    from dcp_api.keys import api_key_create
    from dcp_api.models import ApiKey
    from dcp_platform.accounts.models import Organisation, User
    from dcp_platform.records.models import Record, RecordChange
    from dcp_platform.tenancy.models import Collection, Participation
    from django.db import connection

    core = Collection.objects.get(schema_name="core")
    stamp = str(int(time.time()))
    org = Organisation.objects.create(name=f"API benchmark {stamp}", code=f"APIB{stamp}", provider_type="PRP")
    Participation.objects.create(organisation=org, collection=core)
    user = User.objects.create(email=f"api-bench{stamp}@example.org", organisation=org, role="data_coordinator")
    connection.set_tenant(core)  # type: ignore[attr-defined]
    from bulk_upload import ensure_background_records  # type: ignore[import-not-found]
    from machine_speed import python_speed_ms  # type: ignore[import-not-found]

    background = ensure_background_records()  # tables as a live service's, never empty
    with connection.cursor() as cursor:  # without the dead rows of earlier runs
        for model in (Record, RecordChange):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    secret = api_key_create(user=user, name="benchmark").secret
    records = varied_records(complete_record(org.code), 1000)
    port = _free_port()
    env = {**os.environ, "DCP_DEBUG": "false", "DCP_API_RATE_LIMIT": "100000000/minute",
           "DJANGO_SETTINGS_MODULE": "dcp_platform.settings"}
    server = subprocess.Popen(  # noqa: S603 - our own server with our own arguments
        [str(Path(sys.executable).parent / "gunicorn"), "dcp_platform.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "300"],
        env=env, cwd=REPO, start_new_session=True,
    )
    # The machine's speed (benchmarks/machine_speed.py) before and after: figures are comparable only at like speeds.
    results: dict[str, Any] = {"workers": args.workers, "cpus": os.cpu_count(), "other_records": background,
                               "machine_probe_ms_before": python_speed_ms()}
    try:
        path = "/api/v1/lettings/2026/records"
        singles = [json.dumps({"answers": record}).encode() for record in records]
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, text = _request(conn, path, singles[0], secret)
                break
            except OSError:
                time.sleep(0.2)
        if status != 201:
            raise RuntimeError(f"the first record was refused ({status}): {text[:2000]!r}")
        # Warm every worker (definitions are loaded once per process).
        _load(port, path, singles, secret, args.workers * 2, None, 5)

        latencies, statuses, elapsed = _load(port, path, singles, secret, args.clients, args.seconds, None)
        created = statuses.count(201)
        results["single"] = {
            "clients": args.clients, "records": created, "errors": len(statuses) - created,
            "records_per_s": round(created / elapsed, 1),
            "p50_ms": round(1000 * _percentile(latencies, 50), 1), "p95_ms": round(1000 * _percentile(latencies, 95), 1),
        }
        print(json.dumps({"single": results["single"]}), flush=True)

        batch = json.dumps({"records": [{"answers": record} for record in records]}).encode()
        latencies, statuses, elapsed = _load(port, f"{path}/batch", [batch], secret, args.batch_clients, None,
                                             args.batches)
        ok = statuses.count(200)
        results["batch"] = {
            "clients": args.batch_clients, "batches": ok, "errors": len(statuses) - ok,
            "records_per_s": round(ok * 1000 / elapsed, 1),
            "p50_s": round(_percentile(latencies, 50), 2), "p95_s": round(_percentile(latencies, 95), 2),
        }
        print(json.dumps({"batch": results["batch"]}), flush=True)
        results["machine_probe_ms_after"] = python_speed_ms()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        Record.objects.filter(owning_organisation=org).delete()
        # Still inside the core schema: the user's Wagtail profile table lives in the collection's schema.
        ApiKey.objects.filter(organisation_id=org.pk).delete()
        Participation.objects.filter(organisation=org).delete()
        user.delete()
        org.delete()
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
