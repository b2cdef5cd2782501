"""Interruption pages have a Back link to the question; landing pages do not ask signed-in people to sign in
(issue 20, point 7)."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.fixture
def provider(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(provider_type="PRP"))


def test_the_are_you_sure_page_links_back_to_the_question(
    client_for: Any, provider: Any, started_record: Any
) -> None:
    client = client_for("core", provider)
    record = started_record(provider)
    base = f"/records/{record.public_id}/questions/"
    client.post(base + "household_members/", {"hhmemb": "1"})
    client.post(base + "person_age/1/", {"age_known": "0", "age": "70"})
    response = client.post(base + "person_working_situation/1/", {"ecstat": "1"})
    assert "/confirm/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    back = re.search(r'<a href="([^"]+)" class="govuk-back-link">Back</a>', html)
    assert back and back.group(1) == base + "person_working_situation/1/"
    # Its error state keeps the link.
    error = client.post(response["Location"], {"page": "person_working_situation", "item": "1"}).content.decode()
    assert "Select whether the answer is correct" in error and 'class="govuk-back-link"' in error


def test_the_start_page_does_not_ask_a_signed_in_person_to_sign_in(client_for: Any, provider: Any) -> None:
    html = client_for("core", provider).get("/").content.decode()
    main = html.split('id="main-content"', 1)[1]
    assert "Go to your records" in main
    # The live parts of "ways to send your data" (the start page's seeded words are content, edited in the CMS).
    assert "you need to sign in" not in main and "Sign in to start" not in main
