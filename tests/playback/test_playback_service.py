"""Service measures for the product team: take-up by channel, completion, web form time, upload outcomes and
errors per question, API use per key and failed sign-ins, by week; for analysts and support only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from dcp_api.models import ApiKey
from dcp_platform.accounts.models import AuditEvent
from dcp_platform.records.models import RecordChange
from dcp_platform.tenancy.models import Collection, CollectionAnalyst
from dcp_platform.uploads.models import Upload, UploadRow

from tests.playback.test_playback_measures import make_record

SERVICE = "/dashboards/department/lettings/2026/service/"


def test_the_product_team_sees_the_service_by_week(
    core: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    organisation = make_org(collections=("core",))
    provider = make_user(organisation)
    for channel, status in [("web", "completed"), ("web", "in_progress"), ("api", "completed"),
                            ("upload", "completed")]:
        record = make_record(organisation, channel=channel, status=status)
    key = ApiKey.objects.create(name="Housing system", prefix="abc", digest="d" * 64, organisation=organisation,
                                created_by=provider)
    RecordChange.objects.create(record=record, channel="api", api_key_id=key.pk, changed={})
    upload = Upload.objects.create(form="lettings", year=2026, organisation=organisation, user=provider,
                                   filename="x.csv", stored_path="/tmp/x.csv", file_hash="h", status="confirmed")
    UploadRow.objects.create(upload=upload, row_number=2, status="refused", problems=[
        {"question": "beds", "severity": "hard", "message": "Enter a number of bedrooms"}])
    UploadRow.objects.create(upload=upload, row_number=3, status="completed", problems=[])
    AuditEvent.objects.create(action="sign_in_failed", details={})

    analyst = make_user(make_org(provider_type="OTHER", collections=()))
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    client = client_for("core", analyst)
    response = client.get(SERVICE)
    assert response.status_code == 200
    take_up = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=take_up").content.decode())))
    assert take_up[0] == ["Week beginning", "Web form", "Bulk upload", "API", "Share through the API or upload"]
    assert len(take_up) == 13  # twelve weeks
    this_week = take_up[-1]
    assert this_week[1:] == ["2", "1", "1", "50.0"]
    completion = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=completion").content.decode())))
    assert completion[-1][1:] == ["4", "3", "75.0"]
    errors = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=errors_by_question").content.decode())))
    assert errors[1][0] == "How many bedrooms does the property have?" and errors[1][1] == "1"
    uploads = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=uploads").content.decode())))
    assert uploads[-1][1:] == ["1", "1", "0", "2", "1", "50.0"]
    api = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=api_keys").content.decode())))
    assert ["Housing system", organisation.name, "1"] == api[1][:3]
    sign_in = list(csv.reader(io.StringIO(client.get(SERVICE + "?download=sign_in").content.decode())))
    assert sign_in[-1][1:] == ["1", "0"]

    coordinator = make_user(organisation, role="data_coordinator")
    for user in (provider, coordinator):
        assert client_for("core", user).get(SERVICE).status_code == 403
    assert client_for("core").get(SERVICE).status_code == 302
