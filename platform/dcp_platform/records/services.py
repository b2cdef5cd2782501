"""Writing records: the ONE write path shared by the web form, bulk upload and the API.

Every write evaluates the record against its collection-year definition (derived values, clearing answers
that no longer apply, hard and soft problems, status), checks the collection window and the organisations
the user may submit for, stores the result and records the change in the record's history.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from dcp_platform.accounts.models import Organisation, User
from dcp_platform.accounts.selectors import related_organisations_for
from dcp_platform.cms.windows import check_window
from dcp_platform.definitions import Definition, EvalContext, Evaluation, Problem
from dcp_platform.records.copying import (
    CHANGE_COLUMNS,
    RECORD_COLUMNS,
    copy_rows,
    history_json,
    json_text,
    mark_saved,
    record_json_text,
    stored_json,
    take_ids,
)
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.registry import definition_for
from dcp_platform.tenancy.selectors import is_analyst


class RecordWriteRefused(Exception):
    """A write the platform refuses as a whole; `message` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WindowClosed(RecordWriteRefused):
    """The record's collection window does not allow this create or edit today."""


class OrganisationNotAllowed(RecordWriteRefused):
    """The user may not submit records for the organisation named in the answers."""


class ReadOnlyAccess(RecordWriteRefused):
    """The user reads this collection's records but never changes them (a department analyst)."""


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


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _organisations_by_code(codes: list[str]) -> dict[str, Organisation]:
    return {org.code: org for org in Organisation.objects.filter(code__in=[c for c in codes if c])}


def build_eval_context(
    *, definition: Definition, answers: dict[str, Any], today: date | None = None,
    known: dict[str, Organisation] | None = None,
) -> EvalContext:
    """Facts the rules need that are not answers: the provider types of the organisations named in the answers.

    `known` (organisations by code) saves the query when the caller has already loaded them.
    """
    codes = [str(c) for c in (answers.get(q) for q in (definition.owner_question, definition.manager_question) if q) if c]
    orgs = {code: known[code] for code in codes if code in known} if known is not None else {}
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


