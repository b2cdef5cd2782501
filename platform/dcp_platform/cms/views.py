"""Hiding a service banner: a plain form POST (works without JavaScript), remembered in a cookie on every host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dcp_platform.cms.banners import MAX_HIDDEN_KEPT, hidden_keys

HIDDEN_FOR_SECONDS = 365 * 24 * 3600


@require_POST
def banner_hide(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    key = request.POST.get("banner", "")
    if key and len(key) <= 80 and all(c.isalnum() or c in "-_" for c in key):
        keys = [k for k in hidden_keys(request) if k != key] + [key]
        response.set_cookie(
            settings.DCP_BANNER_COOKIE_NAME, ".".join(keys[-MAX_HIDDEN_KEPT:]), max_age=HIDDEN_FOR_SECONDS,
            domain=settings.SESSION_COOKIE_DOMAIN, secure=settings.SESSION_COOKIE_SECURE, httponly=True,
            samesite="Lax",
        )
    return response
