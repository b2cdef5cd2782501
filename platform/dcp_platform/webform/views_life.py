"""A record's life in the web form: its history, assigning, deleting, and the same for a filtered selection.

Reads go through `records_visible_to`; every change through `records.lifecycle` (the write path's checks).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dcp_platform.access import collection_member_required
from dcp_platform.accounts.models import User
from dcp_platform.definitions import Definition
from dcp_platform.records.lifecycle import (
    Outcome,
    kept_days,
    may_act_on,
    records_assign,
    records_assigned_away,
    records_delete,
)
from dcp_platform.records.models import Channel, Record
from dcp_platform.records.selectors import RecordFilters, filter_records, records_visible_to
from dcp_platform.records.services import ASSIGNED_TO, DELETED
from dcp_platform.registry import definition_for, get_plugin


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _record(request: HttpRequest, public_id: str) -> Record:
    record = records_visible_to(user=request.user).filter(public_id=public_id).first()  # type: ignore[arg-type]
    if record is None:
        raise Http404("No such record")
    return record


def _forms() -> list[str]:
    return [spec.id for spec in get_plugin(_slug()).forms]


def _selection(request: HttpRequest) -> tuple[RecordFilters, QuerySet[Record]]:
    """The records list's filtered selection (the same filters, the same scoping)."""
    user: User = request.user  # type: ignore[assignment]
    filters = RecordFilters.from_query(request.GET)
    return filters, filter_records(records_visible_to(user=user), filters, forms=_forms(), user=user)


def _list_url(filters: RecordFilters) -> str:
    query = urlencode(filters.as_query())
    return reverse("records:list") + (f"?{query}" if query else "")


# ---------------------------------------------------------------------------------------------- history


def _display(definition: Definition, question_id: str, value: Any) -> str:
    if value in (None, ""):
        return "Not answered"
    question = definition.questions.get(question_id)
    if question is not None and question.options:
        for option in question.options:
            if str(option.code) == str(value):
                return option.label
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())[:200]
    return str(value)[:200]


def _label(definition: Definition, question_id: str) -> str:
    question = definition.questions.get(question_id)
    if question is not None:
        return question.label
    group = definition.groups.get(question_id)
    return getattr(group, "title", None) or question_id


def history_rows(record: Record, definition: Definition) -> list[dict[str, Any]]:
    """Each change of the record, newest first: when, who, through which channel, and what changed."""
    changes = list(record.changes.order_by("-at", "-pk"))
    user_ids = {c.user_id for c in changes} | {
        pk for c in changes for pk in (c.changed.get(ASSIGNED_TO) or []) if isinstance(pk, int)}
    users = {u.pk: u for u in User.objects.filter(pk__in=[pk for pk in user_ids if pk is not None])}

    def person(pk: Any) -> str:
        found = users.get(pk)
        return (found.name or found.email) if found is not None else "Nobody"

    rows = []
    for position, change in enumerate(changes):
        items = []
        for key, (old, new) in sorted(change.changed.items()):
            if key == ASSIGNED_TO:
                items.append({"what": "Assigned to", "old": person(old), "new": person(new)})
            elif key == DELETED:
                items.append({"what": "Record", "old": "Deleted" if old else "Kept",
                              "new": "Deleted" if new else "Restored"})
            else:
                items.append({"what": _label(definition, key), "old": _display(definition, key, old),
                              "new": _display(definition, key, new)})
        first = position == len(changes) - 1
        rows.append({
            "at": change.at, "who": person(change.user_id) if change.user_id else "The system",
            "channel": Channel(change.channel).label if change.channel in Channel.values else change.channel,
            "api_key": change.api_key_id, "items": items, "created": first,
        })
    return rows


@collection_member_required
def record_history(request: HttpRequest, public_id: str) -> HttpResponse:
    record = _record(request, public_id)
    definition = definition_for(_slug(), record.form, record.year)
    return render(request, "webform/record_history.html", {
        "record": record, "definition": definition, "rows": history_rows(record, definition)})


# ---------------------------------------------------------------------------------------------- one record


def assignable_users(*, organisation_ids: set[int]) -> QuerySet[User]:
    """Active users of the given organisations (those of a record or a selection), by name."""
    return User.objects.filter(is_active=True, organisation_id__in=organisation_ids).select_related(
        "organisation").order_by("name", "email")


def _refusals(outcome: Outcome) -> list[str]:
    seen: list[str] = []
    for _record_refused, refusal in outcome.refused:
        if refusal.message not in seen:
            seen.append(refusal.message)
    return seen


