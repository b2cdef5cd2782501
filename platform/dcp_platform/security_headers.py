"""Content-Security-Policy, Permissions-Policy and no caching of signed-in pages.

Every page gets a fresh nonce (`request.csp_nonce`); the few inline scripts carry it, so a script injected
into a page cannot run. Styles allow inline style attributes (Swagger UI and Wagtail set them), which can
change how a page looks but cannot run code. The CMS (Wagtail's admin) has its own inline scripts, so its
pages get a policy that allows them; it is only open to the collection's editors.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
CMS_PREFIX = "/cms/"


def content_security_policy(nonce: str, *, cms: bool) -> str:
    base = settings.BASE_DOMAIN
    # Sign-in and sign-out forms post to one host and are redirected to another host of the same service.
    hosts = f"{base}:* *.{base}:*"
    script = "'self' 'unsafe-inline'" if cms else f"'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' {hosts}",
            "frame-ancestors 'self'" if cms else "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                nonce, cms=request.path_info.startswith(CMS_PREFIX)
            )
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        user = getattr(request, "user", None)
        # An error answer does not look the user up: during an outage that would fail again.
        signed_in = response.status_code < 500 and bool(user is not None and user.is_authenticated)
        # A page for a signed-in person (or an API key's answer) is never kept by a browser or a proxy:
        # after sign-out, Back must not show it, and a shared computer must not keep it.
        already = "no-store" in response.get("Cache-Control", "")
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and not already:
            response.headers.pop("Expires", None)
            patch_cache_control(response, private=True, no_store=True, max_age=0)
            patch_vary_headers(response, ["Cookie"])
        return response
