"""The support home page and the audit trail."""

from __future__ import annotations

from datetime import datetime, time

from dcp_platform.access import support_required
from dcp_platform.accounts.models import AuditEvent
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dcp_admin_ui.common import page_of, query_without_page
from dcp_admin_ui.forms import AuditFilterForm


@support_required
def support_home(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_ui/home.html")


@support_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("actor"):
            events = events.filter(actor__email__icontains=data["actor"].strip())
        if data.get("target"):
            events = events.filter(Q(target_label__icontains=data["target"].strip()) |
                                   Q(target_id=data["target"].strip()))
        zone = timezone.get_current_timezone()
        if data.get("from_date"):
            events = events.filter(at__gte=datetime.combine(data["from_date"], time.min, tzinfo=zone))
        if data.get("to_date"):
            events = events.filter(at__lte=datetime.combine(data["to_date"], time.max, tzinfo=zone))
    elif form.is_bound:
        events = events.none()
    parts = (("day", "Day", "govuk-input--width-2"), ("month", "Month", "govuk-input--width-2"),
             ("year", "Year", "govuk-input--width-4"))
    return render(request, "admin_ui/audit_list.html", {
        "form": form, "page": page_of(request, events), "filters": query_without_page(request),
        "from_parts": [(form[f"from_{part}"], label, width) for part, label, width in parts],
        "to_parts": [(form[f"to_{part}"], label, width) for part, label, width in parts],
        "form_has_errors": bool(form.is_bound and form.errors),
    })
