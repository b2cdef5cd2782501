"""Downloads through the page: only the records a user may see, the columns they may have, and an audit trail."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from dcp_platform.records.services import record_create
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.services import analyst_assign

TODAY = date(2026, 11, 24)


def signed_in(client_for: Any, user: Any, slug: str = "core") -> Any:
    """A client for the collection's host; support users also pass their second factor (a backup code)."""
    if not user.is_support:
        return client_for(slug, user)
    from django_otp.plugins.otp_static.models import StaticDevice

    from conftest import TEST_PASSWORD

    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.create(token="12345678")
    client = client_for(slug)
    client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    assert client.post("/account/two-factor/", {"code": "12345678"}).status_code == 302
    return client


def create(user: Any, org: Any, code: str, form: str = "lettings", **answers: Any) -> Any:
    return record_create(form=form, year=2026, user=user, today=TODAY, answers={
        "owning_organisation_id": org.code, "managing_organisation_id": org.code,
        **({"tenancycode": code} if form == "lettings" else {"purchid": code}), **answers,
    }).record


def rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(body.removeprefix("\ufeff").splitlines()))


@pytest.fixture
def two_organisations(core: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    first, second = make_org("First Homes"), make_org("Second Homes")
    first_user, second_user = make_user(first), make_user(second)
    return {
        "first": first, "second": second, "first_user": first_user, "second_user": second_user,
        "first_records": [create(first_user, first, "A1", period=1), create(first_user, first, "A2")],
        "second_records": [create(second_user, second, "B1")],
    }


def download(client: Any, **query: str) -> Any:
    return client.get("/downloads/", {"download": "1", "what": "lettings-2026", "values": "labels", **query})


def test_a_provider_downloads_only_their_organisations_records(two_organisations: Any, client_for: Any) -> None:
    data = rows(download(client_for("core", two_organisations["first_user"])))
    descriptions, headers, *records = data
    assert descriptions[0] == "Log ID" and headers[:2] == ["id", "status"]
    assert len(headers) == 185  # the provider's columns, not the department's
    code = headers.index("tenancycode")
    assert sorted(r[code] for r in records) == ["A1", "A2"]
    ids = [int(r[0]) for r in records]
    assert ids == sorted(ids)  # oldest first, as CORE writes them
    assert records[0][headers.index("period")] == "Weekly for 52 weeks"
    assert records[0][headers.index("owning_organisation_name")] == "First Homes"
    other = rows(download(client_for("core", two_organisations["second_user"])))
    assert [r[code] for r in other[2:]] == ["B1"]


def test_the_records_lists_filters_apply(two_organisations: Any, client_for: Any, make_user: Any) -> None:
    support = make_user(None, role="support")
    data = rows(download(signed_in(client_for, support), columns="department", q="a2"))
    assert [r[data[1].index("tenancycode")] for r in data[2:]] == ["A2"]
    second = two_organisations["second"]
    data = rows(download(signed_in(client_for, support), columns="provider", organisation=second.code))
    assert [r[data[1].index("tenancycode")] for r in data[2:]] == ["B1"]


def test_only_support_and_analysts_get_the_departments_columns(
    two_organisations: Any, client_for: Any, make_user: Any, make_org: Any
) -> None:
    refused = download(client_for("core", two_organisations["first_user"]), columns="department")
    assert refused.status_code == 400 and b"Choose which columns to download" in refused.content
    support = make_user(None, role="support")
    analyst = make_user(make_org("Department", provider_type="OTHER", collections=()))
    analyst_assign(user=analyst, collection=Collection.objects.get(slug="core"), by=support)
    for user in (support, analyst):
        data = rows(download(signed_in(client_for, user), columns="department", values="codes"))
        assert len(data[1]) == 232
        assert sorted(r[data[1].index("tenancycode")] for r in data[2:]) == ["A1", "A2", "B1"]


def test_every_download_is_audited(two_organisations: Any, client_for: Any) -> None:
    user = two_organisations["first_user"]
    rows(download(client_for("core", user), status="in_progress"))
    event = AuditEvent.objects.filter(action="records_exported", actor=user).latest("at")
    assert event.details == {
        "collection": "core", "form": "lettings", "year": 2026, "columns": "provider", "values": "labels",
        "filters": {"status": "in_progress"}, "rows": 2, "complete": True,
    }


def test_sales_downloads_have_cores_sales_columns(core: Any, make_org: Any, make_user: Any, client_for: Any) -> None:
    org = make_org()
    user = make_user(org)
    create(user, org, "S1", form="sales", saledate="2026-05-03")
    data = rows(client_for("core", user).get("/downloads/", {"download": "1", "what": "sales-2026",
                                                               "values": "codes"}))
    headers, record = data[1], data[2]
    assert len(headers) == 154 and record[headers.index("purchid")] == "S1"
    assert (record[headers.index("day")], record[headers.index("month")], record[headers.index("year")]) == (
        "3", "5", "2026")


def test_the_page_offers_what_the_user_may_download(two_organisations: Any, client_for: Any) -> None:
    page = client_for("core", two_organisations["first_user"]).get("/downloads/", {"status": "in_progress"})
    text = page.content.decode()
    assert page.status_code == 200 and "Download records" in text
    assert "Lettings logs, 2026 to 2027" in text and "2 records" in text
    assert "The department&#x27;s download" not in text and "department" not in page.context["column_titles"][0][0]
    missing = client_for("core", two_organisations["first_user"]).get("/downloads/", {"download": "1", "what": "x"})
    assert missing.status_code == 400 and b"Choose which records to download" in missing.content


def test_hclic_gets_a_download_from_its_definition(hclic: Any, make_org: Any, make_user: Any, client_for: Any) -> None:
    org = make_org(provider_type="LA", collections=("hclic",))
    user = make_user(org)
    page = client_for("hclic", user).get("/downloads/", {"download": "1", "what": "cases-2026", "values": "codes"})
    data = rows(page)
    assert data[0][:3] == ["id", "public_id", "status"] and len(data) == 1


def test_a_user_outside_the_collection_is_refused(core: Any, make_org: Any, make_user: Any, client_for: Any) -> None:
    outsider = make_user(make_org(collections=()))
    assert client_for("core", outsider).get("/downloads/").status_code == 403
