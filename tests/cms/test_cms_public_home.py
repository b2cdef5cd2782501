"""The public root lists the collections the user's organisation takes part in, with links to their sites."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from dcp_platform.theming.themes import theme_for
from django.test import Client

pytestmark = pytest.mark.django_db


def listed_collection_links(client: Client) -> dict[str, str]:
    """Title -> link of each collection listed on the public home page."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    return {
        title: href
        for href, title in re.findall(r'<a class="govuk-link govuk-!-font-weight-bold" href="([^"]+)">([^<]+)</a>', html)
    }


def test_a_housing_association_sees_core_only(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user(make_org(provider_type="PRP"))  # H-CLIC is for local authorities only
    links = listed_collection_links(client_for(None, user))
    assert list(links) == ["CORE: social housing lettings and sales"]
    assert links["CORE: social housing lettings and sales"].startswith("http://core.dcp.localhost")


def test_a_local_authority_sees_core_and_hclic(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user(make_org(provider_type="LA"))
    links = listed_collection_links(client_for(None, user))
    assert sorted(links) == ["CORE: social housing lettings and sales", "H-CLIC: homelessness case records"]
    assert links["H-CLIC: homelessness case records"].startswith("http://hclic.dcp.localhost")


def test_the_list_follows_participation_not_provider_type(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user(make_org(provider_type="LA", collections=("hclic",)))
    assert list(listed_collection_links(client_for(None, user))) == ["H-CLIC: homelessness case records"]


def test_an_organisation_in_no_collection_is_told_so(
    client_for: Callable[..., Client], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    client = client_for(None, make_user(make_org(collections=())))
    assert listed_collection_links(client) == {}
    assert "does not take part in any data collection" in client.get("/").content.decode()


def test_anonymous_visitors_are_offered_sign_in(client_for: Callable[..., Client]) -> None:
    client = client_for(None)
    html = client.get("/").content.decode()
    assert listed_collection_links(client) == {}
    assert 'href="/sign-in/"' in html
    assert "Your data collections" not in html
    assert f"<title>{theme_for().service_name}</title>" in html
