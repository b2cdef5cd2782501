from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dcp_platform.accounts.two_factor import has_second_factor

# Paths a support user may reach before verifying a second factor: to set one up, verify it or sign out.
ALLOWED_PREFIXES = ("/account/two-factor/", "/sign-out/", "/signed-out/", "/static/", "/sign-in/")


class RequireTwoFactorForSupportMiddleware:
    """Support users can see every organisation's data, so they must use an authenticator app.

    Anyone else who has set up a second factor must also enter a code before using the service.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and (getattr(user, "is_support", False) or has_second_factor(user))
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:two-factor") + "?next=" + request.get_full_path())
        return self.get_response(request)
