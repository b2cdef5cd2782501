"""The web form: records list, task list, question pages, check your answers, soft-validation pages.

Every view reads records through `records_visible_to` and writes through `records.services`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcp_platform.access import collection_member_required
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.accounts.selectors import related_organisations_for, submitting_for
from dcp_platform.cms.windows import check_window
from dcp_platform.definitions import Definition, Evaluation, Page, PageInstance, Problem
from dcp_platform.records.lifecycle import may_act_on
from dcp_platform.records.models import Record, RecordStatus
from dcp_platform.records.selectors import RecordFilters, filter_records, records_visible_to
from dcp_platform.records.services import (
    OrganisationNotAllowed,
    RecordWriteRefused,
    WindowClosed,
    build_eval_context,
    read_only_reason,
    record_create,
    record_update,
)
from dcp_platform.records.services import (
    record_check as check_write,  # (this module's record_check is a page)
)
from dcp_platform.registry import definition_for, definitions_for, get_plugin
from dcp_platform.uploads.services import hidden_record_open_to, recent_uploads_for
from dcp_platform.webform.forms import (
    FieldView,
    apply_values,
    field_views,
    parse_page_post,
    visible_questions_after,
)

DATE_PARTS = [("day", "Day", "govuk-input--width-2"), ("month", "Month", "govuk-input--width-2"),
              ("year", "Year", "govuk-input--width-4")]
STATUS_TAGS = {
    "not_started": ("Not started", "govuk-tag--blue"),
    "in_progress": ("In progress", "govuk-tag--light-blue"),
    "completed": ("Completed", ""),
    "cannot_start_yet": ("Cannot start yet", "govuk-tag--grey"),
}


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _definition(record: Record) -> Definition:
    return definition_for(_slug(), record.form, record.year)


def _record(request: HttpRequest, public_id: str) -> Record:
    user: User = request.user  # type: ignore[assignment]
    record = records_visible_to(user=user, include_hidden=True).filter(public_id=public_id).first()
    # A hidden record belongs to an upload under review: only the uploading organisation may fix it here.
    if record is None or (not record.visible and not hidden_record_open_to(record=record, user=user)):
        raise Http404("No such record")
    return record


def _evaluate(record: Record, definition: Definition, answers: dict[str, Any] | None = None) -> Evaluation:
    answers = record.answers if answers is None else answers
    return definition.evaluate(
        answers, confirmations=record.confirmations,
        context=build_eval_context(definition=definition, answers=answers),
    )


def _dynamic_options(user: User, definition: Definition) -> dict[str, list[tuple[str, str]]]:
    # The relationships' direction (the check every write makes): a managing agent is offered as a manager only.
    related = list(related_organisations_for(user=user))
    submitting = submitting_for(user=user)
    options: dict[str, list[tuple[str, str]]] = {
        "owning_organisations": [(o.code, o.name) for o in related if submitting.may_own(o.code)],
        "managing_organisations": [(o.code, o.name) for o in related if submitting.may_manage(o.code)],
    }
    for name, source in get_plugin(_slug()).option_sources.items():
        options[name] = list(source())
    return options


# ---------------------------------------------------------------------------------------------- list


def _answer_filters(definitions: Any) -> list[dict[str, Any]]:
    """The definitions' list_filters as the list's filters: one per question id, its options from every
    definition that names it (the same question in two years or forms is one filter)."""
    filters: dict[str, dict[str, Any]] = {}
    for definition in definitions:
        for question_id in definition.list_filters:
            question = definition.questions.get(question_id)
            if question is None or not question.options:
                continue
            entry = filters.setdefault(question_id, {"id": question_id, "label": question.error_name or question.label,
                                                      "options": {}})
            for option in question.options:
                entry["options"].setdefault(str(option.code), option.label)
    return [{**entry, "options": sorted(entry["options"].items(), key=lambda kv: kv[0])} for entry in filters.values()]


@collection_member_required
def record_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = records_visible_to(user=user)
    records = visible.select_related("owning_organisation", "managing_organisation", "created_by", "assigned_to")
    filters = RecordFilters.from_query(request.GET)
    status, year, organisation, form, query = (
        filters.status, filters.year, filters.organisation, filters.form, filters.query)
    plugin = get_plugin(_slug())
    forms = {spec.id: spec.title for spec in plugin.forms}
    records = filter_records(records, filters, forms=forms, user=user)
    page = Paginator(records.order_by("-updated_at"), 20).get_page(request.GET.get("page"))
    for record in page:
        record.form_title = forms.get(record.form, record.form)  # type: ignore[attr-defined]  # for the table
    definitions = definitions_for(_slug())
    creatable = []
    for (form_id, year_value), definition in sorted(definitions.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        decision = check_window(year=year_value, record_date=None, action="create")
        if decision.allowed:
            creatable.append({"form": form_id, "year": year_value, "title": definition.title})
    answer_filters = _answer_filters(definitions.values())
    for entry in answer_filters:
        entry["chosen"] = filters.answer(entry["id"])
    # Who holds records the user can see (the "assigned to" filter offers them), and the uploads they came from.
    assignees = User.objects.filter(pk__in=visible.filter(assigned_to__isnull=False).values("assigned_to_id")
                                    ).exclude(pk=user.pk).order_by("name", "email")
    uploads = recent_uploads_for(user=user)
    return render(request, "webform/record_list.html", {
        "page": page, "status": status, "year": year, "organisation": organisation, "q": query, "form": form,
        "statuses": [(value, label) for value, label in RecordStatus.choices],
        "years": sorted({y for (_f, y) in definitions}, reverse=True),
        "organisations": related_organisations_for(user=user),
        # With several forms (lettings and sales logs) the list says which each record is, and filters by it.
        "forms": sorted(forms.items(), key=lambda kv: kv[1]) if len(forms) > 1 else [],
        "creatable": creatable, "filtered": filters.any, "download_query": urlencode(filters.as_query()),
        "search_hint": _search_hint(definitions.values()),
        "filters": filters, "answer_filters": answer_filters, "assignees": assignees, "uploads": uploads,
        "has_organisation": user.organisation_id is not None,
        "may_change": not read_only_reason(user),
        "page_query": urlencode(filters.as_query()),
    })


_QUESTION_OPENING = re.compile(r"^(what is|what was|what are|which is)\s+(the\s+)?", re.IGNORECASE)


def _search_hint(definitions: Any) -> str:
    """What the search box finds, from the questions the definitions search ("Tenant code, property reference
    or postcode")."""
    names: list[str] = []
    for definition in definitions:
        for name in definition.search_fields:
            question = definition.questions.get(name)
            if question is None:
                continue
            text = question.error_name or _QUESTION_OPENING.sub("", question.label).rstrip("?")
            text = text.removeprefix("the ").strip()
            if text and text.lower() not in [n.lower() for n in names]:
                names.append(text[:1].lower() + text[1:])
    if not names:
        return "Words or codes in the record's answers"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return listed[:1].upper() + listed[1:]


def _draft(request: HttpRequest, form: str, year: int) -> Record | HttpResponse:
    """A new record before its first saved answer: nothing is stored until then (issue 20, point 8), so "Create"
    leaves no empty records behind. The write path's own checks say whether the user may start one (a department
    analyst may not; the year must be open); a refusal goes back to the records list with its message."""
    try:
        definition_for(_slug(), form, year)
    except LookupError:
        raise Http404("No such form") from None
    user: User = request.user  # type: ignore[assignment]
    try:
        check_write(form=form, year=year, user=user, answers={})
    except RecordWriteRefused as refused:
        messages.error(request, refused.message)
        return redirect("records:list")
    return Record(form=form, year=year, answers={}, confirmations={}, created_by=user)


@collection_member_required
def record_new(request: HttpRequest, form: str, year: int) -> HttpResponse:
    """"Create": the task list of a new record, which is stored when its first answer is saved. (POST is the
    records list's button; it comes here.)"""
    draft = _draft(request, form, year)
    if isinstance(draft, HttpResponse):
        return draft
    if request.method == "POST":
        return redirect("records:new", form=form, year=year)
    return _task_list(request, draft)


@collection_member_required
def new_record_page(request: HttpRequest, form: str, year: int, page_id: str, item: int | None = None) -> HttpResponse:
    """A question page of a new record: saving an answer creates the record (then on as for any record)."""
    draft = _draft(request, form, year)
    if isinstance(draft, HttpResponse):
        return draft
    return _question_page(request, draft, page_id, item)


# ---------------------------------------------------------------------------------------------- task list


def _first_page_of(section_id: str, evaluation: Evaluation) -> PageInstance | None:
    return next((pi for pi in evaluation.applicable_pages if pi.page.section_id == section_id), None)


def _page_url(record: Record, instance: PageInstance, *, back_to_check: bool = False) -> str:
    if record.pk is None:  # a new record, not stored yet
        kwargs: dict[str, Any] = {"form": record.form, "year": record.year, "page_id": instance.page.id}
        names = ("records:new-item-page", "records:new-page")
    else:
        kwargs = {"public_id": record.public_id, "page_id": instance.page.id}
        names = ("records:item-page", "records:page")
    if instance.item is not None:
        kwargs["item"] = instance.item
        url = reverse(names[0], kwargs=kwargs)
    else:
        url = reverse(names[1], kwargs=kwargs)
    return url + ("?return=check" if back_to_check else "")


def _tasks_url(record: Record) -> str:
    if record.pk is None:
        return reverse("records:new", kwargs={"form": record.form, "year": record.year})
    return reverse("records:tasks", kwargs={"public_id": record.public_id})


@collection_member_required
def record_tasks(request: HttpRequest, public_id: str) -> HttpResponse:
    return _task_list(request, _record(request, public_id))


def _task_list(request: HttpRequest, record: Record) -> HttpResponse:
    definition = _definition(record)
    evaluation = _evaluate(record, definition)
    sections = []
    for section in definition.sections:
        status = evaluation.section_status(section.id)
        first = _first_page_of(section.id, evaluation)
        if status == "completed" and first is None:
            # No question of the section applies to this record (a sales log's household situation for a
            # staircasing transaction): nothing to answer or check.
            sections.append({"section": section, "status": "not_needed", "label": "Not needed", "css": "", "url": None})
            continue
        if record.pk is None and first is not None and status != "cannot_start_yet":
            url = _page_url(record, first)  # a new record: nothing to check yet
        elif status == "completed" or (status == "in_progress" and first is not None):
            url = reverse("records:check", kwargs={"public_id": record.public_id, "section_id": section.id}) \
                if status == "completed" else _page_url(record, _next_unanswered(section.id, evaluation) or first)  # type: ignore[arg-type]
        elif first is not None and status != "cannot_start_yet":
            url = _page_url(record, first)
        else:
            url = None
        label, css = STATUS_TAGS.get(status, (status, ""))
        sections.append({"section": section, "status": status, "label": label, "css": css, "url": url})
    completed = sum(1 for s in sections if s["status"] == "completed")
    return render(request, "webform/tasks.html", {
        "record": record, "definition": definition, "sections": sections, "evaluation": evaluation,
        "completed_count": completed, "status_label": STATUS_TAGS[record.status][0],
        "section_count": sum(1 for s in sections if s["status"] != "not_needed"),
        "may_change": record.pk is not None and not read_only_reason(request.user)  # type: ignore[arg-type]
        and may_act_on(user=request.user, record=record),  # type: ignore[arg-type]
        "draft": record.pk is None,
    })


@collection_member_required
def record_fix(request: HttpRequest, public_id: str) -> HttpResponse:
    """"Fix this row" (an upload's report): the page of the record's first failing question, in the order the
    form asks them (a hard problem or a missing answer, then an answer to confirm); the task list if none."""
    record = _record(request, public_id)
    definition = _definition(record)
    evaluation = _evaluate(record, definition)

    def position(ref: Any) -> int:
        question = definition.questions.get(ref.question_id)
        return question.position if question is not None else 1 << 30

    failing = sorted([p.fields[0] for p in evaluation.hard_problems if p.fields] + list(evaluation.missing),
                     key=position)
    failing += sorted([p.fields[0] for p in evaluation.soft_problems if p.fields], key=position)
    for ref in failing:
        instance = next((pi for pi in evaluation.applicable_pages if pi.item == ref.item
                         and any(q.id == ref.question_id for q in pi.page.questions)), None)
        if instance is not None:
            return redirect(_page_url(record, instance))
    return redirect("records:tasks", public_id=record.public_id)


def _next_unanswered(section_id: str, evaluation: Evaluation) -> PageInstance | None:
    missing = {(m.question_id, m.item) for m in evaluation.missing}
    for instance in evaluation.applicable_pages:
        if instance.page.section_id != section_id:
            continue
        if any((q.id, instance.item) in missing for q in instance.page.questions):
            return instance
    return None


# ---------------------------------------------------------------------------------------------- question pages


def _find_instance(evaluation: Evaluation, page_id: str, item: int | None) -> PageInstance | None:
    return next((pi for pi in evaluation.applicable_pages if pi.page.id == page_id and pi.item == item), None)


def _next_instance(evaluation: Evaluation, current: PageInstance) -> PageInstance | None:
    keys = [pi.key for pi in evaluation.applicable_pages]
    if current.key in keys:
        position = keys.index(current.key)
        following = evaluation.applicable_pages[position + 1:]
    else:
        following = evaluation.applicable_pages
    return next((pi for pi in following if pi.page.section_id == current.page.section_id), None)


def _problem_errors(problems: list[Problem]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        if problem.fields:
            errors.setdefault(problem.fields[0].question_id, problem.message)
    return errors


@collection_member_required
def record_page(request: HttpRequest, public_id: str, page_id: str, item: int | None = None) -> HttpResponse:
    return _question_page(request, _record(request, public_id), page_id, item)


def _question_page(request: HttpRequest, record: Record, page_id: str, item: int | None) -> HttpResponse:
    """A question page of a record, or of a new record (`record.pk` None) that its first saved answer creates."""
    definition = _definition(record)
    user: User = request.user  # type: ignore[assignment]
    evaluation = _evaluate(record, definition)
    instance = _find_instance(evaluation, page_id, item)
    if instance is None:
        # The page does not apply (any more) to this record: back to the task list rather than a dead end.
        messages.info(request, "That question does not apply to this record.")
        return redirect(_tasks_url(record))
    page = instance.page
    dynamic = _dynamic_options(user, definition)
    back_to_check = request.GET.get("return") == "check"
    errors: dict[str, str] = {}
    posted = None
    if request.method == "POST":
        posted = request.POST
        # "Save and come back later": what was typed is saved (answers left empty are not yet given), then the
        # task list; an answer that cannot be saved as typed is shown as an error like "Save and continue".
        later = "later" in request.POST
        all_ids = {q.id for q in page.questions}
        draft, _ = parse_page_post(definition=definition, page=page, post=request.POST, visible=all_ids)
        candidate = apply_values(record.answers, page, item, {k: v for k, v in draft.items() if v is not None})
        candidate_eval = _evaluate(record, definition, candidate)
        visible = visible_questions_after(definition=definition, page=page, item=item, evaluation=candidate_eval)
        values, errors = parse_page_post(definition=definition, page=page, post=request.POST, visible=visible,
                                         require=not later)
        if not errors:
            hidden = {q.id: None for q in page.questions if q.id not in visible}
            candidate = apply_values(record.answers, page, item, {**values, **hidden})
            candidate_eval = _evaluate(record, definition, candidate)
            hard, _missing = definition.page_problems(candidate_eval, PageInstance(page, item))
            errors = _problem_errors([p for p in hard if p.is_hard])
        if not errors:
            changes = {page.group: candidate.get(page.group, [])} if page.group else {
                q.id: candidate.get(q.id) for q in page.questions
            }
            before = set(_flatten(record.answers))
            typed = any(value not in (None, "", []) for value in _flatten(changes).values())
            try:
                if record.pk is not None:
                    result = record_update(record=record, user=user, changes=changes)
                elif typed:
                    # A new record's first saved answer: the record is created with it.
                    result = record_create(form=record.form, year=record.year, user=user,
                                           answers={k: v for k, v in changes.items() if v is not None})
                    record = result.record
                else:
                    # Nothing typed ("Save and come back later" on an empty page): nothing to keep, no record.
                    messages.info(request, "Nothing was saved: the record is created when you save its first answer.")
                    return redirect("records:list")
            except RecordWriteRefused as refused:
                on_page = _refused_question(refused, definition, page)
                if on_page is None:
                    messages.error(request, refused.message)
                    return redirect(_tasks_url(record))
                # The answer typed on this page is the reason: say so on the question, keeping what was typed.
                errors = {on_page: refused.message}
        if not errors:
            cleared = sorted(before - set(_flatten(result.record.answers)) - set(_flatten(changes)))
            if cleared:
                messages.info(request, "Some answers no longer apply because of this change and have been removed.")
            _remember_removed(request, record, definition, result.evaluation)
            if later:
                messages.success(request, "Your answers have been saved. You can come back to this record at any time.")
                return redirect("records:tasks", public_id=record.public_id)
            # An unconfirmed soft check about this page's answers: ask "are you sure?" first.
            page_soft = [
                p for p in result.soft_problems
                if p.fields and p.fields[0].question_id in {q.id for q in page.questions}
            ]
            if page_soft:
                target = reverse("records:soft", kwargs={"public_id": record.public_id, "key": page_soft[0].confirmation_key})
                return redirect(f"{target}?page={page.id}&item={item or ''}{'&return=check' if back_to_check else ''}")
            return _after_page(record, result.evaluation, PageInstance(page, item), back_to_check)
    fields = field_views(page=page, item=item, answers=record.answers, dynamic_options=dynamic, errors=errors, posted=posted)
    group = definition.groups.get(page.group) if page.group else None
    return render(request, "webform/page.html", {
        "record": record, "definition": definition, "page": page, "item": item, "fields": fields,
        "errors": errors, "form_has_errors": bool(errors),
        "caption": group.title_for(item) if group and item else definition.section(page.section_id).title,
        **page_heading(page, fields),
        "back_url": _tasks_url(record),
        "back_to_check": back_to_check, "date_parts": DATE_PARTS,
    }, status=400 if errors else 200)


def _refused_question(refused: RecordWriteRefused, definition: Definition, page: Page) -> str | None:
    """The question on this page whose answer the write was refused for, if there is one: a record date outside
    the collection year (or its window), or an organisation the user may not choose."""
    on_page = {q.id for q in page.questions}
    if isinstance(refused, WindowClosed):
        candidates = [definition.date_question]
    elif isinstance(refused, OrganisationNotAllowed):
        candidates = [getattr(refused, "question_id", None), definition.owner_question, definition.manager_question]
    else:
        return None
    return next((c for c in candidates if c and c in on_page), None)


def page_heading(page: Page, fields: list[FieldView]) -> dict[str, Any]:
    """The page's one <h1>: a page without a title whose first question reveals the rest is asked as that one
    question (its wording is the heading, as a legend or label); otherwise the title, over the questions."""
    return {"heading": page.heading, "single": not page.title and sum(1 for f in fields if not f.revealed_by) == 1}


def _flatten(answers: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for number, item in enumerate(value, 1):
                for inner, inner_value in item.items():
                    flat[f"{key}.{number}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def _removed_key(record: Record) -> str:
    return f"dcp-removed-answers:{record.public_id}"


def _remember_removed(request: HttpRequest, record: Record, definition: Definition, evaluation: Evaluation) -> None:
    """The answers a change removed (the engine's cleared answers), kept in the session until check your
    answers shows them."""
    if not evaluation.cleared:
        return
    removed = list(request.session.get(_removed_key(record), []))
    for cleared in evaluation.cleared:
        question = definition.question(cleared.ref.question_id)
        label = question.label
        group = definition.groups.get(cleared.ref.group or "")
        if group is not None and cleared.ref.item:
            label = f"{group.title_for(cleared.ref.item)}: {label}"
        removed.append({"label": label, "value": _display_value(question, cleared.value),
                        "section": question.section_id})
    request.session[_removed_key(record)] = removed


def _after_page(record: Record, evaluation: Evaluation, current: PageInstance, back_to_check: bool) -> HttpResponse:
    check = reverse("records:check", kwargs={"public_id": record.public_id, "section_id": current.page.section_id})
    if back_to_check:
        # Coming from check your answers: newly applicable questions still need answering first.
        following = _next_unanswered(current.page.section_id, evaluation)
        return redirect(_page_url(record, following, back_to_check=True) if following else check)
    following = _next_instance(evaluation, current)
    return redirect(_page_url(record, following) if following else check)


# ---------------------------------------------------------------------------------------------- soft checks


@collection_member_required
def record_soft_check(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    record = _record(request, public_id)
    definition = _definition(record)
    evaluation = _evaluate(record, definition)
    problem = next((p for p in evaluation.soft_problems if p.confirmation_key == key), None)
    page_id = request.GET.get("page") or request.POST.get("page") or ""
    item_raw = request.GET.get("item") or request.POST.get("item") or ""
    item = int(item_raw) if item_raw.isdigit() else None
    back_to_check = (request.GET.get("return") or request.POST.get("return")) == "check"
    if problem is None:
        return redirect("records:tasks", public_id=record.public_id)
    error = None
    if request.method == "POST":
        choice = request.POST.get("confirm")
        if choice == "yes":
            assert problem.confirmation_token is not None
            result = record_update(record=record, user=request.user, changes={},  # type: ignore[arg-type]
                                   confirmations={key: problem.confirmation_token})
            try:
                current = PageInstance(definition.page(page_id), item)
            except KeyError:
                return redirect("records:tasks", public_id=record.public_id)
            remaining = [p for p in result.soft_problems if p.fields and
                         p.fields[0].question_id in {q.id for q in current.page.questions}]
            if remaining:
                target = reverse("records:soft", kwargs={"public_id": record.public_id, "key": remaining[0].confirmation_key})
                return redirect(f"{target}?page={page_id}&item={item or ''}")
            return _after_page(record, result.evaluation, current, back_to_check)
        if choice == "no":
            instance = PageInstance(definition.page(page_id), item) if page_id else None
            if instance is not None:
                return redirect(_page_url(record, instance, back_to_check=back_to_check))
            return redirect("records:tasks", public_id=record.public_id)
        error = "Select whether the answer is correct"
    try:
        back_url = _page_url(record, PageInstance(definition.page(page_id), item), back_to_check=back_to_check)
    except KeyError:
        back_url = reverse("records:tasks", kwargs={"public_id": record.public_id})
    return render(request, "webform/soft_check.html", {
        "record": record, "problem": problem, "page_id": page_id, "item": item or "", "error": error,
        "back_url": back_url,
        "form_has_errors": bool(error), "back_to_check": back_to_check,
        "title": problem.title or problem.message,
        "confirm_label": problem.confirm_label or "Is this correct?",
    }, status=400 if error else 200)


# ---------------------------------------------------------------------------------------------- add another


def _add_another_groups(definition: Definition, section_id: str) -> list[Any]:
    """Repeating groups of this section whose number of items the user decides ("add another")."""
    ids = {p.group for p in definition.section(section_id).pages if p.group}
    return [definition.groups[g] for g in sorted(ids) if definition.groups[g].count is None]


@require_POST
@collection_member_required
def record_group_add(request: HttpRequest, public_id: str, group_id: str) -> HttpResponse:
    record = _record(request, public_id)
    definition = _definition(record)
    group = definition.groups.get(group_id)
    if group is None or group.count is not None:
        raise Http404("No such group")
    items = list(record.answers.get(group_id) or [])
    if group.max_items is not None and len(items) >= group.max_items:
        messages.error(request, f"You cannot add more than {group.max_items}.")
        return redirect("records:tasks", public_id=record.public_id)
    items.append({})
    try:
        result = record_update(record=record, user=request.user, changes={group_id: items})  # type: ignore[arg-type]
    except RecordWriteRefused as refused:
        messages.error(request, refused.message)
        return redirect("records:tasks", public_id=record.public_id)
    number = len(items)
    first = next((pi for pi in result.evaluation.applicable_pages if pi.page.group == group_id and pi.item == number), None)
    return redirect(_page_url(record, first) if first else reverse("records:tasks", kwargs={"public_id": record.public_id}))


@require_POST
@collection_member_required
def record_group_remove(request: HttpRequest, public_id: str, group_id: str, item: int) -> HttpResponse:
    record = _record(request, public_id)
    definition = _definition(record)
    group = definition.groups.get(group_id)
    items = list(record.answers.get(group_id) or [])
    if group is None or group.count is not None or not 1 <= item <= len(items):
        raise Http404("No such item")
    if len(items) <= group.min_items:
        messages.error(request, f"There must be at least {group.min_items}.")
    else:
        section_id = next(p.section_id for p in definition.pages if p.group == group_id)
        del items[item - 1]
        try:
            record_update(record=record, user=request.user, changes={group_id: items})  # type: ignore[arg-type]
        except RecordWriteRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, f"{group.title_for(item)} has been removed.")
            return redirect("records:check", public_id=record.public_id, section_id=section_id)
    return redirect("records:tasks", public_id=record.public_id)


# ---------------------------------------------------------------------------------------------- check your answers


def _display_value(question: Any, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(_display_value(question, v) for v in value)
    if question.options:
        label = question.option_label(value)
        if label:
            return label
    if question.type == "yesno":
        return "Yes" if value in (1, "1", True) else "No"
    if question.type == "money":
        return f"£{value}"
    if question.type == "date":
        try:
            day = date.fromisoformat(str(value))
            return f"{day.day} {day:%B %Y}"
        except ValueError:
            return str(value)
    if question.type == "organisation":
        org = Organisation.objects.filter(code=value).first()
        return org.name if org else str(value)
    suffix = f" {question.suffix}" if question.suffix else ""
    return f"{value}{suffix}"


@collection_member_required
def record_check(request: HttpRequest, public_id: str, section_id: str) -> HttpResponse:
    record = _record(request, public_id)
    definition = _definition(record)
    try:
        section = definition.section(section_id)
    except KeyError:
        raise Http404("No such section") from None
    evaluation = _evaluate(record, definition)
    applicable = {(r.question_id, r.item) for r in evaluation.applicable_questions}
    problems_by_field = {(p.fields[0].question_id, p.fields[0].item): p for p in evaluation.problems if p.fields}
    rows = []
    for instance in evaluation.applicable_pages:
        if instance.page.section_id != section_id:
            continue
        scope = record.answers
        if instance.page.group and instance.item:
            items = record.answers.get(instance.page.group) or []
            scope = items[instance.item - 1] if len(items) >= instance.item else {}
        group = definition.groups.get(instance.page.group) if instance.page.group else None
        for question in instance.page.questions:
            # Answers a derived value sets are shown too when their page applies (the user may change them).
            if (question.id, instance.item) not in applicable:
                continue
            label = question.label
            if group and instance.item:
                label = f"{group.title_for(instance.item)}: {label}"
            rows.append({
                "label": label, "value": _display_value(question, scope.get(question.id)),
                "change_url": _page_url(record, instance, back_to_check=True),
                "problem": problems_by_field.get((question.id, instance.item)),
                "id": f"{question.id}-{instance.item or 0}",
            })
    status = evaluation.section_status(section_id)
    groups = [
        {"group": g, "items": [{"number": n, "title": g.title_for(n)}
                               for n in range(1, len(record.answers.get(g.id) or []) + 1)],
         "can_add": g.max_items is None or len(record.answers.get(g.id) or []) < g.max_items,
         "can_remove": len(record.answers.get(g.id) or []) > g.min_items}
        for g in _add_another_groups(definition, section_id)
    ]
    # Answers earlier changes removed because they no longer apply: shown once, then forgotten.
    removed = request.session.pop(_removed_key(record), [])
    return render(request, "webform/check.html", {
        "record": record, "section": section, "rows": rows, "status": status,
        "complete": status == "completed", "groups": groups, "removed": removed,
    })

