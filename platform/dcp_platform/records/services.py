"""Writing records: the ONE write path shared by the web form, bulk upload and the API.

Every write evaluates the record against its collection-year definition (derived values, clearing answers
that no longer apply, hard and soft problems, status), checks the collection window and the organisations
the user may submit for, stores the result and records the change in the record's history.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from dcp_platform.accounts.models import Organisation, User
from dcp_platform.accounts.selectors import SubmittingFor, related_organisations_for, submitting_for
from dcp_platform.cms.windows import check_window
from dcp_platform.definitions import Definition, EvalContext, Evaluation, Problem
from dcp_platform.lookups.adapters import prepare_lookups
from dcp_platform.records.copying import json_text, mark_saved, record_json_text, stored_json, take_ids
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.writing import (
    changed_answers,
    first_history_json,
    history_row,
    insert_many,
    insert_one,
    record_date_of,
    record_row,
    record_values,
    reference_of,
    search_text_of,
)
from dcp_platform.registry import definition_for
from dcp_platform.tenancy.selectors import is_analyst


class RecordWriteRefused(Exception):
    """A write the platform refuses as a whole; `message` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # The record's other refusals, found in the same check (the API reports them all in one response).
        self.also: list[RecordWriteRefused] = []


class WindowClosed(RecordWriteRefused):
    """The record's collection window does not allow this create or edit today."""


class OrganisationNotAllowed(RecordWriteRefused):
    """The user may not submit records for the organisation named in the answers (`question_id` names it)."""

    def __init__(self, message: str, question_id: str | None = None) -> None:
        super().__init__(message)
        self.question_id = question_id


class AssigneeNotAllowed(RecordWriteRefused):
    """The user named as the record's assignee is not an active user of its owning or managing organisation."""

    def __init__(self, message: str, question_id: str | None = None) -> None:
        super().__init__(message)
        self.question_id = question_id


class RecordNotYours(RecordWriteRefused):
    """The record belongs to organisations the user may not act for (assign, delete, merge into)."""


class ReadOnlyAccess(RecordWriteRefused):
    """The user reads this collection's records but never changes them (a department analyst)."""


# History rows name answers by question id; what happens to the record itself has these keys ("@" is never in a
# question id): who it is assigned to ([old user id, new user id]), and its deletion and restoring.
ASSIGNED_TO = "@assigned_to"
DELETED = "@deleted"

ANALYST_READ_ONLY = "As an analyst of this collection you can see its records but not create or change them."


class VersionConflict(RecordWriteRefused):
    """Someone else changed the record since the caller read it (optimistic concurrency)."""


class DerivedValueGiven(RecordWriteRefused):
    """Derived values are worked out by the platform and never accepted as input."""


class HardProblemsFound(RecordWriteRefused):
    """Channels that refuse invalid answers outright (the API) get the evaluation back; nothing is stored."""

    def __init__(self, evaluation: Evaluation) -> None:
        super().__init__("The record has answers that are not valid")
        self.evaluation = evaluation


@dataclass
class RecordResult:
    record: Record
    evaluation: Evaluation
    hard_problems: list[Problem]
    soft_problems: list[Problem]
    # The record's answers and derived values as the JSON text that was stored, when a batch encoded them: in
    # the API's own format (compact, characters as they are), so that its response can reuse the text.
    stored_json: tuple[str, str] | None = None


def current_collection_slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _organisations_by_code(codes: list[str]) -> dict[str, Organisation]:
    return {org.code: org for org in Organisation.objects.filter(code__in=[c for c in codes if c])}


