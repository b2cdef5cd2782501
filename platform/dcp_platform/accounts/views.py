from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dcp_platform.accounts.forms import SignInForm


def _safe_next(request: HttpRequest, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    from django.conf import settings

    allowed = {request.get_host(), settings.BASE_DOMAIN}
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse(fallback)


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)
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
    messages.info(request, "Two-factor authentication set-up is not available yet.")
    return render(request, "accounts/account.html")


@login_required
def users(request: HttpRequest) -> HttpResponse:
    from dcp_platform.accounts.selectors import users_visible_to

    return render(request, "accounts/users.html", {"users": users_visible_to(user=request.user)})  # type: ignore[arg-type]
