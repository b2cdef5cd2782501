"""Assigning, deleting, restoring and purging records (records.lifecycle): the checks of every write, history
rows, the audit trail, and deleted records gone from every read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent, OrganisationRelationship
from dcp_platform.records.lifecycle import (
    purge_deleted_records,
    record_restore,
    records_assign,
    records_assigned_away,
    records_delete,
)
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.records.services import (
    ASSIGNED_TO,
    DELETED,
    AssigneeNotAllowed,
    RecordNotYours,
    RecordWriteRefused,
    record_create,
    record_update,
)
from dcp_platform.tenancy.models import Collection, CollectionAnalyst
from django.utils import timezone

TODAY = date(2026, 11, 24)


def create(user: Any, owner: Any, manager: Any | None = None, **answers: Any) -> Record:
    answers = {"owning_organisation_id": owner.code, "managing_organisation_id": (manager or owner).code,
               "tenancycode": "T-1", **answers}
    return record_create(form="lettings", year=2026, user=user, answers=answers, today=TODAY).record


def test_assign_and_unassign_follow_the_answer_and_history(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    colleague = make_user(org)
    record = create(coordinator, org)
    outcome = records_assign(user=coordinator, records=[record], assignee=colleague, today=TODAY)
    assert [r.pk for r in outcome.changed] == [record.pk] and not outcome.refused
    record.refresh_from_db()
    assert record.assigned_to_id == colleague.pk and record.answers["assigned_to"] == colleague.email
    assert record.version == 2
    change = RecordChange.objects.filter(record=record).order_by("-pk").first()
    assert change is not None and change.changed[ASSIGNED_TO] == [coordinator.pk, colleague.pk]
    assert change.changed["assigned_to"] == [None, colleague.email] and change.user_id == coordinator.pk
    records_assign(user=coordinator, records=[record], assignee=None, today=TODAY)
    record.refresh_from_db()
    assert record.assigned_to_id is None and "assigned_to" not in record.answers


def test_assignee_must_belong_to_the_owner_or_manager(core: Any, make_org: Any, make_user: Any) -> None:
    org, other = make_org(), make_org()
    user = make_user(org)
    record = create(user, org)
    outcome = records_assign(user=user, records=[record], assignee=make_user(other), today=TODAY)
    assert not outcome.changed and isinstance(outcome.refused[0][1], AssigneeNotAllowed)
    outcome = records_assign(user=user, records=[record], assignee=make_user(org, is_active=False), today=TODAY)
    assert isinstance(outcome.refused[0][1], AssigneeNotAllowed)
    record.refresh_from_db()
    assert record.assigned_to_id == user.pk and record.version == 1


def test_a_provider_never_assigns_or_deletes_another_organisations_records(
        core: Any, make_org: Any, make_user: Any) -> None:
    owner, agent, stranger_org = make_org(), make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    record = create(make_user(owner), owner)  # owned and managed by the stock owner
    for outsider in (make_user(agent), make_user(stranger_org), make_user(stranger_org, role="data_coordinator")):
        for outcome in (records_assign(user=outsider, records=[record], assignee=outsider, today=TODAY),
                        records_delete(user=outsider, records=[record], today=TODAY)):
            assert not outcome.changed
            assert isinstance(outcome.refused[0][1], RecordNotYours)
    record.refresh_from_db()
    assert record.deleted_at is None and record.version == 1


def test_analysts_may_not_delete(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    record = create(make_user(org), org)
    analyst = make_user(make_org(collections=()))
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(slug="core"))
    outcome = records_delete(user=analyst, records=[record], today=TODAY)
    assert not outcome.changed and isinstance(outcome.refused[0][1], RecordWriteRefused)


def test_delete_hides_everywhere_restore_brings_back_purge_removes(
        core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)
    support = make_user(None, role="support")
    record, kept = create(user, org), create(user, org, tenancycode="T-2")
    outcome = records_delete(user=user, records=[record], today=TODAY)
    assert [r.pk for r in outcome.changed] == [record.pk]
    assert not records_visible_to(user=user).filter(pk=record.pk).exists()
    assert not records_visible_to(user=support).filter(pk=record.pk).exists()
    assert records_visible_to(user=user).filter(pk=kept.pk).exists()
    assert not Record.objects.filter(pk=record.pk).exists()
    stored = Record.everything.get(pk=record.pk)
    assert stored.deleted_by_id == user.pk and stored.deleted_at is not None
    assert DELETED in RecordChange.objects.filter(record=record).order_by("-pk")[0].changed
    event = AuditEvent.objects.get(action="records_deleted", actor=user)
    assert event.details["count"] == 1 and event.details["records"] == [str(record.public_id)]
    # A deleted record cannot be changed through the write path.
    with pytest.raises(Record.DoesNotExist):
        record_update(record=record, user=user, changes={"tenancycode": "X"}, today=TODAY)

    with pytest.raises(RecordNotYours):
        record_restore(actor=user, record=stored)
    record_restore(actor=support, record=stored)
    assert records_visible_to(user=user).filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(action="record_restored", actor=support).exists()

    records_delete(user=user, records=[record], today=TODAY)
    assert purge_deleted_records(now=timezone.now() + timedelta(days=29)) == 0
    assert Record.everything.filter(pk=record.pk).exists()
    assert purge_deleted_records(now=timezone.now() + timedelta(days=31)) == 1
    assert not Record.everything.filter(pk=record.pk).exists()
    assert not RecordChange.objects.filter(record_id=record.pk).exists()
    assert Record.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(action="records_purged").exists()


def test_records_of_a_user_who_left_are_found_for_reassigning(core: Any, make_org: Any, make_user: Any) -> None:
    org, elsewhere = make_org(), make_org()
    coordinator = make_user(org, role="data_coordinator")
    leaver, mover, stayer = make_user(org), make_user(org), make_user(org)
    records = {who: create(coordinator, org, assigned_to=who.email) for who in (leaver, mover, stayer)}
    leaver.is_active = False
    leaver.save()
    mover.organisation = elsewhere
    mover.save()
    away = set(records_assigned_away(user=coordinator).values_list("pk", flat=True))
    assert away == {records[leaver].pk, records[mover].pk}
    records_assign(user=coordinator, records=records_assigned_away(user=coordinator), assignee=stayer, today=TODAY)
    assert set(Record.objects.filter(assigned_to=stayer).values_list("pk", flat=True)) == {
        r.pk for r in records.values()}


def test_the_scheduled_task_purges_every_collection(core: Any, make_org: Any, make_user: Any, settings: Any) -> None:
    from dcp_platform.records.tasks import purge_deleted

    assert settings.CELERY_BEAT_SCHEDULE["records-purge-deleted"]["task"] == purge_deleted.name
    org = make_org()
    user = make_user(org)
    record = create(user, org)
    records_delete(user=user, records=[record], today=TODAY)
    Record.everything.filter(pk=record.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert purge_deleted()["core"] == 1
    assert not Record.everything.filter(pk=record.pk).exists()
