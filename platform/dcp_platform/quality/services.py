"""Writes of data quality: raising and answering queries, signing off returns. Every step is audited and tells
the people it concerns (through notifications, which email them unless they chose otherwise)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.notifications.kinds import QUERY_ANSWERED, QUERY_RAISED
from dcp_platform.notifications.services import notification_send
from dcp_platform.quality.models import MessageKind, Query, QueryMessage, QueryScope, QueryState
from dcp_platform.quality.selectors import (
    is_query_raiser,
    queries_visible_to,
    query_analysts,
    query_recipients,
)
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.registry import definitions_for
from dcp_platform.tenancy.models import Collection, Participation
from dcp_platform.tenancy.selectors import collection_url

MAX_SUBJECT = 200
PROVIDER_KINDS = (MessageKind.REPLY, MessageKind.EXPLANATION, MessageKind.CORRECTION)


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def query_url(query: Query) -> str:
    """The query's page, as an absolute address on its collection's site (notifications are read anywhere)."""
    collection = Collection.objects.get(schema_name=_slug())
    return collection_url(collection, path=reverse("quality:query", args=[query.pk]))


def _record_organisation(record: Record) -> int | None:
    return record.managing_organisation_id or record.owning_organisation_id


def _tell(*, query: Query, message: QueryMessage, people: Sequence[User], kind: str, title: str) -> None:
    slug = _slug()
    link = query_url(query)
    for person in people:
        if person.pk == message.author_id:
            continue
        notification_send(user=person, kind=kind, title=title[:200], body=message.text[:1000], link=link,
                          collection_slug=slug, dedupe_key=f"query:{slug}:{message.pk}:{person.pk}")


def _audit(action: str, *, by: User, query: Query, request: HttpRequest | None, **details: object) -> None:
    audit_record(action=action, actor=by, target=query, request=request,
                 details={"collection": _slug(), "query": query.pk, "state": query.state, **details})


@transaction.atomic
def query_raise(
    *,
    by: User,
    subject: str,
    message: str,
    records: Sequence[Record] = (),
    organisation: Organisation | None = None,
    form: str = "",
    year: int | None = None,
    check_id: str = "",
    request: HttpRequest | None = None,
) -> Query:
    """An analyst asks about one record, a set of one organisation's records, or an organisation's return.

    With records, the organisation is theirs (the one that manages the letting, else the owner); without, it is the
    return of `organisation` (for a form and year when given). Raises ValidationError naming the field at fault.
    """
    if not is_query_raiser(user=by):
        raise PermissionDenied("Only the collection's analysts and support raise queries.")
    subject, message = subject.strip(), message.strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Enter what the query is about"
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = f"What the query is about must be {MAX_SUBJECT} characters or fewer"
    if not message:
        errors["message"] = "Enter your question for the organisation"
    records = list(records)
    if records:
        organisation_ids = {_record_organisation(record) for record in records}
        if None in organisation_ids:
            errors["records"] = "A record that has no organisation yet cannot be queried"
        elif len(organisation_ids) > 1:
            errors["records"] = "Query the records of one organisation at a time"
        else:
            organisation = Organisation.objects.get(pk=int(organisation_ids.pop() or 0))
        if not errors.get("records"):
            forms = {(record.form, record.year) for record in records}
            form, year = forms.pop() if len(forms) == 1 else ("", None)
    elif organisation is None:
        errors["organisation"] = "Select the organisation whose return you are asking about"
    elif not Participation.objects.filter(organisation=organisation, collection__schema_name=_slug()).exists():
        errors["organisation"] = "This organisation does not take part in this collection"
    if form and year is not None and (form, year) not in definitions_for(_slug()):
        errors["form"] = "Select a form and year of this collection"
    if errors:
        raise ValidationError(errors)
    assert organisation is not None
    now = timezone.now()
    scope = QueryScope.RETURN if not records else QueryScope.RECORD if len(records) == 1 else QueryScope.RECORDS
    query = Query.objects.create(scope=scope, organisation=organisation, form=form, year=year, subject=subject,
                                 raised_by=by, raised_at=now, updated_at=now, check_id=check_id)
    if records:
        query.records.set(records)
    first = QueryMessage.objects.create(query=query, kind=MessageKind.RAISED, author=by, text=message, at=now)
    _audit("query_raised", by=by, query=query, request=request, scope=scope, records=len(records))
    _tell(query=query, message=first, people=query_recipients(query=query), kind=QUERY_RAISED,
          title=f"A query was raised: {subject}")
    return query


def linkable_changes(*, query: Query) -> list[RecordChange]:
    """Changes to the query's records since it was raised that no message of it names yet."""
    linked = QueryMessage.changes.through.objects.filter(querymessage__query=query).values("recordchange_id")
    return list(RecordChange.objects.filter(record__in=query.records.all(), at__gte=query.raised_at)
                .exclude(pk__in=linked).select_related("record").order_by("at", "id"))


