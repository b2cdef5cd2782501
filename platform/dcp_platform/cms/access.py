"""Who may use a collection's Wagtail admin (/cms/ on the collection's host).

Groups and users are global (public schema), so Wagtail's own checks alone would let an editor of one
collection into another collection's admin: the `access_admin` permission is not per schema. The rule is
enforced here, in one place, rather than relying on Wagtail's defaults:

- support users may use every collection's admin;
- anyone else must be in the `<slug>-editors` group of the collection whose host they are on;
- Wagtail's Users and Groups screens edit the GLOBAL users and groups, so only support users may open them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dcp_platform.access import may_edit_collection, may_manage_users

CMS_PREFIX = "/cms/"
# Wagtail screens that manage global users and groups (and their bulk actions and autocompletes).
SUPPORT_ONLY_PREFIXES = ("/cms/users/", "/cms/groups/", "/cms/bulk/wagtailusers/", "/cms/bulk/auth/")


def _current_collection_slug(request: HttpRequest) -> str | None:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return str(tenant.slug)


class CollectionAdminAccessMiddleware:
    """Refuse /cms/ to users who are not editors of this collection (and user screens to non-support).

    Must come after AuthenticationMiddleware (needs request.user) and CollectionFromHostMiddleware (the collection).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(CMS_PREFIX):
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        slug = _current_collection_slug(request)
        if slug is None:
            raise PermissionDenied("The content management system is only on collection sites.")
        user = request.user
        if not user.is_authenticated:
            # One sign-in for the whole service: send people to our sign-in page, not Wagtail's.
            return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': request.get_full_path()})}")
        if not may_edit_collection(user, slug):
            raise PermissionDenied("You cannot edit this collection's content.")
        if request.path.startswith(SUPPORT_ONLY_PREFIXES) and not may_manage_users(user):
            raise PermissionDenied("Only support can manage users and groups.")
        return None
