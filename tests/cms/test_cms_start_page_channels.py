"""The start page explains each way of sending data; the platform fills in the live parts of the open years."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from dcp_platform.cms.blocks import open_years
from dcp_platform.cms.models import CollectionWindowPage, StartPage
from dcp_platform.cms.setup import ensure_editors_group, ensure_support_group, ensure_wagtail_site
from dcp_platform.registry import get_plugin


def channel_headings(page: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-l" id="channel-[^"]*">([^<]+)</h2>', page)


def test_every_collection_start_page_is_seeded_with_the_three_ways(core: Any) -> None:
    start = StartPage.objects.get()
    assert start.channels_seeded
    assert [block.value["heading"] for block in start.channels if block.block_type == "channel"] == [
        "Web form", "Bulk upload", "API"]
    forms = get_plugin("core").forms
    record = forms[0].record_name if len(forms) == 1 else "record"  # the collection's own word, for one form
    assert f"three ways to send {record}s" in str(start.channels[1].value)


def test_ensure_collections_keeps_what_content_designers_wrote(core: Any) -> None:
    start = StartPage.objects.get()
    start.channels = [("heading", "Our own heading")]
    start.save_revision().publish()
    ensure_wagtail_site(get_plugin("core"), host="core.example", editors=ensure_editors_group("core"),
                        support=ensure_support_group())
    start = StartPage.objects.get()
    assert [(b.block_type, b.value) for b in start.channels] == [("heading", "Our own heading")]


def test_the_start_page_says_what_each_way_is_for_and_offers_the_open_years(
    core: Any, client_for: Callable[..., Any]
) -> None:
    assert [(y.form, y.year) for y in open_years()][:1], "a CORE year is open in the seeded windows"
    page = client_for("core").get("/").content.decode()
    assert channel_headings(page) == ["Web form", "Bulk upload", "API"]
    for heading in ("What it is for", "Who it suits", "How to start"):
        assert page.count(heading) == 3
    for y in open_years():
        assert f'href="/uploads/empty/{y.form}/{y.year}.csv"' in page
        assert f'href="/api/v1/{y.form}/{y.year}/docs"' in page
        assert f'href="/api/v1/{y.form}/{y.year}/openapi.json"' in page
        assert f'href="/paper/{y.form}/{y.year}/"' in page and f'href="/paper/{y.form}/{y.year}.pdf"' in page
    assert "Sign in to start" in page and "Manage your organisation" not in page


def test_a_coordinator_is_offered_their_records_and_api_keys(
    core: Any, client_for: Callable[..., Any], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    page = client_for("core", make_user(make_org(), role="data_coordinator")).get("/").content.decode()
    assert "Go to your records" in page and 'href="/api-keys/"' in page


def test_without_an_open_year_the_start_page_says_so(core: Any, client_for: Callable[..., Any]) -> None:
    yesterday = date.today() - timedelta(days=1)
    CollectionWindowPage.objects.update(opens=yesterday - timedelta(days=30), submission_deadline=yesterday,
                                        edits_close=yesterday)
    page = client_for("core").get("/").content.decode()
    assert open_years() == []
    assert page.count("No collection year is open for new records at the moment.") == 2
    assert "/uploads/empty/" not in page and "/api/v1/lettings/" not in page


@pytest.mark.parametrize("slug", ["core", "hclic"])
def test_the_live_parts_come_from_each_collections_own_definitions(
    db: None, slug: str, client_for: Callable[..., Any]
) -> None:
    page = client_for(slug).get("/").content.decode()
    own_forms = {spec.id for spec in get_plugin(slug).forms}
    linked = set(re.findall(r'href="/paper/([a-z_]+)/\d{4}/"', page))
    assert linked and linked <= own_forms
