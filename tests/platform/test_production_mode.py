"""Production mode: static files build, pages serve with production settings, and the security headers."""

from __future__ import annotations

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

import psycopg
import pytest
from django.conf import settings
from django.test import RequestFactory

REPO = Path(__file__).resolve().parents[2]
SECRET = "production-mode-test-key-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def inline_scripts(html: str) -> list[str]:
    """The opening tags of the <script> elements that have no src."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


# Headers, through the test client ---------------------------------------------------------------


def test_pages_have_a_content_security_policy_whose_nonce_the_inline_scripts_carry(client_for: Any) -> None:
    response = client_for(None).get("/sign-in/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce, policy
    assert "script-src 'self' 'nonce-" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    html = response.content.decode()
    scripts = inline_scripts(html)
    assert scripts, "the base template has inline scripts"
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts), scripts
    # A new nonce for every response.
    assert client_for(None).get("/sign-in/")["Content-Security-Policy"] != policy


def test_every_template_inline_script_carries_the_nonce() -> None:
    """A new inline script without the nonce would silently not run under the policy."""
    missing = []
    for template in REPO.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        for tag in inline_scripts(template.read_text()):
            if "csp_nonce" not in tag and "application/json" not in tag:
                missing.append(f"{template.relative_to(REPO)}: {tag}")
    assert not missing, missing


def test_pages_have_a_permissions_policy(client_for: Any) -> None:
    policy = client_for(None).get("/sign-in/")["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_signed_in_pages_are_never_stored_and_signed_out_pages_may_be(
    client_for: Any, make_org: Any, make_user: Any
) -> None:
    anonymous = client_for(None).get("/sign-in/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    user = make_user(make_org())
    for slug, path in [(None, "/"), (None, "/account/"), ("core", "/records/")]:
        response = client_for(slug, user).get(path)
        assert response.status_code == 200, (slug, path)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (path, response["Cache-Control"])


def test_an_api_answer_is_never_stored(client_for: Any) -> None:
    response = client_for("core").get("/api/v1/", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert "no-store" in response["Cache-Control"]


def test_unknown_api_addresses_answer_json_and_pages_a_branded_404(client_for: Any) -> None:
    api = client_for("core").get("/api/v1/no-such-thing/at-all")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert api.json()["errors"][0]["code"] == "not_found"
    page = client_for(None).get("/no-such-page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()


def test_a_server_error_is_a_branded_page_for_people_and_json_for_the_api() -> None:
    from dcp_platform.theming.errors import server_error

    factory = RequestFactory()
    page = server_error(factory.get("/records/"))
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.content.decode()
    assert "govuk-frontend" in page.content.decode()
    api = server_error(factory.get("/api/v1/lettings/2026/records"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


# Production settings end to end: collectstatic, then gunicorn ------------------------------------


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    database = settings.DATABASES["default"]
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "dcp_platform.settings",
        "DCP_ENV": "production",
        "DCP_SECRET_KEY": SECRET,
        "DCP_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DCP_CACHE_PREFIX": f"dcp-prod-test-{os.getpid()}",
        "DCP_BASE_DOMAIN": settings.BASE_DOMAIN,
        # TLS ends at the proxy in front; the test speaks plain HTTP and says so like a proxy does.
        "DCP_SSL_REDIRECT": "false",
        **extra,
    }


@pytest.fixture
def var_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="dcp-production-"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


def get(port: int, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.slow
def test_production_settings_build_static_files_and_serve_pages(django_db_setup: None, var_dir: Path) -> None:
    env = production_env(var_dir)
    python = str(REPO / ".venv/bin/python")
    built = subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert (var_dir / "static" / "staticfiles.json").is_file()

    port = free_port()
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "dcp_platform.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                if get(port, "anything", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        host = settings.BASE_DOMAIN
        status, headers, body = get(port, host, "/sign-in/")
        html = body.decode()
        assert status == 200, html[-2000:]
        stylesheet = re.search(r'href="(/static/vendor/govuk-frontend/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, "static files are served under their hashed names"
        assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
        assert "Secure" in headers.get("Set-Cookie", ""), headers.get("Set-Cookie")
        assert "max-age=31536000" in headers.get("Strict-Transport-Security", "")
        css_status, css_headers, _ = get(port, host, stylesheet.group(1))
        assert css_status == 200 and "immutable" in css_headers.get("Cache-Control", "")
        # DEBUG is off: a missing page is the service's own page, never Django's technical one.
        status, _, body = get(port, f"core.{host}", "/no-such-page-anywhere/")
        assert status == 404
        assert "Page not found" in body.decode() and "Django" not in body.decode()
        status, headers, body = get(port, f"core.{host}", "/api/v1/nothing-here")
        assert status == 404 and headers["Content-Type"] == "application/json"
        status, _, body = get(port, f"core.{host}", "/")
        assert status == 200, body.decode()[-2000:]
        # Each worker process keeps at most one connection, however many requests it serves (the threaded
        # development server kept one per request thread). The test run itself holds one more.
        for _ in range(150):
            get(port, f"core.{host}", "/sign-in/")
        with psycopg.connect(env["DATABASE_URL"]) as check:
            row = check.execute(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
                " and backend_type = 'client backend'"
            ).fetchone()
        assert row is not None and row[0] <= 2 + 1, row
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
