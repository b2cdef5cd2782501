"""The public site's home page: the collections the signed-in user's organisation takes part in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dcp_platform.tenancy.selectors import collection_url, collections_for_user


def public_home(request: HttpRequest) -> HttpResponse:
    collections = []
    if request.user.is_authenticated:
        collections = [
            {"collection": c, "url": collection_url(c, request=request)}
            for c in collections_for_user(user=request.user)  # type: ignore[arg-type]
        ]
    return render(request, "dcp/public_home.html", {"collections": collections})
