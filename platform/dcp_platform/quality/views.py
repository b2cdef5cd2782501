"""Pages of data quality on each collection's site: queries (list, raise, thread) and sign-off of returns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dcp_platform.access import collection_member_required
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.quality.forms import AnswerForm, RaiseQueryForm, ReopenForm, ReplyForm, ResolveForm
from dcp_platform.quality.models import Query, QueryState
from dcp_platform.quality.selectors import is_query_raiser, queries_visible_to
from dcp_platform.quality.services import (
    linkable_changes,
    query_answer,
    query_raise,
    query_reopen,
    query_resolve,
)
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.registry import definitions_for

PAGE_SIZE = 25
STATE_TAGS: dict[str, str] = {QueryState.OPEN: "govuk-tag--yellow", QueryState.ANSWERED: "govuk-tag--blue",
              QueryState.RESOLVED: "govuk-tag--green"}


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form_years() -> list[tuple[str, str]]:
    return [(f"{form}:{year}", f"{definition.title} {year} to {year + 1}")
            for (form, year), definition in sorted(definitions_for(_slug()).items())]


def _add_errors(form: Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@collection_member_required
def query_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    queries = queries_visible_to(user=user).select_related(None).prefetch_related("records")
    state = request.GET.get("state", "open")
    if state == "open":
        queries = queries.exclude(state=QueryState.RESOLVED)
    elif state in QueryState.values:
        queries = queries.filter(state=state)
    else:
        state = "all"
    organisation = request.GET.get("organisation", "").strip()
    if organisation:
        queries = queries.filter(organisation__code=organisation)
    page = Paginator(queries.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = {org.pk: org for org in Organisation.objects.filter(pk__in=[q.organisation_id for q in page])}
    rows = [{"query": q, "organisation": organisations.get(q.organisation_id), "tag": STATE_TAGS[q.state]}
            for q in page]
    return render(request, "quality/query_list.html", {
        "page": page, "rows": rows, "state": state, "organisation": organisation,
        "may_raise": is_query_raiser(user=user),
        "states": [("open", "Open or answered"), *QueryState.choices, ("all", "All")],
    })


@collection_member_required
def query_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_query_raiser(user=user):
        raise PermissionDenied("Only the collection's analysts and support raise queries.")
    organisations = Organisation.objects.filter(participations__collection__schema_name=_slug()).order_by("name")
    visible = records_visible_to(user=user)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        if request.GET.get("record"):
            initial["records"] = request.GET["record"]
        if request.GET.get("organisation"):
            initial["organisation"] = request.GET["organisation"]
    form = RaiseQueryForm(request.POST if request.method == "POST" else None, initial=initial,
                          organisations=organisations, form_years=_form_years(), visible_records=visible)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        form_name, _, year = str(data.get("form_year") or "").partition(":")
        try:
            query = query_raise(
                by=user, subject=data["subject"], message=data["message"], records=data["records"],
                organisation=organisations.filter(code=data["organisation"]).first() if data["organisation"] else None,
                form=form_name, year=int(year) if year.isdigit() else None, check_id=request.POST.get("check", "")[:80],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The query is raised. The organisation has been told.")
            return redirect("quality:query", query_id=query.pk)
    return render(request, "quality/query_new.html", {"form": form, "form_has_errors": bool(form.errors)})


def _thread_context(request: HttpRequest, query: Query, **forms: Form) -> dict[str, Any]:
    user = _user(request)
    raiser = is_query_raiser(user=user)
    visible_ids = set(records_visible_to(user=user).filter(pk__in=query.records.values("pk")).values_list("pk", flat=True))
    thread = list(query.messages.all().prefetch_related("changes", "changes__record"))
    authors = {u.pk: u for u in User.objects.filter(pk__in={m.author_id for m in thread})}
    return {
        "query": query, "tag": STATE_TAGS[query.state], "raiser": raiser,
        "organisation": Organisation.objects.filter(pk=query.organisation_id).first(),
        "records": [{"record": r, "link": r.pk in visible_ids} for r in query.records.all().order_by("pk")],
        "thread": [{"message": m, "author": authors.get(m.author_id)} for m in thread],
        "linkable": [] if raiser or not query.is_open else linkable_changes(query=query),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "form_has_errors": any(f.errors for f in forms.values()),
        "error_form": next((f for f in forms.values() if f.errors), None),
    }


def _query(request: HttpRequest, query_id: int) -> Query:
    query = queries_visible_to(user=_user(request)).filter(pk=query_id).first()
    if query is None:
        raise Http404("No such query")
    return query


@collection_member_required
def query_detail(request: HttpRequest, query_id: int) -> HttpResponse:
    query = _query(request, query_id)
    return render(request, "quality/query_detail.html", _thread_context(request, query))


def _act(request: HttpRequest, query: Query, form: Form, form_name: str, act: Any, done: str) -> HttpResponse:
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("quality:query", query_id=query.pk)
    query.refresh_from_db()
    return render(request, "quality/query_detail.html", _thread_context(request, query, **{form_name: form}),
                  status=400)


@require_POST
@collection_member_required
def query_answer_view(request: HttpRequest, query_id: int) -> HttpResponse:
    query, user = _query(request, query_id), _user(request)
    if is_query_raiser(user=user):
        form: Form = ReplyForm(request.POST)
        return _act(request, query, form, "reply_form",
                    lambda data: query_answer(by=user, query=query, kind="reply", text=data["text"], request=request),
                    "Your reply is sent. The organisation has been told.")
    form = AnswerForm(request.POST)
    return _act(request, query, form, "answer_form",
                lambda data: query_answer(by=user, query=query, kind=data["kind"], text=data["text"], request=request),
                "Your answer is sent. The analyst has been told.")


@require_POST
@collection_member_required
def query_resolve_view(request: HttpRequest, query_id: int) -> HttpResponse:
    query, user = _query(request, query_id), _user(request)
    return _act(request, query, ResolveForm(request.POST), "resolve_form",
                lambda data: query_resolve(by=user, query=query, text=data["text"], request=request),
                "The query is resolved.")


@require_POST
@collection_member_required
def query_reopen_view(request: HttpRequest, query_id: int) -> HttpResponse:
    query, user = _query(request, query_id), _user(request)
    return _act(request, query, ReopenForm(request.POST), "reopen_form",
                lambda data: query_reopen(by=user, query=query, reason=data["reason"], request=request),
                "The query is reopened. The organisation has been told.")
