"""The first command on a bare machine: no PostgreSQL or Redis reachable, so bin/run starts project-local ones.

These tests start their own PostgreSQL and Redis on free ports in a folder of their own and stop only those;
the machine's shared servers are never touched.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def bare_machine_env(var_dir: Path, pg_port: int, redis_port: int, **extra: str) -> dict[str, str]:
    """A clean environment (not the test run's) whose configured servers are unreachable."""
    closed = free_port()
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed}/dcp_first_run",
        "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        "DCP_VAR_DIR": str(var_dir),
        "DCP_LOCAL_PG_PORT": str(pg_port),
        "DCP_LOCAL_REDIS_PORT": str(redis_port),
        **extra,
    }


@pytest.fixture
def var_dir() -> Iterator[Path]:
    # Not under pytest's private temporary folder: PostgreSQL's user must be able to reach it.
    base = Path(tempfile.mkdtemp(prefix="dcp-first-run-", dir="/var/tmp"))
    base.chmod(0o755)
    yield base / "var"
    shutil.rmtree(base, ignore_errors=True)


def exports(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            found[name] = value
    return found


def stop_local_services(env: dict[str, str], user: str | None = None) -> None:
    command = ["bash", str(REPO / "bin/local-services"), "stop"]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(os.geteuid() != 0, reason="the root case needs root")
def test_bin_run_as_root_starts_local_servers_serves_sign_in_and_stops_cleanly(var_dir: Path) -> None:
    pg_port, redis_port, web_port = free_port(), free_port(), free_port()
    env = bare_machine_env(var_dir, pg_port, redis_port, PORT=str(web_port), DCP_WEB_WORKERS="2")
    run = subprocess.Popen(
        ["bash", str(REPO / "bin/run")], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert run.stdout is not None
        deadline = time.monotonic() + 600
        for line in run.stdout:
            lines.append(line)
            if "Press Ctrl+C to stop" in line or time.monotonic() > deadline:
                break
        screen = "".join(lines)
        assert "Press Ctrl+C to stop" in screen, screen
        # PostgreSQL ran as its own user, in this run's folder, on the local port.
        owner = subprocess.run(
            ["ps", "-ww", "-o", "user:20=,args=", "-C", "postgres"], capture_output=True, text=True, check=True
        ).stdout
        assert any(line.split()[0] == "postgres" and f"-p {pg_port}" in line for line in owner.splitlines())
        request = urllib.request.Request(
            f"http://127.0.0.1:{web_port}/sign-in/", headers={"Host": f"dcp.localhost:{web_port}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            page = response.read().decode()
        assert response.status == 200
        assert 'name="password"' in page
        # The screen has the steps and the addresses; the migrations' chatter is in the log.
        assert len(lines) < 45, screen
        assert "Applying" not in screen
        assert "provider@example.com" in screen and f"http://dcp.localhost:{web_port}/" in screen
        assert (var_dir / "run.log").is_file()
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=60)
        stop_local_services(env)
    assert not port_open(pg_port) and not port_open(redis_port) and not port_open(web_port)

    # Run again: the existing data folder is reused and the servers start within seconds.
    started = time.monotonic()
    again = subprocess.run(
        ["bash", str(REPO / "bin/local-services"), "start"], env=env, capture_output=True, text=True, timeout=120
    )
    try:
        assert again.returncode == 0, again.stderr
        assert "Creating" not in again.stderr
        urls = exports(again.stdout)
        with psycopg.connect(urls["DATABASE_URL"], connect_timeout=5) as connection:
            assert connection.execute("select count(*) from accounts_user").fetchone()[0] > 0  # type: ignore[index]
        assert time.monotonic() - started < 60
    finally:
        stop_local_services(env)
    assert not port_open(pg_port) and not port_open(redis_port)


def test_local_servers_start_and_stop_for_a_user_other_than_root(var_dir: Path) -> None:
    pg_port, redis_port = free_port(), free_port()
    user = None
    if os.geteuid() == 0:
        user = "nobody"
        var_dir.mkdir(parents=True)
        os.chown(var_dir, pwd.getpwnam(user).pw_uid, -1)
    env = bare_machine_env(var_dir, pg_port, redis_port)
    command = ["bash", str(REPO / "bin/local-services"), "start"]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    try:
        for _ in range(2):  # the second start finds them running and changes nothing
            started = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert started.returncode == 0, started.stderr
            urls = exports(started.stdout)
            assert urls["DATABASE_URL"] == f"postgresql://postgres@127.0.0.1:{pg_port}/dcp_first_run"
            assert urls["REDIS_URL"] == f"redis://127.0.0.1:{redis_port}/0"
            with psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{pg_port}/postgres", connect_timeout=5
            ) as connection:
                assert connection.execute("select 1").fetchone() == (1,)
            assert redis.Redis.from_url(urls["REDIS_URL"]).ping()
        if user:
            processes = subprocess.run(
                ["ps", "-ww", "-o", "user:20=,args=", "-u", user], capture_output=True, text=True, check=True
            ).stdout
            assert f"-p {pg_port}" in processes and f":{redis_port}" in processes
    finally:
        stop_local_services(env, user)
    assert not port_open(pg_port) and not port_open(redis_port)
