""""Create" stores nothing: a record is created when its first answer is saved (issue 20, point 8), so clicks
that are never followed by an answer leave no empty "Record without a reference yet" behind."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.records.models import Record, RecordChange

NEW = "/records/new/lettings/2026/"


@pytest.fixture
def provider(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(provider_type="PRP"))


def _records_of(user: Any) -> Any:
    return Record.objects.filter(created_by_id=user.pk)


def test_create_shows_the_task_list_of_a_new_record_and_stores_nothing(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    for _ in range(3):
        response = client.post(NEW)
        assert response.status_code == 302 and response["Location"] == NEW
    html = client.get(NEW).content.decode()
    assert "It is saved when you save its first answer" in html
    assert f'href="{NEW}questions/' in html  # the sections open the new record's question pages
    assert "Created by" not in html
    assert not _records_of(provider).exists()
    # Opening a question page stores nothing either.
    assert client.get(NEW + "questions/tenant_code/").status_code == 200
    assert not _records_of(provider).exists()


def test_the_first_saved_answer_creates_the_record_and_goes_on_to_the_next_question(
    client_for: Any, provider: Any
) -> None:
    client = client_for("core", provider)
    response = client.post(NEW + "questions/tenant_code/", {"tenancycode": "FIRST-1"})
    assert response.status_code == 302
    [record] = _records_of(provider)
    assert record.answers["tenancycode"] == "FIRST-1" and record.owning_organisation == provider.organisation
    assert response["Location"].startswith(f"/records/{record.public_id}/questions/")
    assert RecordChange.objects.filter(record=record, channel="web").count() == 1
    # From here on it is an ordinary record: the next answer changes it, no second record.
    client.post(f"/records/{record.public_id}/questions/needs_type/", {"needstype": "1"})
    record.refresh_from_db()
    assert record.answers["needstype"] == 1 and _records_of(provider).count() == 1


def test_nothing_typed_or_an_answer_with_an_error_stores_no_record(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    later = client.post(NEW + "questions/tenant_code/", {"tenancycode": "", "later": "1"}, follow=True)
    assert later.redirect_chain[-1][0] == "/records/"
    assert "Nothing was saved" in later.content.decode()
    wrong = client.post(NEW + "questions/tenancy_start_date/",
                        {"startdate-day": "31", "startdate-month": "2", "startdate-year": "2026"})
    assert wrong.status_code == 400 and "real date" in wrong.content.decode()
    assert 'href="/records/new/lettings/2026/" class="govuk-back-link"' in wrong.content.decode()
    assert not _records_of(provider).exists()


def test_save_and_come_back_later_with_an_answer_creates_the_record(client_for: Any, provider: Any) -> None:
    client = client_for("core", provider)
    response = client.post(NEW + "questions/tenant_code/", {"tenancycode": "LATER-1", "later": "1"})
    [record] = _records_of(provider)
    assert response["Location"] == f"/records/{record.public_id}/"
    assert record.answers["tenancycode"] == "LATER-1"
