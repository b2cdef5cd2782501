"""A person's notifications (list, mark as read) and which kinds they get by email. Served on every host."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcp_platform.accounts.models import User
from dcp_platform.notifications.forms import EmailPreferencesForm
from dcp_platform.notifications.kinds import KINDS
from dcp_platform.notifications.selectors import email_preferences, notifications_for, unread_count
from dcp_platform.notifications.services import (
    email_preferences_set,
    notification_mark_read,
    notifications_mark_all_read,
)

PAGE_SIZE = 20


def _back_to_list(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    return redirect(reverse("notifications:list") + (f"?page={page}" if page.isdigit() else ""))


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(notifications_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread": unread_count(user=user)})


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    if notification_mark_read(user=request.user, notification_id=notification_id):  # type: ignore[arg-type]
        messages.success(request, "The notification is marked as read.")
    return _back_to_list(request)


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, f"{count} notification{'s are' if count != 1 else ' is'} marked as read.")
    return _back_to_list(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    current = email_preferences(user=user)
    # Bound on every POST: one with every box unticked may carry no fields at all.
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None,
                                initial={"emailed": [k.slug for k, on in current if on]})
    if request.method == "POST" and form.is_valid():
        email_preferences_set(user=user, emailed_kinds=set(form.cleaned_data["emailed"]))
        messages.success(request, "Your email choices are saved.")
        return redirect("notifications:preferences")
    checked = set(request.POST.getlist("emailed")) if form.is_bound else {k.slug for k, on in current if on}
    choices = [{"slug": kind.slug, "label": kind.label, "hint": kind.hint, "checked": kind.slug in checked}
               for kind in KINDS.values()]
    return render(request, "notifications/preferences.html", {
        "form": form, "choices": choices, "form_has_errors": bool(form.errors),
    })
