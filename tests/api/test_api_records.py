"""The submission API against real Postgres and Redis: the same rules as the web form, keys, retries, scoping."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import Record, RecordChange
from django.utils import timezone

RECORDS = "/api/v1/lettings/2026/records"
# A fortnightly rent of £400 is unusual for the benchmark record's property: a soft check ("are you sure?").
UNUSUALLY_HIGH_RENT = {"brent": "400.00"}


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org()


@pytest.fixture
def coordinator(org: Any, make_user: Any) -> Any:
    return make_user(org, role="data_coordinator")


@pytest.fixture
def api(core: Any, coordinator: Any, api_for: Any) -> Any:
    return api_for("core", coordinator)


def confirm_all(api: Any, body: dict[str, Any], etag: str) -> Any:
    confirmations = {w["confirmation"]["key"]: w["confirmation"]["token"] for w in body["warnings"]}
    return api.patch(body["links"]["self"], {"confirmations": confirmations}, if_match=etag)


def test_a_complete_record_is_created_with_derived_values_and_history(
    api: Any, org: Any, lettings_answers: Any
) -> None:
    plain = api.post(RECORDS, {"answers": lettings_answers(org.code)}).json()
    assert plain["status"] == "completed" and not plain["warnings"] and not plain["errors"], plain
    response = api.post(RECORDS, {"answers": lettings_answers(org.code) | UNUSUALLY_HIGH_RENT})
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["links"]["self"] and response["ETag"] == '"1"'
    assert body["derived"]["renttype"] == 1 and body["derived"]["totadult"] == 1
    assert body["owning_organisation"] == org.code and not body["errors"] and not body["missing"]
    # Soft checks come back as warnings that the client confirms in a follow-up request.
    assert body["status"] == "in_progress" and {w["rule"] for w in body["warnings"]} == {"rent_value_check"}
    assert {w["code"] for w in body["warnings"]} == {"soft_rule"}
    # Reading it back reports the same problems as writing it did (the rules see the organisations' types).
    read = api.get(body["links"]["self"]).json()
    assert (read["warnings"], read["errors"], read["missing"]) == (body["warnings"], [], [])
    confirmed = confirm_all(api, body, response["ETag"])
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "completed" and confirmed.json()["warnings"] == []
    assert confirmed["ETag"] == '"2"'
    record = Record.objects.get(public_id=body["id"])
    change = RecordChange.objects.filter(record=record).order_by("at").first()
    assert change is not None and change.channel == "api" and change.api_key_id is not None
    assert record.source_channel == "api" and record.status == "completed"


def test_partial_records_are_kept_in_progress(api: Any, org: Any) -> None:
    response = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "tenancycode": "T-1"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_progress" and "managing_organisation_id" in body["missing"]


@pytest.mark.parametrize(("answers", "code", "pointer"), [
    ({"startdate": "01/06/2026"}, "invalid_answer", "/answers/startdate"),
    ({"startdate": "2026-02-31"}, "invalid_answer", "/answers/startdate"),
    ({"renewal": 7}, "invalid_answer", "/answers/renewal"),
    ({"brent": "lots"}, "invalid_answer", "/answers/brent"),
    ({"favourite_colour": "blue"}, "unknown_question", "/answers/favourite_colour"),
    ({"renttype": 1}, "derived_value", "/answers/renttype"),
    ({"persons": [{"age": "old"}]}, "invalid_answer", "/answers/persons/0/age"),
    ({"persons": "everyone"}, "invalid_type", "/answers/persons"),
])
def test_answers_that_cannot_be_read_are_refused_with_a_pointer(
    api: Any, answers: dict[str, Any], code: str, pointer: str
) -> None:
    before = Record.objects.count()
    response = api.post(RECORDS, {"answers": answers})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["code"], e["pointer"]) for e in errors] == [(code, pointer)]
    assert errors[0]["message"] and Record.objects.count() == before


def test_hard_rules_refuse_the_record_and_name_question_and_template_fields(
    api: Any, org: Any, lettings_answers: Any
) -> None:
    answers = lettings_answers(org.code) | {"joint": 1}  # a joint tenancy for a one-person household
    response = api.post(RECORDS, {"answers": answers})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["code"] == "hard_rule" and error["rule"] == "joint_tenancy_needs_two_people"
    assert error["question"] == "joint" and error["template_fields"] == [36]
    assert not Record.objects.filter(source_channel="api", owning_organisation=org).exists()


def test_validate_only_checks_without_storing(api: Any, org: Any, lettings_answers: Any) -> None:
    before = Record.objects.count()
    good = api.post(f"{RECORDS}/validate", {"answers": lettings_answers(org.code)})
    warned = api.post(f"{RECORDS}/validate", {"answers": lettings_answers(org.code) | UNUSUALLY_HIGH_RENT})
    bad = api.post(f"{RECORDS}/validate", {"answers": lettings_answers(org.code) | {"joint": 1}})
    assert good.status_code == 200 and good.json()["valid"] is True and good.json()["warnings"] == []
    assert warned.json()["valid"] is True and warned.json()["warnings"][0]["rule"] == "rent_value_check"
    assert good.json()["derived"]["renttype"] == 1
    assert bad.status_code == 200 and bad.json()["valid"] is False
    assert bad.json()["errors"][0]["rule"] == "joint_tenancy_needs_two_people"
    assert Record.objects.count() == before


def test_the_benchmark_records_are_all_different_and_all_stored(
    api: Any, org: Any, varied_lettings_answers: Any
) -> None:
    records = varied_lettings_answers(org.code, 60)
    assert len({json.dumps(r, sort_keys=True) for r in records}) == 60
    response = api.post(f"{RECORDS}/batch", {"records": [{"answers": r} for r in records]})
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["failed"]) == (60, 0)
    stored = Record.objects.filter(owning_organisation=org)
    assert stored.count() == 60 and len({r.answers["tenancycode"] for r in stored}) == 60
    assert {r.status for r in stored} == {"completed"}  # complete and valid: no warning left to confirm


def test_idempotency_key_replays_the_first_response_and_refuses_a_different_body(api: Any, org: Any) -> None:
    body = {"answers": {"owning_organisation_id": org.code, "tenancycode": "IDEM-1"}}
    first = api.post(RECORDS, body, idempotency_key="abc-123")
    again = api.post(RECORDS, body, idempotency_key="abc-123")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Record.objects.filter(reference="IDEM-1").count() == 1
    different = api.post(RECORDS, {"answers": {"tenancycode": "IDEM-2"}}, idempotency_key="abc-123")
    assert different.status_code == 422 and different.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert not Record.objects.filter(reference="IDEM-2").exists()


def test_remembered_responses_are_forgotten_after_the_retention_period_in_every_collection(
    api: Any, org: Any
) -> None:
    from dcp_api.models import IdempotentRequest
    from dcp_api.tasks import forget_old_idempotent_requests_task

    old = {"answers": {"owning_organisation_id": org.code, "tenancycode": "IDEM-OLD"}}
    recent = {"answers": {"owning_organisation_id": org.code, "tenancycode": "IDEM-NEW"}}
    assert api.post(RECORDS, old, idempotency_key="old-key").status_code == 201
    assert api.post(RECORDS, recent, idempotency_key="new-key").status_code == 201
    IdempotentRequest.objects.filter(key="old-key").update(created_at=timezone.now() - timedelta(hours=25))

    # The periodic task visits every collection's schema from the public one, as Celery beat sends it.
    from django.db import connection

    connection.set_schema_to_public()
    assert forget_old_idempotent_requests_task.apply().get() == 1
    connection.set_schema("core")
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new-key"]
    # Within the period a retry is still answered with the first response; after it the key is new again.
    assert api.post(RECORDS, recent, idempotency_key="new-key")["Idempotent-Replayed"] == "true"
    again = api.post(RECORDS, old, idempotency_key="old-key")
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert Record.objects.filter(reference="IDEM-OLD").count() == 2


def test_updates_need_the_current_etag(api: Any, org: Any) -> None:
    created = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "tenancycode": "E-1"}})
    url = created.json()["links"]["self"]
    missing = api.patch(url, {"answers": {"tenancycode": "E-2"}})
    assert missing.status_code == 428
    first = api.patch(url, {"answers": {"tenancycode": "E-2"}}, if_match='"1"')
    assert first.status_code == 200 and first["ETag"] == '"2"'
    # A second system still holding version 1 cannot overwrite the first one's change.
    stale = api.patch(url, {"answers": {"tenancycode": "E-3"}}, if_match='"1"')
    assert stale.status_code == 412 and stale.json()["errors"][0]["code"] == "version_conflict"
    removed = api.patch(url, {"answers": {"tenancycode": None}}, if_match=first["ETag"])
    assert removed.status_code == 200 and "tenancycode" not in removed.json()["answers"]
    fetched = api.get(url)
    assert fetched.status_code == 200 and fetched["ETag"] == '"3"'


def test_derived_values_are_returned_never_accepted_on_update(api: Any, org: Any) -> None:
    created = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "rent_type": 2}})
    assert created.json()["derived"]["renttype"] == 2
    refused = api.patch(created.json()["links"]["self"], {"answers": {"renttype": 3}}, if_match='"1"')
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "derived_value"


def test_writes_outside_the_window_are_refused(api: Any, org: Any, lettings_answers: Any) -> None:
    # A tenancy that started before the 2026/27 collection year belongs to another year's window.
    response = api.post(RECORDS, {"answers": lettings_answers(org.code) | {"startdate": "2025-06-01",
                                                                          "voiddate": "2025-05-01"}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "window_closed" and error["question"] == "startdate"
    assert "outside the 2026 to 2027 collection year" in error["message"]


def test_a_closed_window_refuses_new_records(api: Any, org: Any, core: Any) -> None:
    from dcp_platform.cms.models import CollectionWindowPage

    yesterday = timezone.localdate() - timedelta(days=1)
    CollectionWindowPage.objects.filter(year=2026).update(submission_deadline=yesterday, edits_close=yesterday)
    response = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code}})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "window_closed"


def test_organisation_a_cannot_read_or_write_organisation_b(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    a, b = make_org(), make_org()
    api_a = api_for("core", make_user(a, role="data_coordinator"))
    api_b = api_for("core", make_user(b, role="data_coordinator"))
    record_b = api_b.post(RECORDS, {"answers": {"owning_organisation_id": b.code}}).json()
    assert api_a.get(record_b["links"]["self"]).status_code == 404
    assert api_a.patch(record_b["links"]["self"], {"answers": {"tenancycode": "X"}}, if_match='"1"').status_code == 404
    assert record_b["id"] not in json.dumps(api_a.get(RECORDS).json())
    refused = api_a.post(RECORDS, {"answers": {"owning_organisation_id": b.code}})
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "organisation_not_allowed"
    listed = {o["code"] for o in api_a.get("/api/v1/organisations").json()["organisations"]}
    assert a.code in listed and b.code not in listed


def test_a_managing_agent_submits_for_its_stock_owner(
    core: Any, make_org: Any, make_user: Any, api_for: Any
) -> None:
    owner, agent = make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    api = api_for("core", make_user(agent, role="data_coordinator"))
    response = api.post(RECORDS, {"answers": {"owning_organisation_id": owner.code,
                                               "managing_organisation_id": agent.code}})
    assert response.status_code == 201, response.content
    assert {o["code"] for o in api.get("/api/v1/organisations").json()["organisations"]} >= {owner.code, agent.code}


def test_list_filters_and_cursor_pagination(api: Any, org: Any) -> None:
    for n in range(3):
        api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "tenancycode": f"L-{n}"}})
    page = api.get(f"{RECORDS}?page_size=2")
    assert page.status_code == 200 and len(page.json()["records"]) == 2
    rest = api.get(page.json()["links"]["next"])
    assert [r["answers"]["tenancycode"] for r in page.json()["records"] + rest.json()["records"]] == \
        ["L-0", "L-1", "L-2"]
    assert api.get(f"{RECORDS}?status=completed").json()["records"] == []
    assert len(api.get(f"{RECORDS}?status=in_progress&organisation={org.code}").json()["records"]) == 3
    later = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert api.get(f"{RECORDS}?updated_since={later}").json()["records"] == []
    bad = api.get(f"{RECORDS}?updated_since=yesterday")
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "updated_since"
    assert api.get(f"{RECORDS}?cursor=nonsense").status_code == 400


def test_batch_each_record_succeeds_or_fails_on_its_own(api: Any, org: Any, lettings_answers: Any) -> None:
    existing = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "tenancycode": "B-0"}}).json()
    response = api.post(f"{RECORDS}/batch", {"records": [
        {"answers": lettings_answers(org.code)},
        {"answers": lettings_answers(org.code) | {"joint": 1}},
        {"answers": {"startdate": "tomorrow"}},
        {"id": existing["id"], "version": 1, "answers": {"tenancycode": "B-1"}},
        {"id": existing["id"], "version": 1, "answers": {"tenancycode": "B-2"}},
    ]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 422, 422, 200, 412]
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 3)
    assert body["results"][1]["errors"][0]["pointer"] == "/answers/joint"
    assert body["results"][2]["errors"][0]["pointer"] == "/records/2/answers/startdate"
    assert Record.objects.get(public_id=existing["id"]).answers["tenancycode"] == "B-1"
    too_many = api.post(f"{RECORDS}/batch", {"records": [{"answers": {}}] * 1001})
    assert too_many.status_code == 413


def test_a_batch_response_is_what_drf_would_render(api: Any, org: Any, lettings_answers: Any) -> None:
    """The batch writes its response text from the JSON it stored: byte for byte DRF's rendering of the data."""
    from rest_framework.renderers import JSONRenderer

    existing = api.post(RECORDS, {"answers": {"owning_organisation_id": org.code, "tenancycode": "B-0"}}).json()
    response = api.post(f"{RECORDS}/batch", {"records": [
        {"answers": lettings_answers(org.code) | {"tenancycode": "T\u2028ü \" \\"}},
        {"answers": lettings_answers(org.code) | UNUSUALLY_HIGH_RENT},
        {"answers": lettings_answers(org.code) | {"joint": 1}},
        {"answers": {"startdate": "tomorrow"}},
        {"id": existing["id"], "version": 1, "answers": {"tenancycode": "B-1"}},
        {"answers": {"owning_organisation_id": org.code}},
    ]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 201, 422, 422, 200, 201]
    assert body["results"][0]["record"]["answers"]["tenancycode"] == "T\u2028ü \" \\"
    assert body["results"][1]["record"]["warnings"]
    assert response.content == JSONRenderer().render(body)
    assert b"\\u2028" in response.content
    pretty = api.post(f"{RECORDS}/batch", {"records": [{"answers": {"owning_organisation_id": org.code}}]},
                      accept="application/json; indent=4")
    assert pretty.content == JSONRenderer().render(pretty.json(), "application/json; indent=4", {})
    assert b"\n    " in pretty.content


def test_the_cycle_collector_is_paused_while_a_batch_runs(
    api: Any, org: Any, lettings_answers: Any, monkeypatch: Any
) -> None:
    import gc

    from dcp_api import views

    seen: list[bool] = []
    create_many = views.records_create_many

    def watched(**kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return create_many(**kwargs)

    monkeypatch.setattr(views, "records_create_many", watched)
    assert gc.isenabled()
    response = api.post(f"{RECORDS}/batch", {"records": [{"answers": lettings_answers(org.code)}]})
    assert response.status_code == 200 and response.json()["created"] == 1
    assert seen == [False] and gc.isenabled()
    assert api.post(f"{RECORDS}/batch", {"records": [{}] * 1001}).status_code == 413  # refused: resumed too
    assert gc.isenabled()


def test_the_collector_resumes_when_the_last_batch_ends_and_only_if_it_was_running() -> None:
    import gc

    from dcp_platform.collector import collector_paused

    first, second = collector_paused(), collector_paused()  # two batches in two threads, ending out of order
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_the_collector_does_not_scan_what_a_batch_made_when_it_resumes() -> None:
    """What a batch made goes to the oldest generation unexamined (the scan on resuming cost about 10 ms a batch),
    unless something else froze objects: those stay frozen."""
    import gc

    from dcp_platform.collector import collector_paused

    scans: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            scans.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        with collector_paused():
            made = [[index] for index in range(20_000)]  # far past the youngest generation's threshold
        assert gc.get_count()[0] < 100 and gc.get_freeze_count() == 0
        assert scans == []
        del made
        gc.freeze()
        frozen = gc.get_freeze_count()
        with collector_paused():
            made = [[index] for index in range(20_000)]
        assert gc.get_freeze_count() == frozen and len(made) == 20_000
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()


def test_reference_resources(api: Any) -> None:
    definition = api.get("/api/v1/definitions/lettings/2026")
    assert definition.status_code == 200
    renewal = next(q for q in definition.json()["questions"] if q["id"] == "renewal")
    assert {o["code"] for o in renewal["options"]} == {0, 1}
    assert api.get("/api/v1/definitions/lettings/1999").status_code == 404
    assert api.get("/api/v1/nothing/here").status_code == 404


def test_rate_limit_per_key_answers_429_with_retry_after(api: Any, settings: Any) -> None:
    settings.DCP_API_RATE_LIMIT = "3/minute"
    statuses = [api.get("/api/v1/organisations").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/organisations")
    assert int(limited["Retry-After"]) >= 1 and limited.json()["errors"][0]["code"] == "throttled"


def test_a_body_that_is_too_large_is_refused_before_it_is_read(api: Any) -> None:
    huge = {"answers": {"tenancycode": "x" * (21 * 1024 * 1024)}}
    response = api.post(RECORDS, huge)
    assert response.status_code == 413 and response.json()["errors"][0]["code"] == "body_too_large"


def test_a_body_that_is_not_json_gets_the_usual_error_format(api: Any) -> None:
    response = api.client.post(RECORDS, data="{not json", content_type="application/json", **api.headers)
    assert response.status_code == 400 and response.json()["errors"][0]["message"]
    listed = api.client.post(RECORDS, data="[1, 2]", content_type="application/json", **api.headers)
    assert listed.status_code == 400 and listed.json()["errors"][0]["code"] == "invalid_body"
