"""Reads of records. `records_visible_to` is THE scoping function: every query for records goes through it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT

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


ANSWER_PREFIX = "answer-"  # the records list's answer filters: ?answer-needstype=1 (definitions' list_filters)
_QUESTION_ID = re.compile(r"^[A-Za-z0-9_]{1,100}$")


@dataclass(frozen=True)
class RecordFilters:
    """The records list's filters, which downloads and bulk actions honour too (blank: no filter)."""

    status: str = ""
    year: str = ""
    form: str = ""
    organisation: str = ""  # an organisation code: records it owns or manages
    query: str = ""
    assigned: str = ""  # "me", "none", or a user's id
    relation: str = ""  # "owned" or "managed": by the user's own organisation
    upload: str = ""  # an upload's id: the records it created
    answers: tuple[tuple[str, str], ...] = ()  # (question id, answer code): the definitions' list_filters

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> RecordFilters:
        answers = tuple(sorted(
            (key.removeprefix(ANSWER_PREFIX), str(data.get(key, "")).strip()) for key in data
            if key.startswith(ANSWER_PREFIX) and _QUESTION_ID.match(key.removeprefix(ANSWER_PREFIX))
            and str(data.get(key, "")).strip()))
        return cls(status=data.get("status", ""), year=data.get("year", ""), form=data.get("form", ""),
                   organisation=data.get("organisation", ""), query=data.get("q", "").strip(),
                   assigned=data.get("assigned", ""), relation=data.get("relation", ""),
                   upload=data.get("upload", ""), answers=answers)

    def as_query(self) -> dict[str, str]:
        pairs = {"status": self.status, "year": self.year, "form": self.form,
                 "organisation": self.organisation, "q": self.query, "assigned": self.assigned,
                 "relation": self.relation, "upload": self.upload,
                 **{f"{ANSWER_PREFIX}{question}": code for question, code in self.answers}}
        return {key: value for key, value in pairs.items() if value}

    def answer(self, question_id: str) -> str:
        return dict(self.answers).get(question_id, "")

    @property
    def any(self) -> bool:
        return bool(self.as_query())


def filter_records(
    records: QuerySet[Record], filters: RecordFilters, *, forms: Iterable[str] = (), user: User | None = None,
) -> QuerySet[Record]:
    """Records that pass the filters; a status or form that does not exist is no filter (as in the list).

    "Assigned to me" and "owned/managed by my organisation" need the `user`; without one they are no filter."""
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
    if filters.assigned == "none":
        records = records.filter(assigned_to__isnull=True)
    elif filters.assigned == "me" and user is not None:
        records = records.filter(assigned_to_id=user.pk)
    elif filters.assigned.isdigit():
        records = records.filter(assigned_to_id=int(filters.assigned))
    if user is not None and user.organisation_id is not None:
        if filters.relation == "owned":
            records = records.filter(owning_organisation_id=user.organisation_id)
        elif filters.relation == "managed":
            records = records.filter(managing_organisation_id=user.organisation_id)
    if filters.upload.isdigit():
        records = records.filter(upload_id=int(filters.upload))
    for question_id, code in filters.answers:
        # Answers are stored as the definition's values (numbers for most codes): compared as text.
        name = f"answer_{question_id}"
        records = records.alias(**{name: KT(f"answers__{question_id}")}).filter(**{name: code})
    return records


def record_for_user(*, user: User, public_id: str) -> Record | None:
    return records_visible_to(user=user).filter(public_id=public_id).first()
