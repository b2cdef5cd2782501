"""Every page of every definition has one <h1>, in words people read (issue 20, point 3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from dcp_platform.registry import all_plugins, definitions_for
from dcp_platform.webform.forms import field_views
from dcp_platform.webform.views import DATE_PARTS, page_heading
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
TAG = re.compile(r"<[^>]+>")


def _h1s(html: str) -> list[str]:
    return [" ".join(TAG.sub(" ", inner).split()) for inner in H1.findall(html)]


def _internal_ids(definition: Any) -> set[str]:
    ids = {page.id for page in definition.pages} | set(definition.questions) | {s.id for s in definition.sections}
    return ids | set(definition.groups)


@pytest.mark.parametrize("slug", sorted(all_plugins()))
def test_every_page_of_every_definition_has_one_h1_in_words(db: Any, slug: str, make_user: Any) -> None:
    from dcp_platform.tenancy.models import Collection

    tenant = Collection.objects.get(schema_name=slug)
    connection.set_tenant(tenant)
    request = RequestFactory().get("/records/", HTTP_HOST=f"{slug}.example")
    request.tenant = tenant  # type: ignore[attr-defined]
    request.user = make_user()
    failures = []
    for (form, year), definition in definitions_for(slug).items():
        ids = _internal_ids(definition)
        for page in definition.pages:
            item = 1 if page.group else None
            fields = field_views(page=page, item=item, answers={}, dynamic_options={})
            html = render_to_string("webform/page.html", {
                "page": page, "item": item, "fields": fields, "errors": {}, "caption": "Caption",
                "back_url": "/records/", "date_parts": DATE_PARTS, **page_heading(page, fields),
            }, request=request)
            headings = _h1s(html)
            where = f"{form} {year} page {page.id}"
            if len(headings) != 1:
                failures.append(f"{where}: {len(headings)} <h1> {headings}")
            elif headings[0] in ids or re.fullmatch(r"[a-z0-9_]+", headings[0]):
                failures.append(f"{where}: heading is an id: {headings[0]!r}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def provider(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(provider_type="PRP"))


def test_a_page_whose_question_reveals_another_is_headed_by_the_question(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    # A new record's page (not stored until its first answer is saved).
    html = client.get("/records/new/lettings/2026/questions/rent_type/").content.decode()
    headings = _h1s(html)
    assert len(headings) == 1, headings
    assert "rent_type" not in headings[0] and headings[0].endswith("?"), headings
