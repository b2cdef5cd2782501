"""Test set-up shared by every test: real PostgreSQL, Redis and Chromium.

Collection schemas are built once per test session: a template schema is migrated once, and each
collection schema is cloned from it (about 10x faster than migrating each one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

REPO = Path(__file__).resolve().parent
TEMPLATE_SCHEMA = "tenant_template"


def _build_collections() -> None:
    from dcp_platform.tenancy.models import Collection
    from dcp_platform.tenancy.services import ensure_collections
    from django.db import connection
    from django_tenants.utils import schema_exists

    if not schema_exists(TEMPLATE_SCHEMA):
        # The first tenant saved with the base schema missing is migrated for real; it becomes the template.
        template = Collection(schema_name=TEMPLATE_SCHEMA, slug=TEMPLATE_SCHEMA.replace("_", "-"), title="Template")
        template.save(verbosity=0)
        Collection.objects.filter(pk=template.pk).delete()  # the row goes, the schema stays
    ensure_collections()
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: Any, django_db_blocker: Any, django_db_keepdb: bool) -> Iterator[None]:
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, keepdb=django_db_keepdb)
        _build_collections()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _end_other_sessions()
            teardown_databases(config, verbosity=0)


def _end_other_sessions() -> None:
    """Connections left open by the live server's request threads and upload worker processes would stop the
    test database being dropped at the end ("being accessed by other users"); end them first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    connection.close()


DATABASE_FIXTURES = {"db", "transactional_db", "core", "hclic", "live_server", "django_db_setup"}


@pytest.fixture(autouse=True)
def _public_schema_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that switched to a collection schema leaves the connection on the public schema."""
    yield
    if DATABASE_FIXTURES.isdisjoint(request.fixturenames):
        return  # pure unit tests never touch the database
    from django.db import connection

    connection.set_schema_to_public()


def _patch_transactional_teardown() -> None:
    """Browser tests use a live server, so their data is committed and Django would flush the database.

    A flush cannot TRUNCATE the shared tables that collection schemas refer to, so instead the browser
    tests run in their own pytest session (bin/test) after the others, and their data is simply kept
    until the session's test database is dropped. Each browser test creates its own uniquely named data.
    """
    from django.test import TransactionTestCase

    TransactionTestCase._fixture_teardown = lambda self: None  # type: ignore[method-assign]


_patch_transactional_teardown()


def collection(slug: str) -> Any:
    from dcp_platform.tenancy.models import Collection

    return Collection.objects.get(schema_name=slug)


def _inside(slug: str) -> Iterator[Any]:
    from django.db import connection

    tenant = collection(slug)
    connection.set_tenant(tenant)
    yield tenant
    connection.set_schema_to_public()


@pytest.fixture
def core(db: None) -> Iterator[Any]:
    """Run the test inside the CORE collection's schema."""
    yield from _inside("core")


@pytest.fixture
def hclic(db: None) -> Iterator[Any]:
    """Run the test inside the H-CLIC collection's schema."""
    yield from _inside("hclic")


_counter = {"n": 0}


def _unique(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}{os.getpid()}x{_counter['n']}"


@pytest.fixture
def make_org(db: None) -> Callable[..., Any]:
    """Create an organisation that takes part in the given collections (default: every eligible one)."""

    def make(
        name: str | None = None,
        *,
        provider_type: str = "PRP",
        parent: Any = None,
        collections: tuple[str, ...] | None = None,
        code: str | None = None,
    ) -> Any:
        from dcp_platform.accounts.models import Organisation
        from dcp_platform.registry import all_plugins
        from dcp_platform.tenancy.models import Collection, Participation

        org = Organisation.objects.create(
            name=name or _unique("Organisation "), code=code or _unique("ORG"), provider_type=provider_type,
            parent=parent,
        )
        plugins = all_plugins()
        slugs = collections if collections is not None else tuple(plugins)
        for slug in slugs:
            allowed = plugins[slug].eligible_provider_types
            if allowed is None or provider_type in allowed:
                Participation.objects.create(organisation=org, collection=Collection.objects.get(schema_name=slug))
        return org

    return make