@transaction.atomic
def query_answer(*, by: User, query: Query, kind: str, text: str, request: HttpRequest | None = None) -> QueryMessage:
    """The organisation answers: a reply, an explanation that the data is right, or a correction (which links
    the changes made to the query's records since it was raised). An analyst's reply asks again (the query
    is open again). A resolved query takes no answers until it is reopened."""
    query = Query.objects.select_for_update().get(pk=query.pk)
    raiser = is_query_raiser(user=by)
    if not raiser and not queries_visible_to(user=by).filter(pk=query.pk).exists():
        raise PermissionDenied("You cannot answer this query.")
    if raiser and kind != MessageKind.REPLY:
        raise PermissionDenied("Analysts reply, resolve or reopen; the organisation explains or corrects.")
    if kind not in PROVIDER_KINDS:
        raise ValidationError({"kind": "Select how you are answering"})
    if query.state == QueryState.RESOLVED:
        raise ValidationError({"text": "This query is resolved. It must be reopened before anyone answers it."})
    text = text.strip()
    changes: list[RecordChange] = []
    if kind == MessageKind.CORRECTION:
        changes = linkable_changes(query=query)
        if not changes:
            raise ValidationError({"kind": "None of the query's records has changed since the query was raised. "
                                           "Change the record first, then say what you corrected"})
    if not text and kind != MessageKind.CORRECTION:
        raise ValidationError({"text": "Enter your answer" if not raiser else "Enter your reply"})
    now = timezone.now()
    message = QueryMessage.objects.create(query=query, kind=kind, author=by, text=text, at=now)
    if changes:
        message.changes.set(changes)
    query.state = QueryState.OPEN if raiser else QueryState.ANSWERED
    query.updated_at = now
    query.save(update_fields=["state", "updated_at"])
    _audit("query_answered", by=by, query=query, request=request, kind=kind, changes=[c.pk for c in changes])
    if raiser:
        _tell(query=query, message=message, people=query_recipients(query=query), kind=QUERY_RAISED,
              title=f"An analyst replied to the query: {query.subject}")
    else:
        _tell(query=query, message=message, people=query_analysts(query=query), kind=QUERY_ANSWERED,
              title=f"{query.organisation.name} answered the query: {query.subject}")
    return message


@transaction.atomic
def query_resolve(*, by: User, query: Query, text: str = "", request: HttpRequest | None = None) -> QueryMessage:
    if not is_query_raiser(user=by):
        raise PermissionDenied("Only the collection's analysts and support resolve queries.")
    query = Query.objects.select_for_update().get(pk=query.pk)
    if query.state == QueryState.RESOLVED:
        raise ValidationError({"text": "This query is already resolved"})
    now = timezone.now()
    message = QueryMessage.objects.create(query=query, kind=MessageKind.RESOLVED, author=by, text=text.strip(), at=now)
    query.state, query.updated_at, query.resolved_at = QueryState.RESOLVED, now, now
    query.save(update_fields=["state", "updated_at", "resolved_at"])
    _audit("query_resolved", by=by, query=query, request=request)
    _tell(query=query, message=message, people=query_recipients(query=query), kind=QUERY_ANSWERED,
          title=f"The query was resolved: {query.subject}")
    return message


@transaction.atomic
def query_reopen(*, by: User, query: Query, reason: str, request: HttpRequest | None = None) -> QueryMessage:
    if not is_query_raiser(user=by):
        raise PermissionDenied("Only the collection's analysts and support reopen queries.")
    query = Query.objects.select_for_update().get(pk=query.pk)
    if query.state != QueryState.RESOLVED:
        raise ValidationError({"reason": "Only a resolved query can be reopened"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are reopening the query"})
    now = timezone.now()
    message = QueryMessage.objects.create(query=query, kind=MessageKind.REOPENED, author=by, text=reason.strip(), at=now)
    query.state, query.updated_at, query.resolved_at = QueryState.OPEN, now, None
    query.save(update_fields=["state", "updated_at", "resolved_at"])
    _audit("query_reopened", by=by, query=query, request=request, reason=reason.strip())
    _tell(query=query, message=message, people=query_recipients(query=query), kind=QUERY_RAISED,
          title=f"The query was reopened: {query.subject}")
    return message
