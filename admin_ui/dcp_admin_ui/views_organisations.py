"""Support pages for organisations: the list, create and edit, parent, relationships and participation."""

from __future__ import annotations

from dcp_platform.access import support_required
from dcp_platform.accounts.models import Organisation, OrganisationRelationship, ProviderType
from dcp_platform.accounts.services import (
    organisation_create,
    organisation_update,
    relationship_add,
    relationship_remove,
)
from dcp_platform.tenancy.models import Collection, Participation
from dcp_platform.tenancy.services import participation_add, participation_remove
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dcp_admin_ui.common import actor, add_service_errors, page_of, query_without_page
from dcp_admin_ui.forms import LinkOrganisationForm, OrganisationForm, ParticipationForm


@support_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.select_related("parent").order_by("name")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("type", "")
    status = request.GET.get("status", "")
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if kind in ProviderType.values:
        organisations = organisations.filter(provider_type=kind)
    if status in {"active", "inactive"}:
        organisations = organisations.filter(active=status == "active")
    return render(request, "admin_ui/organisation_list.html", {
        "page": page_of(request, organisations), "q": query, "type": kind, "status": status,
        "types": ProviderType.choices, "filters": query_without_page(request),
    })


@support_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, initial={"holds_own_stock": True})
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=actor(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} has been added.")
            return redirect("support:organisation", organisation_id=organisation.pk)
    return render(request, "admin_ui/organisation_form.html", {"form": form, "form_has_errors": bool(form.errors)})


def _organisation(organisation_id: int) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("parent"), pk=organisation_id)


@support_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(organisation_id)
    return render(request, "admin_ui/organisation_detail.html", _detail_context(organisation))


def _detail_context(organisation: Organisation, **forms: object) -> dict[str, object]:
    return {
        "organisation": organisation,
        "agents": OrganisationRelationship.objects.filter(stock_owner=organisation).select_related("managing_agent"),
        "owners": OrganisationRelationship.objects.filter(managing_agent=organisation).select_related("stock_owner"),
        "participations": Participation.objects.filter(organisation=organisation).select_related("collection"),
        "children": organisation.children.order_by("name"),
        "users": organisation.users.order_by("name"),
        "agent_form": forms.get("agent_form") or LinkOrganisationForm(
            label="Add a managing agent", exclude=organisation.pk, prefix="agent"),
        "owner_form": forms.get("owner_form") or LinkOrganisationForm(
            label="Add a stock owner it manages for", exclude=organisation.pk, prefix="owner"),
        "participation_form": forms.get("participation_form") or ParticipationForm(prefix="collection"),
        "error_form": next((form for form in forms.values() if getattr(form, "errors", None)), None),
        "form_has_errors": any(getattr(form, "errors", None) for form in forms.values()),
    }


@support_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(organisation_id)
    initial = {"name": organisation.name, "code": organisation.code, "provider_type": organisation.provider_type,
               "parent": organisation.parent_id or "", "holds_own_stock": organisation.holds_own_stock,
               "active": organisation.active}
    form = OrganisationForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(actor=actor(request), organisation=organisation, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} has been changed.")
            return redirect("support:organisation", organisation_id=organisation.pk)
    return render(request, "admin_ui/organisation_form.html", {
        "form": form, "organisation": organisation, "form_has_errors": bool(form.errors),
    })


@support_required
def relationship_new(request: HttpRequest, organisation_id: int, side: str) -> HttpResponse:
    """Add a managing agent to this stock owner (side "agent") or a stock owner to this agent (side "owner")."""
    organisation = _organisation(organisation_id)
    if side not in {"agent", "owner"} or request.method != "POST":
        raise Http404("No such page")
    label = "Add a managing agent" if side == "agent" else "Add a stock owner it manages for"
    form = LinkOrganisationForm(request.POST, label=label, exclude=organisation.pk, prefix=side)
    if form.is_valid():
        other = form.cleaned_data["organisation"]
        owner, agent = (organisation, other) if side == "agent" else (other, organisation)
        try:
            relationship_add(actor=actor(request), stock_owner=owner, managing_agent=agent, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{agent.name} now manages lettings for {owner.name}.")
            return redirect("support:organisation", organisation_id=organisation.pk)
    return render(request, "admin_ui/organisation_detail.html",
                  _detail_context(organisation, **{f"{side}_form": form}), status=400)


@support_required
def relationship_delete(request: HttpRequest, organisation_id: int, relationship_id: int) -> HttpResponse:
    organisation = _organisation(organisation_id)
    relationship = get_object_or_404(
        OrganisationRelationship.objects.select_related("stock_owner", "managing_agent").filter(
            Q(stock_owner=organisation) | Q(managing_agent=organisation)),
        pk=relationship_id,
    )
    owner, agent = relationship.stock_owner, relationship.managing_agent
    if request.method == "POST":
        relationship_remove(actor=actor(request), relationship=relationship, request=request)
        messages.success(request, f"{agent.name} no longer manages lettings for {owner.name}.")
        return redirect("support:organisation", organisation_id=organisation.pk)
    return render(request, "admin_ui/confirm.html", {
        "heading": f"Stop {agent.name} managing lettings for {owner.name}?",
        "text": f"{agent.name} will no longer be able to send records for {owner.name}. "
                "Records it has already sent stay as they are.",
        "button": "Remove the link", "cancel_url": reverse("support:organisation", args=[organisation.pk]),
    })


@support_required
def participation_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(organisation_id)
    if request.method != "POST":
        raise Http404("No such page")
    form = ParticipationForm(request.POST, prefix="collection")
    if form.is_valid():
        collection = form.cleaned_data["collection"]
        try:
            participation_add(organisation=organisation, collection=collection, by=actor(request), request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} now takes part in {collection.title}.")
            return redirect("support:organisation", organisation_id=organisation.pk)
    return render(request, "admin_ui/organisation_detail.html",
                  _detail_context(organisation, participation_form=form), status=400)


def participation_confirm(
    request: HttpRequest, organisation: Organisation, collection: Collection, *, back: str
) -> HttpResponse:
    """Confirm, then stop the organisation taking part (shared by the organisation and collection pages)."""
    if not Participation.objects.filter(organisation=organisation, collection=collection).exists():
        raise Http404("The organisation does not take part in this collection")
    if request.method == "POST":
        participation_remove(organisation=organisation, collection=collection, by=actor(request), request=request)
        messages.success(request, f"{organisation.name} no longer takes part in {collection.title}.")
        return redirect(back)
    return render(request, "admin_ui/confirm.html", {
        "heading": f"Stop {organisation.name} taking part in {collection.title}?",
        "text": f"Its users will no longer be able to send records to {collection.title} or see its records there. "
                "Records already sent stay in the collection.",
        "button": "Stop taking part", "cancel_url": back,
    })


@support_required
def participation_delete(request: HttpRequest, organisation_id: int, slug: str) -> HttpResponse:
    organisation = _organisation(organisation_id)
    collection = get_object_or_404(Collection.objects.exclude(schema_name="public"), slug=slug)
    return participation_confirm(request, organisation, collection,
                                 back=reverse("support:organisation", args=[organisation.pk]))
