from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.forms import CodeForm, InviteForm, RoleForm, SignInForm
from dcp_platform.accounts.models import User
from dcp_platform.accounts.selectors import users_visible_to
from dcp_platform.accounts.services import (
    invitation_pending,
    invitation_resend,
    user_change_role,
    user_invite,
    user_set_active,
)
from dcp_platform.accounts.two_factor import (
    check_second_factor,
    confirm_totp_device_check,
    has_second_factor,
    qr_code_svg,
    secret_for_display,
    unconfirmed_totp_device,
    wait_message,
)


def _safe_next(request: HttpRequest, fallback: str = "home") -> str:
    """Where to go after signing in: a path here, or a page of one of this service's collection hosts."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    host = urlsplit(target).hostname or ""
    base = settings.BASE_DOMAIN
    allowed = {request.get_host()}
    if host == base or host.endswith("." + base):
        allowed.add(urlsplit(target).netloc)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    return reverse(fallback)


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)
        if form.user.is_support or has_second_factor(form.user):
            return HttpResponseRedirect(f"{reverse('accounts:two-factor')}?next={quote(_safe_next(request))}")
        return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.GET.get("next", ""), "form_has_errors": bool(form.errors)},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    # The session lives in the shared (public) schema and its cookie covers every collection's host,
    # so ending it here signs the user out everywhere.
    logout(request)
    return redirect("accounts:signed-out")


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code (users with a second factor) or set up an authenticator app (everyone else)."""
    user = request.user
    form = CodeForm(request.POST or None)
    if has_second_factor(user):  # type: ignore[arg-type]
        if user.is_verified():  # type: ignore[union-attr]
            return render(request, "accounts/two_factor_done.html")
        if request.method == "POST" and form.is_valid():
            checked = check_second_factor(request, user, form.cleaned_data["code"])  # type: ignore[arg-type]
            if checked.verified:
                audit_record(action="two_factor_verified", actor=user, target=user, request=request)  # type: ignore[arg-type]
                return HttpResponseRedirect(_safe_next(request))
            if checked.wait_seconds:
                form.add_error("code", wait_message(checked.wait_seconds))
            else:
                form.add_error("code", "The code is not correct. Check your app and try again")
                audit_record(action="two_factor_failed", actor=user, target=user, request=request)  # type: ignore[arg-type]
        return render(request, "accounts/two_factor_verify.html",
                      {"form": form, "next": request.GET.get("next", ""), "form_has_errors": bool(form.errors)})
    device = unconfirmed_totp_device(user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        checked = confirm_totp_device_check(request, device, form.cleaned_data["code"])
        if checked.wait_seconds:
            form.add_error("code", wait_message(checked.wait_seconds))
        elif checked.verified:
            audit_record(action="two_factor_set_up", actor=user, target=user, request=request)  # type: ignore[arg-type]
            messages.success(request, "Your authenticator app is set up. You will be asked for a code when you sign in.")
            return HttpResponseRedirect(_safe_next(request, fallback="accounts:account"))
        else:
            form.add_error("code", "The code is not correct. Check the time on your phone and try again")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr_svg": qr_code_svg(device.config_url), "secret": secret_for_display(device),
        "required": getattr(user, "is_support", False), "form_has_errors": bool(form.errors),
    })


def _managed_user(request: HttpRequest, user_id: int) -> User:
    user = users_visible_to(user=request.user).filter(pk=user_id).first()  # type: ignore[arg-type]
    if user is None or user.pk == request.user.pk:
        raise Http404("No such user")
    return user


def _can_manage_users(user: User) -> bool:
    return user.is_support or user.is_coordinator


@login_required
def users(request: HttpRequest) -> HttpResponse:
    if not _can_manage_users(request.user):  # type: ignore[arg-type]
        raise Http404("No such page")
    return render(request, "accounts/users.html", {"users": users_visible_to(user=request.user).select_related("organisation")})  # type: ignore[arg-type]


@login_required
def user_invite_view(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    if not actor.is_coordinator or actor.organisation is None:
        raise Http404("No such page")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = user_invite(actor=actor, request=request, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"We have sent an invitation to {invited.email}.")
            return redirect("accounts:users")
    return render(request, "accounts/invite.html", {"form": form, "form_has_errors": bool(form.errors)})


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    if not _can_manage_users(actor):
        raise Http404("No such page")
    managed = _managed_user(request, user_id)
    form = RoleForm(request.POST or None, initial={"role": managed.role})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "deactivate":
                user_set_active(actor=actor, user=managed, active=False, request=request)
                messages.success(request, f"{managed.name} can no longer sign in.")
                return redirect("accounts:users")
            if request.POST.get("action") == "resend":
                try:
                    invitation_resend(actor=actor, user=managed, request=request)
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, f"We have sent the invitation to {managed.email} again.")
                return redirect("accounts:user", user_id=managed.pk)
            if request.POST.get("action") == "reactivate":
                user_set_active(actor=actor, user=managed, active=True, request=request)
                messages.success(request, f"{managed.name} can sign in again.")
                return redirect("accounts:users")
            if form.is_valid():
                user_change_role(actor=actor, user=managed, role=form.cleaned_data["role"], request=request)
                messages.success(request, f"{managed.name} is now a {managed.get_role_display().lower()}.")
                return redirect("accounts:users")
        except PermissionDenied:
            raise Http404("No such user") from None
    return render(request, "accounts/user_detail.html", {
        "managed": managed, "form": form, "form_has_errors": bool(form.errors), "pending": invitation_pending(managed),
    })
