"""Paper form pages: the public version of each form and year, an organisation's own version (its users and
support only), and its settings (its data coordinator and support)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dcp_platform.access import (
    may_change_organisation_settings,
    may_see_organisation_version,
    organisation_takes_part,
)
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.definitions import Definition
from dcp_platform.paper.exporters import PaperRequest, PdfUnavailable, paper_form_html, paper_form_pdf
from dcp_platform.paper.forms import PaperSettingsForm
from dcp_platform.paper.selectors import (
    current_collection_slug,
    organisation_by_code,
    paper_settings_of,
)
from dcp_platform.paper.services import paper_settings_update
from dcp_platform.registry import definitions_for, get_plugin


def _definition(form: str, year: int) -> Definition:
    definition = definitions_for(current_collection_slug()).get((form, year))
    if definition is None:
        raise Http404("No such form and year")
    return definition


def _newest(form: str) -> Definition:
    years = {year: d for (form_id, year), d in definitions_for(current_collection_slug()).items() if form_id == form}
    if not years:
        raise Http404("No such form")
    return years[max(years)]


def _organisation(request: HttpRequest, code: str) -> Organisation:
    """The organisation whose version is asked for; 404 for anyone who may not see it (saying nothing of it)."""
    organisation = organisation_by_code(code=code)
    user: User = request.user  # type: ignore[assignment]
    if organisation is None or not may_see_organisation_version(user=user, organisation=organisation):
        raise Http404("No such organisation")
    return organisation


def paper_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = None
    if user.is_authenticated and user.organisation is not None and organisation_takes_part(organisation=user.organisation):  # type: ignore[union-attr]
        organisation = user.organisation  # type: ignore[union-attr]
    search_error = ""
    if user.is_authenticated and user.is_support and request.GET.get("organisation"):  # type: ignore[union-attr]
        chosen = organisation_by_code(code=request.GET["organisation"].strip())
        if chosen is not None and organisation_takes_part(organisation=chosen):
            organisation = chosen
        else:
            search_error = "No organisation with that code takes part in this collection"
    definitions = sorted(definitions_for(current_collection_slug()).values(), key=lambda d: (-d.year, d.form))
    return render(request, "paper/index.html", {
        "definitions": definitions, "organisation": organisation,
        "may_change": organisation is not None and may_change_organisation_settings(
            user=user, organisation=organisation),  # type: ignore[arg-type]
        "forms": get_plugin(current_collection_slug()).forms,
        "searched": request.GET.get("organisation", ""), "search_error": search_error,
        "form_has_errors": bool(search_error),
    })


def _page(request: HttpRequest, definition: Definition, organisation: Organisation | None) -> HttpResponse:
    paper = PaperRequest(definition, organisation)
    if organisation is None:
        pdf_url = reverse("paper:pdf", kwargs={"form": definition.form, "year": definition.year})
    else:
        pdf_url = reverse("paper:organisation-pdf", kwargs={
            "form": definition.form, "year": definition.year, "code": organisation.code})
    return render(request, "paper/form.html", {
        "definition": definition, "organisation": organisation, "body": paper_form_html(paper), "pdf_url": pdf_url,
    })


def _pdf(definition: Definition, organisation: Organisation | None) -> HttpResponse:
    try:
        pdf = paper_form_pdf(PaperRequest(definition, organisation))
    except PdfUnavailable:
        return HttpResponse(
            "The PDF cannot be made on this server at the moment. Print the web page of the form instead.",
            status=503, content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = f"-{organisation.code}" if organisation is not None else ""
    name = f"{definition.collection}-{definition.form}-{definition.year}-paper-form{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def paper_form_page(request: HttpRequest, form: str, year: int) -> HttpResponse:
    return _page(request, _definition(form, year), None)


def paper_form_pdf_file(request: HttpRequest, form: str, year: int) -> HttpResponse:
    return _pdf(_definition(form, year), None)


@login_required
def organisation_form_page(request: HttpRequest, form: str, year: int, code: str) -> HttpResponse:
    definition = _definition(form, year)
    return _page(request, definition, _organisation(request, code))


@login_required
def organisation_form_pdf_file(request: HttpRequest, form: str, year: int, code: str) -> HttpResponse:
    definition = _definition(form, year)
    return _pdf(definition, _organisation(request, code))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, form: str, code: str) -> HttpResponse:
    definition = _newest(form)
    organisation = _organisation(request, code)
    user: User = request.user  # type: ignore[assignment]
    if not may_change_organisation_settings(user=user, organisation=organisation):
        raise Http404("No such organisation")
    settings = paper_settings_of(organisation=organisation)
    initial = {"central_questions": settings.central_for(form) if settings else []}
    if request.method == "POST":
        form_data = PaperSettingsForm(request.POST, request.FILES, definition=definition)
        if form_data.is_valid():
            paper_settings_update(
                organisation=organisation, user=user, form=definition.form,
                central_questions=form_data.cleaned_data["central_questions"], logo=form_data.cleaned_data["logo"],
                remove_logo=form_data.cleaned_data["remove_logo"], request=request,
            )
            messages.success(request, f"The paper form of {organisation.name} is saved")
            return redirect("paper:index")
    else:
        form_data = PaperSettingsForm(initial=initial, definition=definition)
    chosen = set(form_data["central_questions"].value() or [])
    return render(request, "paper/settings.html", {
        "definition": definition, "organisation": organisation, "form": form_data, "chosen": chosen,
        "has_logo": bool(settings and settings.logo), "form_has_errors": bool(form_data.errors),
    })
