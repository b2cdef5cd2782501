"""In Chromium with axe-core: an analyst raises a query (and sees its errors), the provider sees the banner on the
record and answers it (and sees its errors), the analyst resolves it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django_tenants.utils import schema_context

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context: Any, live_server: Any, email: str) -> Any:
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", email)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return page


@pytest.mark.parametrize("javascript", [True, False])
def test_a_query_from_raising_to_resolving(
    live_server: Any, browser: Any, make_org: Any, make_user: Any, javascript: bool
) -> None:
    from dcp_platform.records.models import Record
    from dcp_platform.tenancy.models import Collection, CollectionAnalyst

    tag = uuid.uuid4().hex[:6].upper()
    org = make_org(f"Query Homes {tag}", collections=("core",))
    provider = make_user(org, email=f"provider-{tag.lower()}@example.com", name="Pat Provider")
    analyst = make_user(make_org(collections=()), email=f"analyst-{tag.lower()}@example.com", name="Ana Analyst")
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    with schema_context("core"):
        record = Record.objects.create(form="lettings", year=2026, status="in_progress", reference=f"REF-{tag}",
                                       owning_organisation=org, managing_organisation=org, created_by=provider)

    context = browser.new_context(java_script_enabled=javascript)
    page = sign_in(context, live_server, analyst.email)
    page.goto(live_url(live_server, "core", f"/records/{record.public_id}/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Raise a query about this record").click()
    assert_accessible(page, context="raise a query")
    with page.expect_navigation():
        page.get_by_role("button", name="Raise the query").click()
    assert "There is a problem" in page.content() and "Enter what the query is about" in page.content()
    assert_accessible(page, context="raise a query, with errors")
    page.get_by_label("What is the query about?").fill("Rent far above peers")
    page.get_by_label("Your question for the organisation").fill("Is a weekly rent of £900 right?")
    with page.expect_navigation():
        page.get_by_role("button", name="Raise the query").click()
    assert "The query is raised" in page.content()
    assert page.get_by_role("heading", name="Rent far above peers").is_visible()
    assert_accessible(page, context="a query's thread (analyst)")

    provider_page = sign_in(browser.new_context(java_script_enabled=javascript), live_server, provider.email)
    provider_page.goto(live_url(live_server, "core", f"/records/{record.public_id}/"))
    assert "This record has an open query" in provider_page.content()
    assert_accessible(provider_page, context="a record with an open query")
    with provider_page.expect_navigation():
        provider_page.get_by_role("link", name="Rent far above peers").click()
    with provider_page.expect_navigation():
        provider_page.get_by_role("button", name="Send answer").click()
    assert "Select how you are answering" in provider_page.content()
    assert_accessible(provider_page, context="answering a query, with errors")
    provider_page.get_by_label("Explain why the data is right").check()
    provider_page.get_by_label("Your answer").fill("It is a six-bedroom house.")
    with provider_page.expect_navigation():
        provider_page.get_by_role("button", name="Send answer").click()
    assert "Your answer is sent" in provider_page.content()
    with provider_page.expect_navigation():
        provider_page.get_by_role("link", name="Back to queries").click()
    assert "Rent far above peers" in provider_page.content()
    assert_accessible(provider_page, context="queries list (provider)")

    page.reload()
    assert "It is a six-bedroom house." in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Resolve the query").click()
    assert "The query is resolved" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Reopen the query").click()
    assert "Enter why you are reopening the query" in page.content()
    assert_accessible(page, context="reopening a query, with errors")
    context.close()
