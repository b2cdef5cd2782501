"""Every page of a record says when it has an open query (the web form's pages all live under `records:`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dcp_platform.quality.selectors import is_query_raiser, open_queries_on_record
from dcp_platform.records.selectors import records_visible_to


def record_queries(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "records" or "public_id" not in match.kwargs:
        return {}
    user = request.user
    if not user.is_authenticated:
        return {}
    record = records_visible_to(user=user, include_hidden=True).filter(  # type: ignore[arg-type]
        public_id=match.kwargs["public_id"]).first()
    if record is None:
        return {}
    return {"record_open_queries": open_queries_on_record(record=record),
            "record_may_raise_query": is_query_raiser(user=user)}  # type: ignore[arg-type]