def allowed_organisations(*, user: User) -> dict[str, Organisation]:
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
            return {org.code: org for org in organisations}  # not whole rows in field order: the ORM reads them
        try:
            statement = query.sql_with_params()
        except EmptyResultSet:  # an empty queryset (no organisation): nothing to ask
            statement = None
        if len(_allowed_statements) >= _ALLOWED_STATEMENTS_KEPT:
            _allowed_statements.clear()
        _allowed_statements[key] = statement
    if statement is None:
        return {}
    names = [field.attname for field in Organisation._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    return {org.code: org for org in (Organisation.from_db(connection.alias, names, row) for row in rows)}


def _resolve_organisations(
    *, definition: Definition, answers: dict[str, Any], allowed: dict[str, Organisation]
) -> tuple[Organisation | None, Organisation | None]:
    """The owning and managing organisations named in the answers, refused unless the user may submit for them."""
    resolved: list[Organisation | None] = []
    for question_id in (definition.owner_question, definition.manager_question):
        code = answers.get(question_id) if question_id else None
        if not code:
            resolved.append(None)
            continue
        org = allowed.get(str(code))
        if org is None:
            raise OrganisationNotAllowed(
                f"You cannot submit records for the organisation {code}. Choose your organisation or one it submits for."
            )
        resolved.append(org)
    return resolved[0], resolved[1]


def _check_window(
    *, year: int, record_date: date | None, action: str, today: date | None,
    cache: dict[tuple[Any, ...], str | None] | None = None,
) -> None:
    key = (year, record_date, action, today)
    if cache is not None and key in cache:
        message = cache[key]
    else:
        decision = check_window(year=year, record_date=record_date, action=action, today=today)  # type: ignore[arg-type]
        message = None if decision.allowed else decision.message
        if cache is not None:
            cache[key] = message
    if message is not None:
        raise WindowClosed(message)


def _search_text(definition: Definition, answers: dict[str, Any]) -> str:
    return " ".join(str(answers[q]).lower() for q in definition.search_fields if answers.get(q) not in (None, ""))


def _reference(definition: Definition, answers: dict[str, Any]) -> str:
    return " / ".join(str(answers[q]) for q in definition.record_reference if answers.get(q) not in (None, ""))[:300]


def _changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    if not old:  # a new record (the same result, without comparing every answer with a missing one)
        return {key: [None, new[key]] for key in sorted(new) if new[key] is not None}
    return {key: [old.get(key), new.get(key)] for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


@dataclass
class WriteContext:
    """What one request's writes share: the organisations the user may submit for and window decisions."""

    user: User
    allowed: dict[str, Organisation]
    today: date | None = None
    windows: dict[tuple[Any, ...], str | None] | None = None
    # (owner answer, manager answer) -> build_eval_context's extra values, where both were texts among `allowed`
    # (or absent): the records of a batch name the same few organisations.
    extras: dict[tuple[Any, Any], dict[str, Any]] = field(default_factory=dict)
    # Why this user may not write here at all (every write refused with it), or None.
    read_only: str | None = None

    @classmethod
    def for_user(cls, user: User, today: date | None = None) -> WriteContext:
        # Today is fixed once per request: every record of a batch is checked against the same day.
        read_only = ANALYST_READ_ONLY if is_analyst(user=user, collection_slug=current_collection_slug()) else None
        return cls(user=user, allowed=allowed_organisations(user=user), today=today or timezone.localdate(),
                   windows={}, read_only=read_only)


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


def _eval_context(definition: Definition, answers: dict[str, Any], ctx: WriteContext) -> EvalContext:
    """build_eval_context(...), its extra values remembered per request for organisations the user may submit
    for (each record still gets its own EvalContext and dict)."""
    owner = answers.get(definition.owner_question) if definition.owner_question else None
    manager = answers.get(definition.manager_question) if definition.manager_question else None
    if (type(owner) is str or owner is None) and (type(manager) is str or manager is None):
        extra = ctx.extras.get((owner, manager))
        if extra is None and all(code in ctx.allowed for code in (owner, manager) if code):
            built = build_eval_context(definition=definition, answers=answers, today=ctx.today, known=ctx.allowed)
            ctx.extras[(owner, manager)] = extra = built.extra
        if extra is not None:
            return EvalContext(today=ctx.today or timezone.localdate(), extra=dict(extra))
    return build_eval_context(definition=definition, answers=answers, today=ctx.today, known=ctx.allowed)


def _check(
    *,
    definition: Definition,
    year: int,
    answers: dict[str, Any],
    confirmations: dict[str, Any],
    ctx: WriteContext,
    action: str,
    refuse_hard_problems: bool = False,
) -> _Checked:
    """Evaluate a record's new answers and check the window and organisations (RecordWriteRefused if refused)."""
    if ctx.read_only:
        raise ReadOnlyAccess(ctx.read_only)
    _refuse_derived_input(definition, answers)
    evaluation = definition.evaluate(answers, confirmations=confirmations, context=_eval_context(definition, answers, ctx))
    if refuse_hard_problems and evaluation.hard_problems:
        raise HardProblemsFound(evaluation)
    stored = evaluation.answers
    record_date = _parse_date(stored.get(definition.date_question)) if definition.date_question else None
    _check_window(year=year, record_date=record_date, action=action, today=ctx.today, cache=ctx.windows)
    owner, manager = _resolve_organisations(definition=definition, answers=stored, allowed=ctx.allowed)
    # Keep only confirmations that still match a current soft problem's values: stale ones ask again.
    live_keys = {p.confirmation_key for p in evaluation.confirmed}
    kept_confirmations = {key: value for key, value in confirmations.items() if key in live_keys}
    return _Checked(
        evaluation=evaluation, answers=stored, derived=evaluation.derived_json(), confirmations=kept_confirmations,
        record_date=record_date, reference=_reference(definition, stored), search_text=_search_text(definition, stored),
        owner=owner, manager=manager,
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
        action=action, refuse_hard_problems=refuse_hard_problems,
    )
    user = ctx.user
    old_answers = dict(record.answers or {})
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
    if record.pk:
        record.version += 1
    result = RecordResult(record, evaluation, evaluation.hard_problems, evaluation.soft_problems)
    return result, _changed(old_answers, checked.answers)


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
        _insert_with_history(record, change)
    else:
        record.save()
        if changed:
            change.save()
    return result


@functools.cache
def _insert_with_history_sql() -> str:
    """One INSERT of a new record and its first history row (a data-modifying WITH): the columns of
    RECORD_COLUMNS but the id, then those of CHANGE_COLUMNS but the record's id, as bound parameters."""
    quote = connection.ops.quote_name
    record_columns = RECORD_COLUMNS[1:]
    change_columns = [column for column in CHANGE_COLUMNS if column != "record_id"]

    def names(columns: Sequence[str]) -> str:
        return ", ".join(quote(column) for column in columns)

    def placeholders(columns: Sequence[str]) -> str:
        return ", ".join("%s" for _ in columns)

    # Names come from this module's column lists only (tested against the models); every value is a parameter.
    return (
        f"WITH new_record AS (INSERT INTO {quote(Record._meta.db_table)} ({names(record_columns)}) "  # noqa: S608
        f"VALUES ({placeholders(record_columns)}) RETURNING {quote('id')}) "
        f"INSERT INTO {quote(RecordChange._meta.db_table)} ({quote('record_id')}, {names(change_columns)}) "
        f"VALUES ((SELECT {quote('id')} FROM new_record), {placeholders(change_columns)}) "
        f"RETURNING {quote('record_id')}, {quote('id')}"
    )


def _insert_with_history(record: Record, change: RecordChange) -> None:
    """Store a new record and its history row in one statement (atomic by itself): one round trip, not four.

    The values are the objects' own, as a batch writes them (_record_row): `save()` would send the same, once
    `pre_save` has filled the `auto_now` dates, which is done here. So the stored rows are what `record.save()`
    and `RecordChange.objects.create()` stored (tested). No signals are sent (none are connected to either model).
    """
    record.created_at = timezone.now()
    record.updated_at = timezone.now()
    change.at = timezone.now()
    values = _record_row(record, record_json_text(record.answers), record_json_text(record.derived))[1:]
    history = (change.at, change.user_id, change.channel, change.api_key_id, stored_json(change.changed))
    with connection.cursor() as cursor:
        cursor.execute(_insert_with_history_sql(), values + history)
        record.pk, change.pk = cursor.fetchone()
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


# records_create_many writes copying.RECORD_COLUMNS and CHANGE_COLUMNS. Values are written as they are (no
# field-by-field preparation: they are already what save() sends), JSON encoded here.


def _record_row(r: Record, answers: str, derived: str) -> tuple[Any, ...]:
    """A new record's values in RECORD_COLUMNS order, as the database takes them (its JSON given encoded)."""
    return (
        r.pk, r.public_id, r.form, r.year, r.status, answers, derived, json_text(r.confirmations),
        r.owning_organisation_id, r.managing_organisation_id, r.reference, r.search_text, r.record_date, r.visible,
        r.source_channel, r.upload_id, r.upload_row, r.version, r.created_by_id, r.updated_by_id, r.created_at,
        r.updated_at,
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
) -> list[RecordResult | RecordWriteRefused]:
    """Create many records in one transaction; each succeeds or is refused on its own (results in input order).

    The same checks as record_create, with the organisations and window decisions looked up once.
    """
    definition = definition_for(collection_slug or current_collection_slug(), form, year)
    ctx = WriteContext.for_user(user, today)
    own = user.organisation
    plain_init = not (pre_init.has_listeners(Record) or post_init.has_listeners(Record))
    outcomes: list[RecordResult | RecordWriteRefused] = []
    created: list[tuple[Record, str, str]] = []  # with its answers and derived values encoded
    histories: list[list[Any]] = []
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
        # field order, as RECORD_COLUMNS): a third of the keyword constructor's time, and much less for the
        # cycle collector than a model instance per history row as well.
        owner, manager = checked.owner or own, checked.manager or own
        evaluation = checked.evaluation
        values = (
            None, uuid.uuid4(), form, year, evaluation.status, checked.answers, checked.derived, checked.confirmations,
            owner.pk if owner else None, manager.pk if manager else None, checked.reference, checked.search_text,
            checked.record_date, True, channel, None, None, 1, user.pk, user.pk, timezone.now(), timezone.now(),
        )
        record = new_record(values) if plain_init else Record(*values)  # type: ignore[misc]  # (stubs: starred)
        # The related objects the keyword constructor would have kept, so reading them needs no query.
        record._state.fields_cache.update(
            owning_organisation=owner, managing_organisation=manager, created_by=user, updated_by=user,
        )
        answers_json, derived_json = record_json_text(checked.answers), record_json_text(checked.derived)
        # What _changed({}, answers) says, encoded (after the answers: see history_json).
        histories.append([None, timezone.now(), user.pk, channel, api_key_id, history_json(checked.answers)])
        created.append((record, answers_json, derived_json))
        outcomes.append(RecordResult(record, evaluation, evaluation.hard_problems, evaluation.soft_problems,
                                     stored_json=(answers_json, derived_json)))
    if created:
        with transaction.atomic():
            for (record, _, _), history, pk in zip(created, histories, take_ids(Record, len(created)), strict=True):
                record.pk = history[0] = pk
            copy_rows(Record, RECORD_COLUMNS, [_record_row(*new) for new in created])
            copy_rows(RecordChange, CHANGE_COLUMNS, histories)
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
) -> RecordResult:
    """A dry run of record_create (or of changing `record`): every check of a real write, nothing stored.

    Raises the same RecordWriteRefused errors a write would.
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
                        managing_organisation=record.managing_organisation, answers=record.answers)
    else:
        target = Record(form=form, year=year, created_by=user)
    result, _changed_answers = _prepare(
        record=target, definition=definition, answers=answers, confirmations=dict(confirmations or {}),
        ctx=WriteContext.for_user(user, today), action="edit" if record is not None else "create",
    )
    return result
