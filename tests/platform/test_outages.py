"""Faults have answers: health endpoints, and a 503 during a database or Redis outage, with recovery.

The outage tests run gunicorn with production settings against a project-local PostgreSQL and Redis that
they start (a copy of the test database), stop and start again; the machine's shared servers are untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
PGBIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_liveness_answers_for_any_host_without_the_database(client: Any) -> None:
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readiness_checks_the_database_cache_and_broker(client: Any, db: None) -> None:
    response = client.get("/readyz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in checks.values())


class LocalServers:
    """A project-local PostgreSQL and Redis (bin/local-services) holding a copy of the test database."""

    def __init__(self, var_dir: Path) -> None:
        self.pg_port, self.redis_port = free_port(), free_port()
        closed = free_port()
        self.env = {
            "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
            "DCP_VAR_DIR": str(var_dir), "DCP_LOCAL_PG_PORT": str(self.pg_port),
            "DCP_LOCAL_REDIS_PORT": str(self.redis_port),
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed}/dcp_outage",
            "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        }
        self.database_url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/dcp_outage"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"

    def services(self, action: str) -> None:
        subprocess.run(
            ["bash", str(REPO / "bin/local-services"), action], env=self.env, check=True, capture_output=True,
            timeout=120,
        )

    def stop_postgres(self) -> None:
        data = Path(self.env["DCP_VAR_DIR"]) / "postgres"
        command = [str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop_redis(self) -> None:
        pidfile = Path(self.env["DCP_VAR_DIR"]) / f"redis-{self.redis_port}.pid"
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        pidfile.unlink(missing_ok=True)

    def copy_test_database(self) -> None:
        source = settings.DATABASES["default"]
        dump = Path(self.env["DCP_VAR_DIR"]) / "test.dump"
        subprocess.run(
            [str(PGBIN / "pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"] or 5432), "-U", source["USER"],
             "-Fc", "-f", str(dump), source["NAME"]],
            check=True, capture_output=True, timeout=120,
        )
        local = ["-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres"]
        subprocess.run([str(PGBIN / "createdb"), *local, "dcp_outage"], check=True, capture_output=True)
        subprocess.run(
            [str(PGBIN / "pg_restore"), *local, "-d", "dcp_outage", "--no-owner", str(dump)],
            check=True, capture_output=True, timeout=300,
        )


@pytest.fixture
def local_servers(django_db_setup: None) -> Iterator[LocalServers]:
    if PGBIN is None:
        pytest.skip("PostgreSQL's programs are not installed")
    base = Path(tempfile.mkdtemp(prefix="dcp-outage-", dir="/var/tmp"))
    base.chmod(0o755)
    servers = LocalServers(base / "var")
    if os.geteuid() == 0:
        (base / "var").mkdir()
    try:
        servers.services("start")
        servers.copy_test_database()
        yield servers
    finally:
        servers.services("stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def server(local_servers: LocalServers) -> Iterator[int]:
    port = free_port()
    env = {
        **local_servers.env,
        "DJANGO_SETTINGS_MODULE": "dcp_platform.settings",
        "DCP_ENV": "test",  # DEBUG off as in production, without needing built static files
        "DCP_DEBUG": "false",
        "DATABASE_URL": local_servers.database_url,
        "REDIS_URL": local_servers.redis_url,
        "DCP_TENANT_CACHE_SECONDS": "0",
        "DCP_BANNER_CACHE_SECONDS": "0",
        "DCP_RETRY_AFTER_SECONDS": "17",
    }
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "dcp_platform.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                if get(port, "x", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.slow
def test_a_database_outage_answers_503_and_recovers_without_a_restart(
    local_servers: LocalServers, server: int
) -> None:
    core = f"core.{settings.BASE_DOMAIN}"
    assert get(server, core, "/")[0] == 200
    assert get(server, "x", "/readyz")[0] == 200

    local_servers.stop_postgres()

    status, headers, body = get(server, core, "/")
    assert status == 503, body[-2000:]
    assert headers["Retry-After"] == "17"
    assert headers["Content-Type"].startswith("text/html")
    assert "Sorry, the service is unavailable" in body.decode()
    status, headers, body = get(server, core, "/api/v1/lettings/2026/records")
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "17"
    assert json.loads(body)["errors"][0]["code"] == "service_unavailable"
    status, _, body = get(server, "x", "/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert not checks["database"]["ok"] and checks["cache"]["ok"]
    assert get(server, "x", "/healthz")[0] == 200  # alive: no reason to restart it

    local_servers.services("start")

    assert get(server, "x", "/readyz")[0] == 200
    assert get(server, core, "/")[0] == 200


@pytest.mark.slow
def test_a_redis_outage_makes_readiness_fail_and_sign_in_answer_503(
    local_servers: LocalServers, server: int
) -> None:
    public = settings.BASE_DOMAIN
    local_servers.stop_redis()
    status, _, body = get(server, "x", "/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"]["ok"] and not checks["cache"]["ok"] and not checks["broker"]["ok"]
    # Signing in counts failures in Redis: without it the answer is a 503 page, not a 500.
    status, headers, body = get(server, public, "/sign-in/")
    assert status == 200
    token = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)  # type: ignore[union-attr]
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)  # type: ignore[union-attr]
    request = urllib.request.Request(
        f"http://127.0.0.1:{server}/sign-in/",
        data=f"csrfmiddlewaretoken={form}&email=someone%40example.com&password=not-it".encode(),
        headers={"Host": public, "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}",
                 "Referer": f"http://{public}/sign-in/"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback only
    assert refused.value.code == 503
    assert refused.value.headers["Retry-After"] == "17"
    assert "Sorry, the service is unavailable" in refused.value.read().decode()
    local_servers.services("start")
    assert get(server, "x", "/readyz")[0] == 200
