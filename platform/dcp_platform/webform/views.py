from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dcp_platform.records.selectors import records_visible_to


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    records = records_visible_to(user=request.user)[:50]  # type: ignore[arg-type]
    return render(request, "webform/record_list.html", {"records": records})
