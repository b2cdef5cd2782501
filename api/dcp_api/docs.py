"""The OpenAPI document and interactive documentation of each form and year (public: no key needed to read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dcp_platform.registry import all_plugins, definitions_for
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .openapi import build_openapi

COMMITTED_DIR = Path(settings.REPO_DIR) / "docs" / "openapi"


def openapi_document(collection_slug: str, form: str, year: int) -> dict[str, Any]:
    definition = definitions_for(collection_slug).get((form, year))
    if definition is None:
        raise KeyError((collection_slug, form, year))
    return build_openapi(definition, collection_title=all_plugins()[collection_slug].title)


def committed_path(collection_slug: str, form: str, year: int) -> Path:
    return COMMITTED_DIR / collection_slug / f"{form}-{year}.json"


def render_document(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def openapi_json(request: HttpRequest, form: str, year: int) -> JsonResponse:
    try:
        document = openapi_document(_slug(), form, year)
    except KeyError:
        raise Http404("No such form and year") from None
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


def interactive_docs(request: HttpRequest, form: str, year: int) -> HttpResponse:
    if (form, year) not in definitions_for(_slug()):
        raise Http404("No such form and year")
    return render(request, "dcp_api/docs.html", {"form": form, "year": year})
