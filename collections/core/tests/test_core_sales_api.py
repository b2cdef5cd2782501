"""CORE sales logs through the submission API (/api/v1/sales/2026/...), against the real database."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)

RECORDS = "/api/v1/sales/2026/records"


class Api:
    """The Django test client speaking JSON to the CORE API with a key."""

    def __init__(self, client: Any, secret: str) -> None:
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, data=json.dumps(body), content_type="application/json", **self.auth)

    def get(self, path: str) -> Any:
        return self.client.get(path, **self.auth)


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org()


@pytest.fixture
def api(core: Any, org: Any, make_user: Any, client_for: Any) -> Api:
    from dcp_api.keys import api_key_create  # (needs the collection's schema: the `core` fixture)

    coordinator = make_user(org, role="data_coordinator")
    return Api(client_for("core"), api_key_create(user=coordinator, name="Sales system").secret)


def sale(org: Any, **changes: Any) -> dict[str, Any]:
    """The complete shared ownership sale of the tests (20 May 2026, in the 2026/27 window), for this organisation."""
    answers = {**harness.SHARED_OWNERSHIP, "owning_organisation_id": org.code, "managing_organisation_id": org.code}
    return {**answers, **changes}


def test_a_complete_sales_record_is_created_with_its_derived_values(api: Api, org: Any) -> None:
    from dcp_platform.records.models import Record

    response = api.post(RECORDS, {"answers": sale(org)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["errors"], body["missing"], body["warnings"]) == ("completed", [], [], [])
    assert body["derived"]["type"] == 30 and body["derived"]["hhmemb"] == 1 and body["derived"]["hhtype"] == 3
    assert body["owning_organisation"] == org.code
    record = Record.objects.get(public_id=body["id"])
    assert (record.form, record.year, record.source_channel, record.reference) == ("sales", 2026, "api", "P1")
    read = api.get(body["links"]["self"]).json()
    assert read["answers"]["persons"][0]["age"] == 34 and read["status"] == "completed"


def test_a_sale_outside_every_open_window_is_refused(api: Api, org: Any) -> None:
    """SH1.1: the sale completion date must be in an open collection window (one year's window here)."""
    from dcp_platform.records.models import Record

    refused = api.post(RECORDS, {"answers": sale(org, saledate="2025-06-01", hodate="2025-03-01")})
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["code"] == "window_closed" and error["question"] == "saledate"
    assert not Record.objects.filter(owning_organisation=org).exists()
    assert api.post(RECORDS, {"answers": sale(org)}).status_code == 201


def test_answers_of_the_wrong_type_are_refused_with_the_question_named(api: Api, org: Any) -> None:
    """SH3.3: the property's postcode must be a real postcode (as the postcode question checks it)."""
    response = api.post(RECORDS, {"answers": sale(org, postcode_full="NOT A POSTCODE")})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/answers/postcode_full" and "real postcode" in error["message"]
    assert api.post(RECORDS, {"answers": sale(org, postcode_full="ls61aa")}).json()["answers"]["postcode_full"] == "LS6 1AA"


def test_the_type_of_sale_is_worked_out_never_sent(api: Api, org: Any) -> None:
    response = api.post(RECORDS, {"answers": sale(org, type=30)})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "derived_value"


def test_hard_rules_name_the_question_and_the_template_fields(api: Api, org: Any) -> None:
    response = api.post(RECORDS, {"answers": sale(org, income1=95000)})  # over the shared ownership cap
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["rule"] == "buyer_1_income_over_shared_ownership_cap" and error["template_fields"][0] == 83


def test_the_sales_openapi_document_is_served_and_describes_the_template(api: Api) -> None:
    document = api.get("/api/v1/sales/2026/openapi.json").json()
    answers = document["components"]["schemas"]["Answers"]["properties"]
    assert "Official template fields 99, 120, 128." in answers["value"]["description"]
    assert answers["shared_ownership_type"]["enum"] == [2, 30, 18, 16, 24, 28, 31, 32]
    assert answers["persons"]["maxItems"] == 6