TEST_PASSWORD = "a-long-test-password-2026"  # noqa: S105


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    def make(organisation: Any = None, *, role: str = "data_provider", email: str | None = None, **extra: Any) -> Any:
        from dcp_platform.accounts.models import User

        return User.objects.create_user(
            email or f"{_unique('user')}@example.com", TEST_PASSWORD, name=extra.pop("name", "Test User"),
            organisation=organisation, role=role, **extra,
        )

    return make


def host_for(slug: str | None) -> str:
    from django.conf import settings

    return f"{slug}.{settings.BASE_DOMAIN}" if slug else settings.BASE_DOMAIN


@pytest.fixture
def client_for(db: None) -> Callable[..., Any]:
    """A Django test client that talks to one collection's host (or the public site with None)."""
    from django.test import Client

    def make(slug: str | None = None, user: Any = None) -> Any:
        client = Client(HTTP_HOST=host_for(slug))
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def started_record(db: None) -> Callable[..., Any]:
    """started_record(user, form, year) -> a stored record with no answers yet, made through the write path in the
    current schema (the web form stores a record only when its first answer is saved: tests of other things
    start from one)."""

    def make(user: Any, form: str = "lettings", year: int = 2026) -> Any:
        from dcp_platform.records.services import record_create

        return record_create(form=form, year=year, user=user).record

    return make


# Browser tests ---------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


def live_url(live_server: Any, slug: str | None, path: str = "/") -> str:
    port = live_server.url.rsplit(":", 1)[1]
    return f"http://{host_for(slug)}:{port}{path}"


AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _govuk_conditional_reveal(rule: str, node: dict[str, Any]) -> bool:
    """GOV.UK Frontend's own conditional reveal sets aria-expanded on radio and checkbox inputs.

    axe reports that attribute as not allowed on a radio; it is the Design System's published, tested pattern
    (screen readers announce the reveal), so only that exact case is excused.
    """
    html = node.get("html", "")
    return rule == "aria-allowed-attr" and "aria-expanded" in html and (
        "govuk-radios__input" in html or "govuk-checkboxes__input" in html
    )


def assert_accessible(page: Any, *, context: str = "") -> None:
    """Run axe-core (from npm, injected into the page) and fail on any WCAG 2.x A/AA violation.

    A page shown with JavaScript disabled cannot run axe itself, so its exact DOM (scripts removed) is copied
    into a JavaScript-enabled page of the same browser, with a <base> so the same stylesheets load.
    """
    from playwright.sync_api import Error as PlaywrightError

    target, scratch = page, None
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        try:
            page.add_script_tag(content=AXE_SOURCE.read_text())
        except PlaywrightError:
            # The page's Content-Security-Policy refuses an inline script without its nonce: evaluate axe
            # through the browser's devtools channel instead (only with JavaScript on; with it off the tag
            # is silently not run, and the copy below is checked).
            page.evaluate(AXE_SOURCE.read_text() + "\n;undefined")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S | re.I)
        origin = re.match(r"^(https?://[^/]+)/", page.url)
        html = html.replace("<head>", f'<head><base href="{origin.group(1) if origin else ""}/">', 1)
        scratch = page.context.browser.new_context(java_script_enabled=True)
        target = scratch.new_page()
        target.set_content(html, wait_until="load")
        target.add_script_tag(content=AXE_SOURCE.read_text())
    try:
        result = target.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
        )
    finally:
        if scratch is not None:
            scratch.close()
    violations = []
    for violation in result["violations"]:
        nodes = [node for node in violation["nodes"] if not _govuk_conditional_reveal(violation["id"], node)]
        if nodes:
            violations.append(f"{violation['id']}: {violation['help']} ({len(nodes)} nodes: {nodes[0]['target']})")
    assert not violations, f"axe-core violations on {context or page.url}:\n" + "\n".join(violations)


@pytest.fixture
def axe() -> Callable[..., None]:
    return assert_accessible