def build_eval_context(
    *, definition: Definition, answers: dict[str, Any], today: date | None = None,
    known: Mapping[str, KnownOrganisation] | None = None,
) -> EvalContext:
    """Facts the rules need that are not answers: the provider types of the organisations named in the answers.

    `known` (organisations by code) saves the query when the caller has already loaded them.
    """
    codes = [str(c) for c in (answers.get(q) for q in (definition.owner_question, definition.manager_question) if q) if c]
    orgs: dict[str, KnownOrganisation] = {code: known[code] for code in codes if code in known} if known is not None else {}
    if len(orgs) < len(set(codes)):
        orgs.update(_organisations_by_code([c for c in codes if c not in orgs]))
    extra: dict[str, Any] = {}
    for role, question_id in (("owning", definition.owner_question), ("managing", definition.manager_question)):
        org = orgs.get(str(answers.get(question_id))) if question_id else None
        extra[f"{role}_organisation_provider_type"] = org.provider_type if org else None
    return EvalContext(today=today or timezone.localdate(), extra=extra)


@functools.lru_cache(maxsize=64)
def _derived_ids(definition: Definition) -> frozenset[str]:
    return frozenset(d.id for d in definition.derived)  # definitions never change once loaded


def _refuse_derived_input(definition: Definition, answers: dict[str, Any]) -> None:
    derived_ids = _derived_ids(definition)
    if not derived_ids.isdisjoint(answers):
        given = sorted(derived_ids.intersection(answers))
        raise DerivedValueGiven(
            f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} worked out from other answers and cannot be sent"
        )


# (user id, role, organisation id, active) -> the SQL and parameters of related_organisations_for(user). Only the
# statement is kept, never its rows: every write still reads the organisations and their relationships afresh.
_allowed_statements: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]] | None] = {}
_ALLOWED_STATEMENTS_KEPT = 2000


class AllowedOrganisations(dict[str, Organisation]):
    """The organisations (by code) the user may name on a record, and which way round (`submitting`): the
    relationships decide who may be the owner and who the manager."""

    submitting: SubmittingFor | None = None


def _allowed(organisations: dict[str, Organisation], user: User) -> AllowedOrganisations:
    allowed = AllowedOrganisations(organisations)
    allowed.submitting = submitting_for(user=user)
    return allowed


