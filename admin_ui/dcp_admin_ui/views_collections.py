"""Support pages for collections: their settings, the organisations taking part and the department analysts."""

from __future__ import annotations

from dcp_platform.access import support_required
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.tenancy.models import Collection, Participation
from dcp_platform.tenancy.selectors import analysts_of
from dcp_platform.tenancy.services import (
    analyst_assign,
    analyst_unassign,
    collection_update,
    participation_add,
)
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dcp_admin_ui.common import actor, add_service_errors
from dcp_admin_ui.forms import AnalystForm, CollectionForm, CollectionOrganisationForm
from dcp_admin_ui.views_organisations import participation_confirm


def _collection(slug: str) -> Collection:
    return get_object_or_404(Collection.objects.exclude(schema_name="public"), slug=slug)


@support_required
def collection_list(request: HttpRequest) -> HttpResponse:
    collections = [
        {"collection": c, "organisations": c.participations.count(), "analysts": c.analysts.count()}
        for c in Collection.objects.exclude(schema_name="public").order_by("title")
    ]
    return render(request, "admin_ui/collection_list.html", {"collections": collections})


def _context(collection: Collection, **forms: object) -> dict[str, object]:
    return {
        "collection_shown": collection,
        "participations": Participation.objects.filter(collection=collection).select_related("organisation")
        .order_by("organisation__name"),
        "analysts": analysts_of(collection=collection),
        "settings_form": forms.get("settings_form") or CollectionForm(prefix="settings", initial={
            "title": collection.title, "service_name": collection.service_name, "theme": collection.theme}),
        "organisation_form": forms.get("organisation_form") or CollectionOrganisationForm(prefix="organisation"),
        "analyst_form": forms.get("analyst_form") or AnalystForm(prefix="analyst"),
        "error_form": next((form for form in forms.values() if getattr(form, "errors", None)), None),
        "form_has_errors": any(getattr(form, "errors", None) for form in forms.values()),
    }


@support_required
def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The collection's page; its three forms post here, each named by its prefix."""
    collection = _collection(slug)
    if request.method != "POST":
        return render(request, "admin_ui/collection_detail.html", _context(collection))
    by = actor(request)
    if "settings-title" in request.POST:
        form = CollectionForm(request.POST, prefix="settings")
        if form.is_valid():
            try:
                collection_update(collection=collection, by=by, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{collection.title}'s settings have been saved.")
                return redirect("support:collection", slug=collection.slug)
        return render(request, "admin_ui/collection_detail.html", _context(collection, settings_form=form), status=400)
    if "organisation-organisation" in request.POST:
        organisation_form = CollectionOrganisationForm(request.POST, prefix="organisation")
        if organisation_form.is_valid():
            organisation: Organisation = organisation_form.cleaned_data["organisation"]
            try:
                participation_add(organisation=organisation, collection=collection, by=by, request=request)
            except ValidationError as error:
                add_service_errors(organisation_form, error)
            else:
                messages.success(request, f"{organisation.name} now takes part in {collection.title}.")
                return redirect("support:collection", slug=collection.slug)
        return render(request, "admin_ui/collection_detail.html",
                      _context(collection, organisation_form=organisation_form), status=400)
    analyst_form = AnalystForm(request.POST, prefix="analyst")
    if analyst_form.is_valid():
        user: User = analyst_form.cleaned_data["email"]
        try:
            analyst_assign(user=user, collection=collection, by=by, request=request)
        except ValidationError as error:
            for problem in error.messages:
                analyst_form.add_error("email", problem)
        else:
            messages.success(request, f"{user.name or user.email} is now an analyst of {collection.title}.")
            return redirect("support:collection", slug=collection.slug)
    return render(request, "admin_ui/collection_detail.html", _context(collection, analyst_form=analyst_form),
                  status=400)


@support_required
def collection_participation_delete(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    collection = _collection(slug)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return participation_confirm(request, organisation, collection,
                                 back=reverse("support:collection", args=[collection.slug]))


@support_required
def analyst_delete(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    collection = _collection(slug)
    user = get_object_or_404(User, pk=user_id)
    back = reverse("support:collection", args=[collection.slug])
    if not analysts_of(collection=collection).filter(user=user).exists():
        raise Http404("Not an analyst of this collection")
    if request.method == "POST":
        analyst_unassign(user=user, collection=collection, by=actor(request), request=request)
        messages.success(request, f"{user.name or user.email} is no longer an analyst of {collection.title}.")
        return redirect(back)
    return render(request, "admin_ui/confirm.html", {
        "heading": f"Remove {user.name or user.email} as an analyst of {collection.title}?",
        "text": f"They will no longer see the records and figures of every organisation in {collection.title}.",
        "button": "Remove analyst", "cancel_url": back,
    })
