"""The committed OpenAPI documents are current, and the API keeps to them under schemathesis.

Schemathesis generates requests from the committed document (answers from the definition's enums and types,
including deliberately wrong ones) and sends them through Django's WSGI handler to the real database; every
response must be documented, match its schema and never be a server error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from dcp_api.docs import committed_path, openapi_document, render_document
from dcp_platform.registry import all_plugins, definitions_for
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def _documents() -> list[tuple[str, str, int]]:
    return [(slug, form, year) for slug in sorted(all_plugins()) for form, year in sorted(definitions_for(slug))]


@pytest.mark.parametrize(("slug", "form", "year"), _documents())
def test_committed_openapi_documents_are_current(slug: str, form: str, year: int) -> None:
    path = committed_path(slug, form, year)
    assert path.exists(), f"Missing {path}: run manage.py api_schema"
    assert path.read_text(encoding="utf-8") == render_document(openapi_document(slug, form, year)), (
        f"{path} is out of date: run manage.py api_schema and commit the result"
    )


def test_answer_options_are_enums_and_conditions_are_stated() -> None:
    document = json.loads(committed_path("core", "lettings", 2026).read_text(encoding="utf-8"))
    answers = document["components"]["schemas"]["Answers"]["properties"]
    assert answers["renewal"]["enum"] == [1, 0]
    assert "Asked when:" in answers["irproduct_other"]["description"]
    assert answers["persons"]["type"] == "array" and answers["persons"]["maxItems"] == 8
    cases = json.loads(committed_path("hclic", "cases", 2026).read_text(encoding="utf-8"))
    people = cases["components"]["schemas"]["Answers"]["properties"]["people"]
    assert people["type"] == "array" and "maxItems" not in people  # a household of any size


def test_the_api_keeps_to_its_openapi_document(
    core: Any, make_org: Any, make_user: Any, settings: Any
) -> None:
    from dcp_api.keys import api_key_create
    from django.core.handlers.wsgi import WSGIHandler

    settings.DCP_API_RATE_LIMIT = "100000/minute"
    coordinator = make_user(make_org(), role="data_coordinator")
    secret = api_key_create(user=coordinator, name="schemathesis").secret
    document = json.loads(committed_path("core", "lettings", 2026).read_text(encoding="utf-8"))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = WSGIHandler()  # requests go through Django in this thread, inside the test's transaction
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    # As Django's test client does: keep the test's connection (and its transaction) open between requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _run(operations, checks, secret)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operations: list[Any], checks: list[Any], secret: str) -> None:
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
                                 database=None, derandomize=True)
            def check(case: Any) -> None:
                case.call_and_validate(
                    base_url="http://core.dcp.localhost", headers={"Authorization": f"Bearer {secret}"},
                    checks=checks,
                )

            check()


def test_the_reference_is_served_without_a_key_and_without_fetching_anything(core: Any, client_for: Any) -> None:
    client = client_for("core")
    document = client.get("/api/v1/lettings/2026/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"] == "3.1.0"
    page = client.get("/api/v1/lettings/2026/docs").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "https://" not in page
    script = (committed_path("core", "lettings", 2026).parents[3] / "api/dcp_api/static/dcp_api/docs.js").read_text()
    assert "validatorUrl: null" in script  # Swagger UI would otherwise call an online validator
    assert client.get("/api/v1/lettings/1999/docs").status_code == 404


@pytest.mark.parametrize(("slug", "form", "year"), _documents())
def test_the_docs_keep_the_key_placeholder(slug: str, form: str, year: int) -> None:
    """The docs page renders the description as Markdown: the header's "<key>" must be in a code span, or it is
    read as a tag and the page says "Authorization: Bearer ." (issue 20, point 13)."""
    description = openapi_document(slug, form, year)["info"]["description"]
    assert "`Authorization: Bearer <key>`" in description
