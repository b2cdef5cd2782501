"""Support pages for the platform banner: shown on every page of every collection and the public site."""

from __future__ import annotations

from dcp_platform.access import support_required
from dcp_platform.notifications.models import PlatformBanner
from dcp_platform.notifications.services import platform_banner_delete, platform_banner_save
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from dcp_admin_ui.common import actor, add_service_errors
from dcp_admin_ui.forms import DATE_PARTS, BannerForm


def _status(banner: PlatformBanner) -> tuple[str, str]:
    now = timezone.now()
    if banner.ends_at is not None and banner.ends_at <= now:
        return "Ended", "govuk-tag--grey"
    if banner.starts_at > now:
        return "Scheduled", "govuk-tag--blue"
    return "Showing now", "govuk-tag--green"


@support_required
def banner_list(request: HttpRequest) -> HttpResponse:
    banners = [{"banner": banner, "status": _status(banner)} for banner in PlatformBanner.objects.all()[:50]]
    return render(request, "admin_ui/banner_list.html", {"banners": banners})


def _parts(form: BannerForm, prefix: str) -> list[tuple[object, str, str]]:
    widths = {"day": "govuk-input--width-2", "month": "govuk-input--width-2", "year": "govuk-input--width-4"}
    return [(form[f"{prefix}_{part}"], part.title(), widths[part]) for part in DATE_PARTS]


def _form_page(request: HttpRequest, form: BannerForm, banner: PlatformBanner | None) -> HttpResponse:
    return render(request, "admin_ui/banner_form.html", {
        "form": form, "banner": banner, "start_parts": _parts(form, "start"), "end_parts": _parts(form, "end"),
        "form_has_errors": bool(form.errors),
    })


def _save(request: HttpRequest, form: BannerForm, banner: PlatformBanner | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = platform_banner_save(by=actor(request), banner=banner, request=request, **form.banner_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The banner “{saved.heading}” is saved.")
            return redirect("support:banners")
    return _form_page(request, form, banner)


@support_required
def banner_new(request: HttpRequest) -> HttpResponse:
    initial = BannerForm.initial_for(timezone.now().replace(second=0, microsecond=0), "start")
    return _save(request, BannerForm(request.POST or None, initial=initial), None)


@support_required
def banner_edit(request: HttpRequest, banner_id: int) -> HttpResponse:
    banner = get_object_or_404(PlatformBanner, pk=banner_id)
    initial = {"heading": banner.heading, "message": banner.message, "link_text": banner.link_text,
               "link_url": banner.link_url, **BannerForm.initial_for(banner.starts_at, "start"),
               **BannerForm.initial_for(banner.ends_at, "end")}
    return _save(request, BannerForm(request.POST or None, initial=initial), banner)


@support_required
def banner_remove(request: HttpRequest, banner_id: int) -> HttpResponse:
    banner = get_object_or_404(PlatformBanner, pk=banner_id)
    if request.method == "POST":
        platform_banner_delete(by=actor(request), banner=banner, request=request)
        messages.success(request, f"The banner “{banner.heading}” is removed.")
        return redirect("support:banners")
    return render(request, "admin_ui/confirm.html", {
        "heading": f"Remove the banner “{banner.heading}”?",
        "text": "It will no longer show on any page. To keep it for later, change its dates instead.",
        "button": "Remove banner", "cancel_url": reverse("support:banners"),
    })
