"""Reads of queries and sign-offs. `queries_visible_to` scopes every query read, as `records_visible_to` does."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from dcp_platform.accounts.models import Role, User
from dcp_platform.accounts.selectors import record_organisation_ids_for_user
from dcp_platform.quality.models import Query, QueryState, SignOff
from dcp_platform.records.models import Record
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.tenancy.selectors import is_analyst


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def is_query_raiser(*, user: User) -> bool:
    """The collection's department analysts and support raise, resolve and reopen queries."""
    return bool(user.is_active) and (user.is_support or is_analyst(user=user, collection_slug=_slug()))


def queries_visible_to(*, user: User) -> QuerySet[Query]:
    """Queries of the current collection this user may read: every one for analysts and support; for providers,
    those asked of the organisations whose records they see, or about a record they see."""
    queries = Query.objects.all()
    if not user.is_active:
        return queries.none()
    if is_query_raiser(user=user):
        return queries
    organisation_ids = record_organisation_ids_for_user(user=user)
    if organisation_ids is None:
        return queries
    about_visible = Query.records.through.objects.filter(
        record_id__in=records_visible_to(user=user).values("pk")).values("query_id")
    return queries.filter(Q(organisation_id__in=organisation_ids) | Q(pk__in=about_visible))


def open_queries(queries: QuerySet[Query]) -> QuerySet[Query]:
    return queries.exclude(state=QueryState.RESOLVED)


def open_queries_on_record(*, record: Record) -> list[Query]:
    """Open queries about this record (whoever may see the record may know it is queried)."""
    return list(open_queries(Query.objects.filter(records=record)).order_by("raised_at", "id"))


def open_queries_by_record(record_ids: Iterable[int]) -> dict[int, list[Query]]:
    """Open queries about each of these records, in one statement (the API lists a page of records at once)."""
    found: dict[int, list[Query]] = {}
    links = Query.records.through.objects.filter(
        record_id__in=list(record_ids)).exclude(query__state=QueryState.RESOLVED).select_related("query")
    for link in links.order_by("query__raised_at", "query_id"):
        found.setdefault(link.record_id, []).append(link.query)
    return found


def query_recipients(*, query: Query) -> list[User]:
    """Who is told about a query: the organisation's data coordinators and the creators of its records."""
    creator_ids = set(query.records.exclude(created_by_id=None).values_list("created_by_id", flat=True))
    people = User.objects.filter(is_active=True).filter(
        Q(organisation_id=query.organisation_id, role=Role.DATA_COORDINATOR) | Q(pk__in=creator_ids))
    return list(people.order_by("pk"))


def query_analysts(*, query: Query) -> list[User]:
    """The analysts who take part in a query's thread (the one who raised it, and any who wrote in it)."""
    author_ids = {query.raised_by_id, *query.messages.values_list("author_id", flat=True)}
    return [user for user in User.objects.filter(pk__in=author_ids, is_active=True).order_by("pk")
            if is_query_raiser(user=user)]


def current_sign_offs(*, organisation_ids: Iterable[int] | None = None) -> QuerySet[SignOff]:
    sign_offs = SignOff.objects.filter(reopened_at__isnull=True)
    if organisation_ids is not None:
        sign_offs = sign_offs.filter(organisation_id__in=list(organisation_ids))
    return sign_offs
