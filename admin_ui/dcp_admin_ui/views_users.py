"""Support pages for people: the list, invite (create), change role and organisation, deactivate, invitations."""

from __future__ import annotations

from dcp_platform.access import support_required
from dcp_platform.accounts.models import Role, User
from dcp_platform.accounts.selectors import invitations_pending
from dcp_platform.accounts.services import (
    invitation_pending,
    invitation_resend,
    user_invite,
    user_set_active,
    user_update,
)
from dcp_platform.tenancy.models import CollectionAnalyst
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcp_admin_ui.common import actor, add_service_errors, page_of, query_without_page
from dcp_admin_ui.forms import UserForm


@support_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("organisation").order_by("name", "email")
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    if query:
        users = users.filter(Q(name__icontains=query) | Q(email__icontains=query) |
                             Q(organisation__name__icontains=query) | Q(organisation__code__iexact=query))
    if role in Role.values:
        users = users.filter(role=role)
    if status in {"active", "inactive"}:
        users = users.filter(is_active=status == "active")
    return render(request, "admin_ui/user_list.html", {
        "page": page_of(request, users), "q": query, "role": role, "status": status, "roles": Role.choices,
        "filters": query_without_page(request),
    })


@support_required
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, initial={"organisation": request.GET.get("organisation", "")})
    if request.method == "POST" and form.is_valid():
        try:
            invited = user_invite(actor=actor(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"We have sent an invitation to {invited.email}.")
            return redirect("support:user", user_id=invited.pk)
    return render(request, "admin_ui/user_form.html", {"form": form, "form_has_errors": bool(form.errors)})


def _user(user_id: int) -> User:
    return get_object_or_404(User.objects.select_related("organisation"), pk=user_id)


@support_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _user(user_id)
    initial = {"name": person.name, "email": person.email, "role": person.role,
               "organisation": person.organisation_id or ""}
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(actor=actor(request), user=person, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.name or person.email}'s details have been changed.")
            return redirect("support:user", user_id=person.pk)
    return render(request, "admin_ui/user_detail.html", {
        "person": person, "form": form, "form_has_errors": bool(form.errors),
        "pending": invitation_pending(person), "is_self": person.pk == request.user.pk,
        "analyst_of": CollectionAnalyst.objects.filter(user=person).select_related("collection"),
    })


@support_required
def user_active(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    """Deactivate (after confirming) or reactivate a person. Users are never deleted."""
    person = _user(user_id)
    if action not in {"deactivate", "reactivate"}:
        raise Http404("No such page")
    back = reverse("support:user", args=[person.pk])
    if request.method == "POST":
        try:
            user_set_active(actor=actor(request), user=person, active=action == "reactivate", request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{person.name or person.email} can {'no longer' if action == 'deactivate' else 'again'} sign in.")
        return redirect(back)
    if action == "reactivate":
        raise Http404("Reactivating needs no confirmation")
    return render(request, "admin_ui/confirm.html", {
        "heading": f"Deactivate {person.name or person.email}?",
        "text": "They will no longer be able to sign in. Their records and the history of their changes stay. "
                "You can reactivate them later.",
        "button": "Deactivate", "cancel_url": back,
    })


@require_POST
@support_required
def invitation_resend_view(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _user(user_id)
    try:
        invitation_resend(actor=actor(request), user=person, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"We have sent the invitation to {person.email} again.")
    if request.POST.get("back") == "invitations":
        return redirect("support:invitations")
    return redirect("support:user", user_id=person.pk)


@support_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_ui/invitation_list.html", {
        "page": page_of(request, invitations_pending(user=actor(request))),
    })
