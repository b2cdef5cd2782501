"""Web pages where data coordinators create, see and revoke their organisation's API keys for this collection."""

from __future__ import annotations

from dcp_platform.access import collection_member_required, may_manage_api_keys
from dcp_platform.accounts.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .keys import api_key_create, api_key_revoke, keys_visible_to


def _coordinator(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not may_manage_api_keys(user):
        raise Http404("Only data coordinators manage API keys")
    return user


@collection_member_required
def key_list(request: HttpRequest) -> HttpResponse:
    user = _coordinator(request)
    return render(request, "dcp_api/keys.html", {"keys": keys_visible_to(user=user).select_related("created_by")})


@collection_member_required
def key_new(request: HttpRequest) -> HttpResponse:
    user = _coordinator(request)
    error = None
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            error = "Enter a name for the key, for example the system that will use it"
        elif len(name) > 100:
            error = "The name must be 100 characters or fewer"
        else:
            new = api_key_create(user=user, name=name)
            # Shown once on this response and never again: only its digest is stored.
            response = render(request, "dcp_api/key_created.html", {"key": new.api_key, "secret": new.secret})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "dcp_api/key_new.html", {"error": error, "name": name, "form_has_errors": bool(error)},
                  status=400 if error else 200)


@collection_member_required
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    user = _coordinator(request)
    api_key = keys_visible_to(user=user).filter(pk=key_id, revoked_at=None).first()
    if api_key is None:
        raise Http404("No such key")
    if request.method == "POST":
        api_key_revoke(user=user, api_key=api_key)
        return redirect("api_keys:list")
    return render(request, "dcp_api/key_revoke.html", {"key": api_key})


