"""A record's life after it is written: assigning, deleting, restoring and purging (part of the one write path).

Every change here makes the checks every channel's write makes (records.services): department analysts read
only, the user must act for the record's owning or managing organisation (the organisations whose records they
may see and change), and the record's collection window must allow edits. Each change bumps the record's
version and leaves a history row (RecordChange, with the channel); deleting, restoring and purging are also in
the audit trail.

Deleted records are soft deleted: `Record.objects` never returns them (models.LiveRecordManager), so they leave
every list, download and figure; support may restore them for DCP_DELETED_RECORDS_KEPT_DAYS days, after which
`purge_deleted_records` (a scheduled task) removes them and their history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import User
from dcp_platform.accounts.selectors import record_organisation_ids_for_user
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.records.services import (
    ASSIGNED_TO,
    DELETED,
    AssigneeNotAllowed,
    RecordNotYours,
    RecordWriteRefused,
    WindowClosed,
    WriteContext,
    current_collection_slug,
)
from dcp_platform.registry import definition_for

NOT_YOURS = "You cannot change this record: it belongs to an organisation you do not act for."


def kept_days() -> int:
    return int(getattr(settings, "DCP_DELETED_RECORDS_KEPT_DAYS", 30))


@dataclass
class Outcome:
    """What a change to a selection of records did: the records changed, and why each other one was not."""

    changed: list[Record] = field(default_factory=list)
    refused: list[tuple[Record, RecordWriteRefused]] = field(default_factory=list)


def may_act_on(*, user: User, record: Record) -> bool:
    """The user may change this record: it belongs to an organisation whose records they may see and change (as
    records_visible_to scopes reads), and they are not a read-only analyst (checked by `_refusal`)."""
    organisation_ids = record_organisation_ids_for_user(user=user)
    if organisation_ids is None:
        return user.is_active
    if record.owning_organisation_id is None and record.managing_organisation_id is None:
        return record.created_by_id == user.pk
    return bool({record.owning_organisation_id, record.managing_organisation_id} & organisation_ids)


def _refusal(ctx: WriteContext, record: Record) -> RecordWriteRefused | None:
    """Why this user may not change this record at all, or None (the checks of every write but the answers')."""
    if ctx.read_only:
        return RecordNotYours(ctx.read_only)
    if not may_act_on(user=ctx.user, record=record):
        return RecordNotYours(NOT_YOURS)
    window = ctx.window_refusal(year=record.year, record_date=record.record_date, action="edit")
    if window is not None:
        return WindowClosed(window)
    return None


def _locked(records: Iterable[Record]) -> list[Record]:
    ids = [record.pk for record in records]
    return list(Record.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _touch(record: Record, user: User) -> None:
    record.version += 1
    record.updated_by = user
    record.updated_at = timezone.now()


def may_hold(*, user: User, record: Record) -> bool:
    """The user may be assigned this record: an active user of its owning or managing organisation."""
    return bool(user.is_active and user.organisation_id is not None and user.organisation_id in (
        record.owning_organisation_id, record.managing_organisation_id))


@transaction.atomic
def records_assign(
    *, user: User, records: Iterable[Record], assignee: User | None, channel: str = "web",
    api_key_id: int | None = None, today: date | None = None,
) -> Outcome:
    """Assign each record to `assignee` (None: to nobody). The definition's assignee question's answer follows,
    so the record's answers, its download and the API say the same."""
    ctx = WriteContext.for_user(user, today)
    outcome = Outcome()
    for record in _locked(records):
        refusal = _refusal(ctx, record)
        if refusal is None and assignee is not None and not may_hold(user=assignee, record=record):
            refusal = AssigneeNotAllowed(
                f"{assignee.name or assignee.email} cannot be assigned {record.reference or 'this record'}: they are "
                "not an active user of its owning or managing organisation.")
        if refusal is not None:
            outcome.refused.append((record, refusal))
            continue
        new_id = assignee.pk if assignee is not None else None
        if record.assigned_to_id == new_id:
            outcome.changed.append(record)
            continue
        changed: dict[str, list[object]] = {ASSIGNED_TO: [record.assigned_to_id, new_id]}
        question_id = definition_for(current_collection_slug(), record.form, record.year).assignee_question
        if question_id:
            old_answer = (record.answers or {}).get(question_id)
            answers = dict(record.answers or {})
            if assignee is None:
                answers.pop(question_id, None)
            else:
                answers[question_id] = assignee.email
            if answers.get(question_id) != old_answer:
                changed[question_id] = [old_answer, answers.get(question_id)]
            record.answers = answers
        record.assigned_to_id = new_id
        _touch(record, user)
        record.save(update_fields=["assigned_to", "answers", "version", "updated_by", "updated_at"])
        RecordChange.objects.create(record=record, user=user, channel=channel, api_key_id=api_key_id, changed=changed)
        outcome.changed.append(record)
    return outcome


@transaction.atomic
def records_delete(
    *, user: User, records: Iterable[Record], channel: str = "web", api_key_id: int | None = None,
    today: date | None = None, request: HttpRequest | None = None,
) -> Outcome:
    """Soft delete each record the user may change (see the module's docstring); audited."""
    ctx = WriteContext.for_user(user, today)
    outcome = Outcome()
    now = timezone.now()
    for record in _locked(records):
        refusal = _refusal(ctx, record)
        if refusal is not None:
            outcome.refused.append((record, refusal))
            continue
        record.deleted_at = now
        record.deleted_by = user
        _touch(record, user)
        record.save(update_fields=["deleted_at", "deleted_by", "version", "updated_by", "updated_at"])
        RecordChange.objects.create(record=record, user=user, channel=channel, api_key_id=api_key_id,
                                    changed={DELETED: [None, now.isoformat()]})
        outcome.changed.append(record)
    if outcome.changed:
        audit_record(action="records_deleted", actor=user, request=request, details={
            "collection": current_collection_slug(), "channel": channel, "count": len(outcome.changed),
            "records": [str(record.public_id) for record in outcome.changed][:1000]})
    return outcome


def deleted_records() -> QuerySet[Record]:
    """Deleted records that can still be restored (support's list), most recently deleted first."""
    return Record.everything.filter(deleted_at__isnull=False).order_by("-deleted_at")


@transaction.atomic
def record_restore(*, actor: User, record: Record, request: HttpRequest | None = None) -> Record:
    """Support brings a deleted record back, as it was; audited."""
    if not (actor.is_active and actor.is_support):
        raise RecordNotYours("Only support can restore deleted records.")
    locked = Record.everything.select_for_update().get(pk=record.pk)
    if locked.deleted_at is None:
        return locked
    deleted_at = locked.deleted_at
    locked.deleted_at = None
    locked.deleted_by = None
    _touch(locked, actor)
    locked.save(update_fields=["deleted_at", "deleted_by", "version", "updated_by", "updated_at"])
    RecordChange.objects.create(record=locked, user=actor, channel="system",
                                changed={DELETED: [deleted_at.isoformat(), None]})
    audit_record(action="record_restored", actor=actor, request=request, details={
        "collection": current_collection_slug(), "record": str(locked.public_id), "reference": locked.reference})
    return locked


def purge_deleted_records(*, now: datetime | None = None) -> int:
    """Remove records deleted more than DCP_DELETED_RECORDS_KEPT_DAYS ago, with their history (the current
    collection's schema); audited with the number removed."""
    cutoff = (now or timezone.now()) - timedelta(days=kept_days())
    with transaction.atomic():
        expired = Record.everything.filter(deleted_at__lt=cutoff)
        ids = list(expired.values_list("pk", flat=True))
        if not ids:
            return 0
        RecordChange.objects.filter(record_id__in=ids).delete()
        Record.everything.filter(pk__in=ids).delete()
    audit_record(action="records_purged", details={"collection": current_collection_slug(), "count": len(ids),
                                                   "deleted_before": cutoff.isoformat()})
    return len(ids)


def records_assigned_away(*, user: User) -> QuerySet[Record]:
    """Records (that this user may see and change) whose assignee may no longer hold them: deactivated, or now in
    an organisation that neither owns nor manages the record. A coordinator reassigns them."""
    return records_visible_to(user=user).filter(assigned_to__isnull=False).filter(
        Q(assigned_to__is_active=False)
        | (~Q(assigned_to__organisation_id=F("owning_organisation_id"))
           & ~Q(assigned_to__organisation_id=F("managing_organisation_id")))
    )