def allowed_organisations(*, user: User) -> AllowedOrganisations:
    """Organisations (by code) the user may submit records for: related_organisations_for, read on every write.

    Building and compiling that queryset cost more than running it, on every write of every channel, so each
    process keeps the compiled statement per user (and the fields of theirs that decide it) and runs it on a
    plain cursor. Querysets are lazy: building one reads nothing, so the statement cannot hold stale data.
    """
    key = (user.pk, user.role, user.organisation_id, user.is_active)
    statement = _allowed_statements.get(key, ...)
    if statement is ...:
        organisations = related_organisations_for(user=user)
        query = organisations.query
        if query.select or query.annotations or query.extra or query.deferred_loading != (frozenset(), True):
            return _allowed({org.code: org for org in organisations}, user)  # not whole rows: the ORM reads them
        try:
            statement = query.sql_with_params()
        except EmptyResultSet:  # an empty queryset (no organisation): nothing to ask
            statement = None
        if len(_allowed_statements) >= _ALLOWED_STATEMENTS_KEPT:
            _allowed_statements.clear()
        _allowed_statements[key] = statement
    if statement is None:
        return _allowed({}, user)
    names = [field.attname for field in Organisation._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    return _allowed({org.code: org for org in (Organisation.from_db(connection.alias, names, row) for row in rows)}, user)


def duplicate_key(definition: Definition, answers: dict[str, Any]) -> int | None:
    """A 64-bit digest of the definition's duplicate-check answers (None when one is missing): a few bytes per
    record however long the answers are (signed, as PostgreSQL's bigint that keeps it)."""
    if not definition.duplicate_check:
        return None
    parts = [answers.get(q) for q in definition.duplicate_check]
    if any(v in (None, "") for v in parts):
        return None
    text = "\x1f".join(str(v).lower() for v in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


# ---------------------------------------------------------------------------------------------- the checks
# Every check that applies to every write, whatever the channel. The web form and the API call them through
# WriteContext (_check below); bulk upload calls them row by row (uploads/evaluating.py, uploads/processing.py),
# where a refusal becomes a problem of the row rather than an exception.


class KnownOrganisation(Protocol):
    """What the checks read of an organisation the user may submit for (an Organisation, or an upload worker's
    copy of what it needs)."""

    @property
    def pk(self) -> Any: ...

    @property
    def provider_type(self) -> str | None: ...


def read_only_reason(user: User) -> str | None:
    """Why the user may not write in this collection at all (a department analyst reads only), or None."""
    return ANALYST_READ_ONLY if is_analyst(user=user, collection_slug=current_collection_slug()) else None


def refused_organisations(
    definition: Definition, answers: dict[str, Any], allowed: Mapping[str, object],
    submitting: SubmittingFor | None = None,
) -> list[tuple[str, str, str]]:
    """(question, code, why) of each organisation named in the answers that the user may not submit for, or that
    goes against the relationships' direction (a managing agent named as owner): the one check of every
    channel."""
    refused = []
    codes: dict[str, str | None] = {}
    for role, question_id in (("owner", definition.owner_question), ("manager", definition.manager_question)):
        code = answers.get(question_id) if question_id else None
        codes[role] = str(code) if code else None
        if code and str(code) not in allowed:
            refused.append((str(question_id), str(code), f"You cannot submit records for the organisation {code}"))
    submitting = submitting or getattr(allowed, "submitting", None)
    if not refused and submitting is not None:
        problem = submitting.problem(codes["owner"], codes["manager"])
        if problem is not None:
            role, why = problem
            question_id = definition.owner_question if role == "owner" else definition.manager_question
            refused.append((str(question_id), str(codes[role]), why))
    return refused


def window_refusal(
    *, year: int, record_date: date | None, action: str, today: date | None,
    cache: dict[tuple[Any, ...], str | None] | None = None,
) -> str | None:
    """Why the collection window refuses this create or edit (cms.windows.check_window), or None. `cache` keeps
    the decisions of one request or upload (the same day throughout)."""
    key = (year, record_date, action, today)
    if cache is not None and key in cache:
        return cache[key]
    decision = check_window(year=year, record_date=record_date, action=action, today=today)  # type: ignore[arg-type]
    message = None if decision.allowed else decision.message
    if cache is not None:
        cache[key] = message
    return message


def evaluation_context(
    definition: Definition, answers: dict[str, Any], *, allowed: Mapping[str, KnownOrganisation], today: date,
    extras: dict[tuple[Any, Any], dict[str, Any]] | None = None, look_up_others: bool = True,
) -> EvalContext:
    """build_eval_context(...) for a write: the provider types of the organisations named in the answers.

    `extras` remembers them per pair of organisations the user may submit for (each record still gets its own
    EvalContext and dict). `look_up_others=False` reads no database (upload worker processes): an organisation
    the user may not submit for, whose row is refused anyway, counts as unknown.

    Where the database may be used, the lookups the definition's derived values call (postcode -> local authority,
    lookups.adapters) are prepared first; an upload prepares them before forking its workers.
    """
    if look_up_others:
        prepare_lookups()
    owner = answers.get(definition.owner_question) if definition.owner_question else None
    manager = answers.get(definition.manager_question) if definition.manager_question else None
    if (type(owner) is str or owner is None) and (type(manager) is str or manager is None):
        extra = extras.get((owner, manager)) if extras is not None else None
        if extra is None and all(code in allowed for code in (owner, manager) if code):
            extra = build_eval_context(definition=definition, answers=answers, today=today, known=allowed).extra
            if extras is not None:
                extras[(owner, manager)] = extra
        if extra is not None:
            return EvalContext(today=today, extra=dict(extra))
    if not look_up_others:
        return EvalContext(today=today, extra={
            f"{role}_organisation_provider_type": getattr(allowed.get(str(code)) if code else None, "provider_type", None)
            for role, code in (("owning", owner), ("managing", manager))
        })
    return build_eval_context(definition=definition, answers=answers, today=today, known=allowed)


class Assignees:
    """Who may hold records of a pair of organisations: their active users, by lower-case email address, read once
    per pair (a batch or an upload names the same few). Every channel resolves "assigned to" through `resolve`."""

    def __init__(self) -> None:
        self._users: dict[frozenset[int], dict[str, int]] = {}
        self._holders: dict[frozenset[int], frozenset[int]] = {}

    def users_of(self, organisation_ids: frozenset[int]) -> dict[str, int]:
        users = self._users.get(organisation_ids)
        if users is None:
            users = {email.lower(): pk for email, pk in User.objects.filter(
                organisation_id__in=organisation_ids, is_active=True).values_list("email", "pk")}
            self._users[organisation_ids] = users
        return users

    def resolve(
        self, *, answer: Any, changed: bool, current: int | None, writer: User, owner_id: int | None,
        manager_id: int | None, question_id: str | None, lenient: bool = False,
    ) -> int | None:
        """The id of the user the record is assigned to after this write (None: nobody).

        `answer` is the assignee question's answer (None when the definition has none), `changed` whether this
        write changed it, `current` the record's assignee before it. A named user must be an active user of the
        owning or managing organisation (AssigneeNotAllowed otherwise, unless `lenient`: previous years' records);
        no answer means the writer, when they may hold it. An assignee who no longer may hold the record (they
        were deactivated or moved organisation) is taken off it.
        """
        organisation_ids = frozenset(pk for pk in (owner_id, manager_id) if pk is not None)
        users = self.users_of(organisation_ids) if organisation_ids else {}
        email = str(answer).strip().lower() if answer not in (None, "") else ""
        if changed and email:
            if email in users:
                return users[email]
            if lenient:
                return None
            raise AssigneeNotAllowed(
                f"{answer} is not an active user of the owning or managing organisation. Enter the email address of "
                "someone in either organisation, or leave it empty to assign the record to yourself.",
                question_id=question_id,
            )
        if changed:  # a new record, or the answer emptied: the writer, when they may hold it
            return writer.pk if writer.is_active and writer.organisation_id in organisation_ids else None
        if current is not None and self.may_hold(organisation_ids, current):
            return current
        return users.get(email) if email else None

    def may_hold(self, organisation_ids: frozenset[int], user_id: int) -> bool:
        if organisation_ids not in self._holders:
            self._holders[organisation_ids] = frozenset(self.users_of(organisation_ids).values())
        return user_id in self._holders[organisation_ids]


@dataclass
class WriteContext:
    """What one request's writes share: the organisations the user may submit for and window decisions."""

    user: User
    allowed: Mapping[str, Organisation]
    today: date | None = None
    windows: dict[tuple[Any, ...], str | None] | None = None
    # (owner answer, manager answer) -> build_eval_context's extra values, where both were texts among `allowed`
    # (or absent): the records of a batch name the same few organisations.
    extras: dict[tuple[Any, Any], dict[str, Any]] = field(default_factory=dict)
    # Why this user may not write here at all (every write refused with it), or None.
    read_only: str | None = None
    # Previous years' records loaded from the old service (exports.importing): they were submitted in their own
    # year's window, so today's windows do not apply. Never set for a person's write.
    historical: bool = False
    assignees: Assignees = field(default_factory=Assignees)

    @classmethod
    def for_user(cls, user: User, today: date | None = None) -> WriteContext:
        # Today is fixed once per request: every record of a batch is checked against the same day.
        return cls(user=user, allowed=allowed_organisations(user=user), today=today or timezone.localdate(),
                   windows={}, read_only=read_only_reason(user))

    def refuse_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyAccess(self.read_only)

    def organisations(
        self, definition: Definition, answers: dict[str, Any]
    ) -> tuple[Organisation | None, Organisation | None]:
        """The owning and managing organisations named in the answers; OrganisationNotAllowed unless the user may
        submit for them."""
        refused = refused_organisations(definition, answers, self.allowed)
        if refused:
            question_id, code, why = refused[0]
            message = f"{why}. Choose your organisation or one it submits for." if code not in self.allowed else f"{why}."
            raise OrganisationNotAllowed(message, question_id=question_id)
        owner = answers.get(definition.owner_question) if definition.owner_question else None
        manager = answers.get(definition.manager_question) if definition.manager_question else None
        return (self.allowed[str(owner)] if owner else None), (self.allowed[str(manager)] if manager else None)

    def window_refusal(self, *, year: int, record_date: date | None, action: str) -> str | None:
        if self.historical:
            return None
        return window_refusal(year=year, record_date=record_date, action=action, today=self.today, cache=self.windows)

    def eval_context(self, definition: Definition, answers: dict[str, Any]) -> EvalContext:
        return evaluation_context(definition, answers, allowed=self.allowed, today=self.today or timezone.localdate(),
                                  extras=self.extras)


@dataclass(slots=True)
class _Checked:
    """A write that passed evaluation and every check: the record's new values, not yet set on any record."""

    evaluation: Evaluation
    answers: dict[str, Any]
    derived: dict[str, Any]
    confirmations: dict[str, Any]
    record_date: date | None
    reference: str
    search_text: str
    owner: Organisation | None
    manager: Organisation | None
    assignee_id: int | None = None


def _assignee(
    definition: Definition, stored: dict[str, Any], ctx: WriteContext, record: Record | None,
    owner: Organisation | None, manager: Organisation | None,
) -> int | None:
    """The record's assignee after this write (Assignees.resolve), from the checked answers and organisations."""
    existing = record is not None and record.pk is not None
    own = ctx.user.organisation_id
    owner_id = owner.pk if owner else (record.owning_organisation_id if existing else own)  # type: ignore[union-attr]
    manager_id = manager.pk if manager else (record.managing_organisation_id if existing else own)  # type: ignore[union-attr]
    question_id = definition.assignee_question
    answer = stored.get(question_id) if question_id else None
    old = (record.answers or {}).get(question_id) if existing and question_id else None  # type: ignore[union-attr]
    return ctx.assignees.resolve(
        answer=answer, changed=not existing or answer != old, current=record.assigned_to_id if existing else None,  # type: ignore[union-attr]
        writer=ctx.user, owner_id=owner_id, manager_id=manager_id, question_id=question_id, lenient=ctx.historical,
    )


def _check(
    *,
    definition: Definition,
    year: int,
    answers: dict[str, Any],
    confirmations: dict[str, Any],
    ctx: WriteContext,
    action: str,
    refuse_hard_problems: bool = False,
    record: Record | None = None,
) -> _Checked:
    """Evaluate a record's new answers and check the window, organisations and assignee (RecordWriteRefused if
    refused). `record`: the record being changed (None for a new one)."""
    ctx.refuse_read_only()
    _refuse_derived_input(definition, answers)
    evaluation = definition.evaluate(answers, confirmations=confirmations, context=ctx.eval_context(definition, answers))
    stored = evaluation.answers
    record_date = record_date_of(definition, stored)
    window = ctx.window_refusal(year=year, record_date=record_date, action=action)
    refusals: list[RecordWriteRefused] = []
    # (Answers sent that the other answers make not apply, in a combination a hard rule refuses, refuse it too.)
    if refuse_hard_problems and (evaluation.hard_problems or evaluation.cleared_problems):
        refusals.append(HardProblemsFound(evaluation))
    if window is not None:
        refusals.append(WindowClosed(window))
    owner = manager = None
    assignee_id = None
    try:
        owner, manager = ctx.organisations(definition, stored)
    except OrganisationNotAllowed as refused:
        refusals.append(refused)
    else:
        try:
            assignee_id = _assignee(definition, stored, ctx, record, owner, manager)
        except AssigneeNotAllowed as refused:
            refusals.append(refused)
    if refusals:
        # Every problem of the record at once, not one stage at a time: the first, with the others.
        refusals[0].also = refusals[1:]
        raise refusals[0]
    # Keep only confirmations that still match a current soft problem's values: stale ones ask again.
    live_keys = {p.confirmation_key for p in evaluation.confirmed}
    kept_confirmations = {key: value for key, value in confirmations.items() if key in live_keys}
    return _Checked(
        evaluation=evaluation, answers=stored, derived=evaluation.derived_json(), confirmations=kept_confirmations,
        record_date=record_date, reference=reference_of(definition, stored), search_text=search_text_of(definition, stored),
        owner=owner, manager=manager, assignee_id=assignee_id,
    )


def _prepare(
    *,
    record: Record,
    definition: Definition,
    answers: dict[str, Any],
    confirmations: dict[str, Any],
    ctx: WriteContext,
    action: str,
    refuse_hard_problems: bool = False,
) -> tuple[RecordResult, dict[str, list[Any]]]:
    """Evaluate and check a record's new answers and set them on the (unsaved) record; returns what changed."""
    checked = _check(
        definition=definition, year=record.year, answers=answers, confirmations=confirmations, ctx=ctx,
        action=action, refuse_hard_problems=refuse_hard_problems, record=record,
    )
    user = ctx.user
    old_answers = dict(record.answers or {})
    old_assignee = record.assigned_to_id
    evaluation = checked.evaluation
    record.answers = checked.answers
    record.derived = checked.derived
    record.confirmations = checked.confirmations
    record.status = evaluation.status
    record.record_date = checked.record_date
    record.reference = checked.reference
    record.search_text = checked.search_text
    # Until the setup names the organisations, the record belongs to the user's own organisation.
    record.owning_organisation = checked.owner or (record.owning_organisation if record.pk else user.organisation)
    record.managing_organisation = checked.manager or (record.managing_organisation if record.pk else user.organisation)
    record.updated_by = user
    record.assigned_to_id = checked.assignee_id
    if record.pk:
        record.version += 1
    result = RecordResult(record, evaluation, evaluation.hard_problems, evaluation.soft_problems)
    changed = changed_answers(old_answers, checked.answers)
    if record.pk and old_assignee != checked.assignee_id:
        changed[ASSIGNED_TO] = [old_assignee, checked.assignee_id]
    return result, changed


def _store(
    *,
    record: Record,
    definition: Definition,
    answers: dict[str, Any],
    confirmations: dict[str, Any],
    ctx: WriteContext,
    channel: str,
    api_key_id: int | None,
    action: str,
    refuse_hard_problems: bool = False,
) -> RecordResult:
    result, changed = _prepare(
        record=record, definition=definition, answers=answers, confirmations=confirmations, ctx=ctx, action=action,
        refuse_hard_problems=refuse_hard_problems,
    )
    change = RecordChange(record=record, user=ctx.user, channel=channel, api_key_id=api_key_id, changed=changed)
    if action == "create":
        insert_record_with_history(record, change)
    else:
        record.save()
        if changed:
            change.save()
    return result


def insert_record_with_history(record: Record, change: RecordChange) -> None:
    """Store a new record and its history row in one statement (writing.insert_one): one round trip, not four.

    The values are the objects' own: `save()` would send the same, once `pre_save` has filled the `auto_now`
    dates, which is done here. So the stored rows are what `record.save()` and `RecordChange.objects.create()`
    stored (tested). No signals are sent (none are connected to either model).
    """
    record.created_at = timezone.now()
    record.updated_at = timezone.now()
    change.at = timezone.now()
    values = record_values(record, answers=record_json_text(record.answers), derived=record_json_text(record.derived),
                           confirmations=json_text(record.confirmations))
    history = history_row(record_id=None, at=change.at, user_id=change.user_id, channel=change.channel,
                          api_key_id=change.api_key_id, changed=stored_json(change.changed))
    record.pk, change.pk = insert_one(values, history)
    change.record = record
    mark_saved(record)
    mark_saved(change)


def record_create(
    *,
    collection_slug: str | None = None,
    form: str,
    year: int,
    user: User,
    answers: dict[str, Any] | None = None,
    confirmations: dict[str, Any] | None = None,
    channel: str = "web",
    api_key_id: int | None = None,
    visible: bool = True,
    upload_id: int | None = None,
    upload_row: int | None = None,
    today: date | None = None,
    refuse_hard_problems: bool = False,
    ctx: WriteContext | None = None,
) -> RecordResult:
    # No transaction of its own: the reads before it need none, and the write is one statement.
    definition = definition_for(collection_slug or current_collection_slug(), form, year)
    record = Record(
        form=form, year=year, created_by=user, source_channel=channel, visible=visible,
        upload_id=upload_id, upload_row=upload_row,
    )
    return _store(
        record=record, definition=definition, answers=dict(answers or {}), confirmations=dict(confirmations or {}),
        ctx=ctx or WriteContext.for_user(user, today), channel=channel, api_key_id=api_key_id, action="create",
        refuse_hard_problems=refuse_hard_problems,
    )


_RECORD_ATTNAMES = tuple(field.attname for field in Record._meta.concrete_fields)


def new_record(values: Sequence[Any]) -> Record:
    """Record(*values) (every field, in the model's order) without Model.__init__'s work field by field: a fifth
    of its time, the same object as long as no pre_init or post_init receiver listens to Record (the caller checks:
    they would not be called)."""
    record = Record.__new__(Record)
    record._state = ModelState()
    record.__dict__.update(zip(_RECORD_ATTNAMES, values, strict=True))
    return record


@dataclass
class NewRecord:
    answers: dict[str, Any]
    confirmations: dict[str, Any]


def records_create_many(
    *,
    collection_slug: str | None = None,
    form: str,
    year: int,
    user: User,
    new_records: list[NewRecord],
    channel: str,
    api_key_id: int | None = None,
    refuse_hard_problems: bool = False,
    today: date | None = None,
    historical: bool = False,
) -> list[RecordResult | RecordWriteRefused]:
    """Create many records in one transaction; each succeeds or is refused on its own (results in input order).

    The same checks as record_create, with the organisations and window decisions looked up once. `historical`:
    previous years' records from the old service, which no window check applies to (see WriteContext).
    """
    definition = definition_for(collection_slug or current_collection_slug(), form, year)
    ctx = WriteContext.for_user(user, today)
    ctx.historical = historical
    own = user.organisation
    plain_init = not (pre_init.has_listeners(Record) or post_init.has_listeners(Record))
    outcomes: list[RecordResult | RecordWriteRefused] = []
    created: list[tuple[Record, str, str]] = []  # with its answers and derived values encoded
    histories: list[dict[str, Any]] = []
    for new in new_records:
        try:
            checked = _check(
                definition=definition, year=year, answers=dict(new.answers), confirmations=dict(new.confirmations),
                ctx=ctx, action="create", refuse_hard_problems=refuse_hard_problems,
            )
        except RecordWriteRefused as refused:
            outcomes.append(refused)
            continue
        # The record is made from the checked values directly, with the positional constructor (the model's
        # field order, writing.record_row): a third of the keyword constructor's time, and much less for the
        # cycle collector than a model instance per history row as well.
        owner, manager = checked.owner or own, checked.manager or own
        evaluation = checked.evaluation
        values = record_row(
            id=None, public_id=uuid.uuid4(), form=form, year=year, status=evaluation.status, answers=checked.answers,
            derived=checked.derived, confirmations=checked.confirmations,
            owning_organisation_id=owner.pk if owner else None, managing_organisation_id=manager.pk if manager else None,
            reference=checked.reference, search_text=checked.search_text, record_date=checked.record_date, visible=True,
            source_channel=channel, upload_id=None, upload_row=None, version=1, created_by_id=user.pk,
            updated_by_id=user.pk, created_at=timezone.now(), updated_at=timezone.now(),
            assigned_to_id=checked.assignee_id, deleted_at=None, deleted_by_id=None,
        )
        record = new_record(values) if plain_init else Record(*values)  # type: ignore[misc]  # (stubs: starred)
        # The related objects the keyword constructor would have kept, so reading them needs no query.
        record._state.fields_cache.update(
            owning_organisation=owner, managing_organisation=manager, created_by=user, updated_by=user,
        )
        answers_json, derived_json = record_json_text(checked.answers), record_json_text(checked.derived)
        histories.append(dict(record_id=None, at=timezone.now(), user_id=user.pk, channel=channel,
                              api_key_id=api_key_id, changed=first_history_json(checked.answers)))
        created.append((record, answers_json, derived_json))
        outcomes.append(RecordResult(record, evaluation, evaluation.hard_problems, evaluation.soft_problems,
                                     stored_json=(answers_json, derived_json)))
    if created:
        with transaction.atomic():
            for (record, _, _), history, pk in zip(created, histories, take_ids(Record, len(created)), strict=True):
                record.pk = history["record_id"] = pk
            insert_many(
                (record_values(record, answers=answers, derived=derived, confirmations=json_text(record.confirmations))
                 for record, answers, derived in created),
                (history_row(**history) for history in histories),
            )
        for record, _, _ in created:
            mark_saved(record)
    return outcomes


@transaction.atomic
def record_update(
    *,
    record: Record,
    user: User,
    changes: dict[str, Any],
    confirmations: dict[str, Any] | None = None,
    channel: str = "web",
    api_key_id: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    collection_slug: str | None = None,
    refuse_hard_problems: bool = False,
    ctx: WriteContext | None = None,
) -> RecordResult:
    """Apply changed answers (a value of None removes an answer) and any new soft-problem confirmations."""
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            f"This record was changed by someone else (it is now at version {locked.version}). Read it again first."
        )
    definition = definition_for(collection_slug or current_collection_slug(), locked.form, locked.year)
    answers = dict(locked.answers or {})
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    merged_confirmations = {**(locked.confirmations or {}), **(confirmations or {})}
    result = _store(
        record=locked, definition=definition, answers=answers, confirmations=merged_confirmations,
        ctx=ctx or WriteContext.for_user(user, today), channel=channel, api_key_id=api_key_id, action="edit",
        refuse_hard_problems=refuse_hard_problems,
    )
    record.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return result


def record_check(
    *,
    collection_slug: str | None = None,
    form: str,
    year: int,
    user: User,
    answers: dict[str, Any],
    confirmations: dict[str, Any] | None = None,
    record: Record | None = None,
    today: date | None = None,
    refuse_hard_problems: bool = False,
) -> RecordResult:
    """A dry run of record_create (or of changing `record`): every check of a real write, nothing stored.

    Raises the same RecordWriteRefused errors a write would (with `refuse_hard_problems`, as the API's writes).
    """
    definition = definition_for(collection_slug or current_collection_slug(), form, year)
    if record is not None:
        merged = dict(record.answers or {})
        for key, value in answers.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        answers = merged
        confirmations = {**(record.confirmations or {}), **(confirmations or {})}
        # Work on a copy so the caller's record is untouched.
        target = Record(pk=record.pk, form=record.form, year=record.year, version=record.version,
                        owning_organisation=record.owning_organisation,
                        managing_organisation=record.managing_organisation, answers=record.answers,
                        assigned_to_id=record.assigned_to_id)
    else:
        target = Record(form=form, year=year, created_by=user)
    result, _changed_answers = _prepare(
        record=target, definition=definition, answers=answers, confirmations=dict(confirmations or {}),
        ctx=WriteContext.for_user(user, today), action="edit" if record is not None else "create",
        refuse_hard_problems=refuse_hard_problems,
    )
    return result
