"""Reads of records. `records_visible_to` is THE scoping function: every query for records goes through it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from dcp_platform.accounts.models import User
from dcp_platform.accounts.selectors import record_organisation_ids_for_user
from dcp_platform.records.models import Record, RecordStatus
from dcp_platform.tenancy.selectors import is_analyst


def records_visible_to(*, user: User, include_hidden: bool = False) -> QuerySet[Record]:
    """Records of the current collection that this user may see (and, but for analysts, change).

    A record belongs to the organisation that owns the property and the one that manages the letting;
    either organisation's users (as scoped by their role) may see it. The collection's department analysts see
    every visible record (never an upload's records under review); the record services refuse their writes.
    """
    records = Record.objects.all()
    if not include_hidden:
        records = records.filter(visible=True)
    organisation_ids = record_organisation_ids_for_user(user=user)
    if organisation_ids is None:
        return records
    if is_analyst(user=user, collection_slug=str(getattr(connection, "schema_name", "public"))):
        return records.filter(visible=True)
    if not organisation_ids:
        return records.none()
    return records.filter(
        Q(owning_organisation_id__in=organisation_ids)
        | Q(managing_organisation_id__in=organisation_ids)
        # A record whose setup is not finished has no organisations yet: its creator still sees it.
        | Q(created_by_id=user.pk, owning_organisation__isnull=True)
    )


@dataclass(frozen=True)
class RecordFilters:
    """The records list's filters, which downloads honour too (blank: no filter)."""

    status: str = ""
    year: str = ""
    form: str = ""
    organisation: str = ""  # an organisation code: records it owns or manages
    query: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> RecordFilters:
        return cls(status=data.get("status", ""), year=data.get("year", ""), form=data.get("form", ""),
                   organisation=data.get("organisation", ""), query=data.get("q", "").strip())

    def as_query(self) -> dict[str, str]:
        pairs = {"status": self.status, "year": self.year, "form": self.form,
                 "organisation": self.organisation, "q": self.query}
        return {key: value for key, value in pairs.items() if value}

    @property
    def any(self) -> bool:
        return bool(self.as_query())


def filter_records(records: QuerySet[Record], filters: RecordFilters, *, forms: Iterable[str] = ()) -> QuerySet[Record]:
    """Records that pass the filters; a status or form that does not exist is no filter (as in the list)."""
    if filters.status in RecordStatus.values:
        records = records.filter(status=filters.status)
    if filters.year.isdigit():
        records = records.filter(year=int(filters.year))
    if filters.form and filters.form in set(forms):
        records = records.filter(form=filters.form)
    if filters.organisation:
        records = records.filter(Q(owning_organisation__code=filters.organisation)
                                 | Q(managing_organisation__code=filters.organisation))
    if filters.query:
        records = records.filter(search_text__contains=filters.query.lower())
    return records


def record_for_user(*, user: User, public_id: str) -> Record | None:
    return records_visible_to(user=user).filter(public_id=public_id).first()