@require_http_methods(["GET", "POST"])
@collection_member_required
def record_assign(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = _record(request, public_id)
    if not may_act_on(user=user, record=record):
        raise Http404("No such record")
    choices = list(assignable_users(organisation_ids={
        pk for pk in (record.owning_organisation_id, record.managing_organisation_id) if pk is not None}))
    error = ""
    chosen = request.POST.get("assignee", "") if request.method == "POST" else str(record.assigned_to_id or "")
    if request.method == "POST":
        assignee = None
        if chosen == "none":
            pass
        elif chosen.isdigit() and int(chosen) in {u.pk for u in choices}:
            assignee = next(u for u in choices if u.pk == int(chosen))
        else:
            error = "Choose who to assign this record to"
        if not error:
            outcome = records_assign(user=user, records=[record], assignee=assignee)
            if outcome.changed:
                messages.success(request, f"{record.reference or 'The record'} is now assigned to "
                                          f"{(assignee.name or assignee.email) if assignee else 'nobody'}.")
                return redirect("records:tasks", public_id=record.public_id)
            error = _refusals(outcome)[0]
    return render(request, "webform/record_assign.html", {
        "record": record, "choices": choices, "chosen": chosen, "error": error, "form_has_errors": bool(error)},
        status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@collection_member_required
def record_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = _record(request, public_id)
    error = ""
    if request.method == "POST":
        outcome = records_delete(user=user, records=[record], request=request)
        if outcome.changed:
            messages.success(request, f"{record.reference or 'The record'} has been deleted.")
            return redirect("records:list")
        error = _refusals(outcome)[0]
    return render(request, "webform/record_delete.html", {
        "record": record, "error": error, "kept_days": kept_days(), "form_has_errors": bool(error)},
        status=403 if error else 200)


# ---------------------------------------------------------------------------------------------- a selection


@require_http_methods(["GET", "POST"])
@collection_member_required
def records_bulk_delete(request: HttpRequest) -> HttpResponse:
    """Delete the records list's filtered selection, after a page that says how many."""
    user: User = request.user  # type: ignore[assignment]
    filters, selection = _selection(request)
    count = selection.count()
    error = ""
    if request.method == "POST":
        if request.POST.get("count") != str(count):
            error = (f"The records that match these filters changed while you were deciding: there are now {count}. "
                     "Check the number and confirm again.")
        else:
            outcome = records_delete(user=user, records=selection, request=request)
            text = f"{len(outcome.changed)} record{'s' if len(outcome.changed) != 1 else ''} deleted."
            if outcome.refused:
                text += f" {len(outcome.refused)} could not be: {' '.join(_refusals(outcome))}"
            messages.success(request, text)
            return redirect(_list_url(RecordFilters()))
    return render(request, "webform/records_bulk_delete.html", {
        "count": count, "filters": filters, "query": urlencode(filters.as_query()), "list_url": _list_url(filters),
        "kept_days": kept_days(), "error": error, "form_has_errors": bool(error)}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@collection_member_required
def records_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign (or reassign) the records list's filtered selection to one person."""
    user: User = request.user  # type: ignore[assignment]
    filters, selection = _selection(request)
    count = selection.count()
    organisation_ids = {pk for pair in selection.values_list("owning_organisation_id", "managing_organisation_id")
                        .distinct() for pk in pair if pk is not None}
    choices = list(assignable_users(organisation_ids=organisation_ids))
    chosen = request.POST.get("assignee", "")
    error = ""
    if request.method == "POST":
        assignee = next((u for u in choices if chosen.isdigit() and u.pk == int(chosen)), None)
        if chosen != "none" and assignee is None:
            error = "Choose who to assign these records to"
        elif request.POST.get("count") != str(count):
            error = (f"The records that match these filters changed while you were deciding: there are now {count}. "
                     "Check the number and confirm again.")
        else:
            outcome = records_assign(user=user, records=selection, assignee=assignee)
            name = (assignee.name or assignee.email) if assignee else "nobody"
            text = f"{len(outcome.changed)} record{'s' if len(outcome.changed) != 1 else ''} assigned to {name}."
            if outcome.refused:
                text += f" {len(outcome.refused)} could not be: {' '.join(_refusals(outcome))}"
            messages.success(request, text)
            return redirect(_list_url(filters))
    return render(request, "webform/records_bulk_assign.html", {
        "count": count, "filters": filters, "query": urlencode(filters.as_query()), "list_url": _list_url(filters),
        "choices": choices, "chosen": chosen, "error": error, "form_has_errors": bool(error)},
        status=400 if error else 200)


@collection_member_required
def records_to_reassign(request: HttpRequest) -> HttpResponse:
    """People who hold records they no longer may (deactivated, or moved organisation), with how many, each
    linked to reassigning them."""
    user: User = request.user  # type: ignore[assignment]
    away = records_assigned_away(user=user)
    counts: dict[int, int] = {}
    for assignee_id in away.values_list("assigned_to_id", flat=True):
        counts[assignee_id] = counts.get(assignee_id, 0) + 1
    people = []
    for person in User.objects.filter(pk__in=counts).select_related("organisation").order_by("name", "email"):
        people.append({"user": person, "count": counts[person.pk],
                       "why": "Deactivated" if not person.is_active else
                       f"Now in {person.organisation.name if person.organisation else 'no organisation'}",
                       "query": urlencode({"assigned": person.pk})})
    return render(request, "webform/records_to_reassign.html", {"people": people})
