"""Queries: an analyst asks, the organisation answers, corrects or explains, the analyst resolves or reopens."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from dcp_platform.notifications import kinds
from dcp_platform.notifications.models import Notification
from dcp_platform.quality.models import MessageKind, Query, QueryScope, QueryState
from dcp_platform.quality.selectors import open_queries_by_record, open_queries_on_record, queries_visible_to
from dcp_platform.quality.services import query_answer, query_raise, query_reopen, query_resolve
from dcp_platform.records.models import RecordChange
from dcp_platform.records.services import record_update
from django.core.exceptions import PermissionDenied, ValidationError

from tests.quality.conftest import TODAY, create_record


def notified(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


def test_a_query_on_a_record_goes_round_the_thread(people: dict[str, Any]) -> None:
    provider, coordinator, analyst = people["provider"], people["coordinator"], people["analyst"]
    record = create_record(provider, people["mine"], tenancycode="T-1")
    query = query_raise(by=analyst, subject="Rent far above peers", message="Is £900 a week right?", records=[record])
    assert query.scope == QueryScope.RECORD and query.organisation == people["mine"] and query.state == QueryState.OPEN
    assert (query.form, query.year) == ("lettings", 2026)
    # The coordinator and the record's creator are told; a colleague who did not create it and the analyst are not.
    for person in (provider, coordinator):
        [sent] = notified(person, kinds.QUERY_RAISED)
        assert sent.title == "A query was raised: Rent far above peers" and sent.body == "Is £900 a week right?"
        assert sent.link.endswith(f"/quality/queries/{query.pk}/") and sent.collection_slug == "core"
    assert not Notification.objects.filter(user__in=[people["colleague"], analyst, people["outsider"]]).exists()
    assert [q.pk for q in open_queries_on_record(record=record)] == [query.pk]

    # A correction needs a change to the record made after the query was raised.
    with pytest.raises(ValidationError, match="Change the record first"):
        query_answer(by=provider, query=query, kind=MessageKind.CORRECTION, text="Fixed")
    record_update(record=record, user=provider, changes={"tenancycode": "T-1A"}, today=TODAY)
    change = RecordChange.objects.filter(record=record).order_by("-at", "-id").first()
    message = query_answer(by=provider, query=query, kind=MessageKind.CORRECTION, text="It was £90")
    assert list(message.changes.all()) == [change]
    query.refresh_from_db()
    assert query.state == QueryState.ANSWERED
    [answered] = notified(analyst, kinds.QUERY_ANSWERED)
    assert people["mine"].name in answered.title
    # Once linked, the same change cannot be linked again.
    with pytest.raises(ValidationError):
        query_answer(by=provider, query=query, kind=MessageKind.CORRECTION, text="again")

    # The analyst asks again (open), the coordinator explains (answered), the analyst resolves.
    query_answer(by=analyst, query=query, kind=MessageKind.REPLY, text="And the service charge?")
    query.refresh_from_db()
    assert query.state == QueryState.OPEN
    query_answer(by=coordinator, query=query, kind=MessageKind.EXPLANATION, text="The charge is right.")
    query_resolve(by=analyst, query=query, text="Thanks")
    query.refresh_from_db()
    assert query.state == QueryState.RESOLVED and query.resolved_at is not None
    assert open_queries_on_record(record=record) == []
    with pytest.raises(ValidationError, match="reopened before"):
        query_answer(by=provider, query=query, kind=MessageKind.REPLY, text="one more thing")

    # Reopening needs a reason.
    with pytest.raises(ValidationError, match="why you are reopening"):
        query_reopen(by=analyst, query=query, reason="  ")
    query_reopen(by=analyst, query=query, reason="The rent changed again")
    query.refresh_from_db()
    assert query.state == QueryState.OPEN and query.resolved_at is None

    # The whole thread is kept, in order, and every step is in the audit trail.
    assert [m.kind for m in query.messages.all()] == [
        "raised", "correction", "reply", "explanation", "resolved", "reopened"]
    actions = list(AuditEvent.objects.filter(target_type="quality.Query", target_id=str(query.pk))
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["query_raised", "query_answered", "query_answered", "query_answered", "query_resolved",
                       "query_reopened"]


def test_who_may_raise_see_and_answer_queries(people: dict[str, Any]) -> None:
    provider = people["provider"]
    record = create_record(provider, people["mine"])
    with pytest.raises(PermissionDenied):
        query_raise(by=people["coordinator"], subject="x", message="y", records=[record])
    query = query_raise(by=people["analyst"], subject="Check", message="Please check", records=[record])
    assert query in queries_visible_to(user=provider)
    assert query in queries_visible_to(user=people["coordinator"])
    assert query not in queries_visible_to(user=people["outsider"])
    with pytest.raises(PermissionDenied):
        query_answer(by=people["outsider"], query=query, kind=MessageKind.REPLY, text="Not mine")
    with pytest.raises(PermissionDenied):
        query_resolve(by=provider, query=query)
    with pytest.raises(PermissionDenied):
        query_answer(by=people["analyst"], query=query, kind=MessageKind.EXPLANATION, text="Analysts reply")


def test_a_set_of_records_and_a_return(people: dict[str, Any]) -> None:
    provider, analyst = people["provider"], people["analyst"]
    first, second = create_record(provider, people["mine"]), create_record(provider, people["mine"])
    elsewhere = create_record(people["outsider"], people["other"])
    with pytest.raises(ValidationError) as refused:
        query_raise(by=analyst, subject="x", message="y", records=[first, elsewhere])
    assert refused.value.message_dict == {"records": ["Query the records of one organisation at a time"]}
    both = query_raise(by=analyst, subject="Same tenancy twice?", message="Duplicates?", records=[first, second])
    assert both.scope == QueryScope.RECORDS
    assert set(open_queries_by_record([first.pk, second.pk, elsewhere.pk])) == {first.pk, second.pk}

    with pytest.raises(ValidationError) as refused:
        query_raise(by=analyst, subject="", message="", organisation=None)
    assert set(refused.value.message_dict) == {"subject", "message", "organisation"}
    ret = query_raise(by=analyst, subject="Few lettings", message="Only 3 lettings this year?",
                      organisation=people["mine"], form="lettings", year=2026)
    assert ret.scope == QueryScope.RETURN and ret.records.count() == 0
    # A return's query goes to the coordinators (no record has a creator to tell).
    assert notified(people["coordinator"], kinds.QUERY_RAISED)[0].title == "A query was raised: Few lettings"
    assert ret in queries_visible_to(user=provider) and ret not in queries_visible_to(user=people["outsider"])
    assert Query.objects.count() >= 2
