"""Reads for downloads: which records a user may download, read as rows with flat memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from dcp_platform.accounts.models import Organisation, User
from dcp_platform.exports.columns import DEPARTMENT, Layout, build_layout, layout_names
from dcp_platform.exports.writing import RecordRow
from dcp_platform.records.models import Record
from dcp_platform.records.selectors import RecordFilters, filter_records, records_visible_to
from dcp_platform.registry import definition_for, get_plugin
from dcp_platform.tenancy.selectors import is_analyst

READ_BATCH = 2000  # rows fetched from the database at a time (a server-side cursor)
_FIELDS = (
    "id", "public_id", "status", "form", "year", "record_date", "created_at", "updated_at", "created_by_id",
    "updated_by_id", "source_channel", "upload_id", "owning_organisation_id", "managing_organisation_id",
    "answers", "derived",
)


def sees_department_columns(*, user: User, collection_slug: str) -> bool:
    """Support and the collection's department analysts get the department's download."""
    return bool(user.is_support or is_analyst(user=user, collection_slug=collection_slug))


def layouts_for(*, user: User, collection_slug: str, form: str, year: int) -> list[str]:
    """The column sets this user may download for a form and year (the department's first, if allowed)."""
    plugin = get_plugin(collection_slug)
    names = layout_names(definition_for(collection_slug, form, year), plugin.export_columns)
    if not sees_department_columns(user=user, collection_slug=collection_slug):
        names = [name for name in names if name != DEPARTMENT]
    return names


def layout_for(*, collection_slug: str, form: str, year: int, name: str) -> Layout:
    plugin = get_plugin(collection_slug)
    return build_layout(definition_for(collection_slug, form, year), plugin.export_columns, name)


def exportable_records(*, user: User, form: str, year: int, filters: RecordFilters) -> QuerySet[Record]:
    """The records of one form and year the user may see, through the records list's filters, oldest first."""
    records = records_visible_to(user=user).filter(form=form, year=year)
    return filter_records(records, filters, user=user).order_by("id")


class _Names:
    """Users' emails and organisations' names and codes, looked up as rows need them and kept for the export."""

    def __init__(self) -> None:
        self.users: dict[int, str] = {}
        self.organisations: dict[int, tuple[str, str]] = {}

    def learn(self, rows: list[tuple[Any, ...]]) -> None:
        user_ids = {row[i] for row in rows for i in (8, 9) if row[i] is not None} - self.users.keys()
        if user_ids:
            self.users.update(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
        org_ids = {row[i] for row in rows for i in (12, 13) if row[i] is not None} - self.organisations.keys()
        if org_ids:
            for pk, code, name in Organisation.objects.filter(pk__in=org_ids).values_list("pk", "code", "name"):
                self.organisations[pk] = (code, name)


def record_rows(records: QuerySet[Record]) -> Iterator[RecordRow]:
    """Each record as a RecordRow, read READ_BATCH at a time: memory stays the same however many there are."""
    names = _Names()
    cursor: Iterable[tuple[Any, ...]] = records.values_list(*_FIELDS).iterator(chunk_size=READ_BATCH)
    iterator = iter(cursor)
    while True:
        batch = list(islice(iterator, READ_BATCH))
        if not batch:
            return
        names.learn(batch)
        users, organisations = names.users, names.organisations
        for (pk, public_id, status, form, year, record_date, created_at, updated_at, created_by, updated_by, channel,
             upload_id, owner, manager, answers, derived) in batch:
            owner_code, owner_name = organisations.get(owner, (None, None)) if owner else (None, None)
            manager_code, manager_name = organisations.get(manager, (None, None)) if manager else (None, None)
            yield RecordRow(answers=answers or {}, derived=derived or {}, record={
                "record.id": pk, "record.public_id": str(public_id), "record.status": status, "record.form": form,
                "record.year": year, "record.record_date": record_date, "record.created_at": created_at,
                "record.updated_at": updated_at, "record.created_by": users.get(created_by),
                "record.created_by_id": created_by, "record.updated_by": users.get(updated_by),
                "record.updated_by_id": updated_by, "record.channel": channel, "record.upload_id": upload_id,
                "record.owning_organisation_code": owner_code, "record.owning_organisation_name": owner_name,
                "record.managing_organisation_code": manager_code, "record.managing_organisation_name": manager_name,
            })
