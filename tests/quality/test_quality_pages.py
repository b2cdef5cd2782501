"""The query pages: raising (with its errors), the thread, answering; every page of a queried record says so."""

from __future__ import annotations

from typing import Any

from dcp_platform.quality.models import Query, QueryState

from tests.quality.conftest import create_record


def test_an_analyst_raises_a_query_from_a_record_and_the_provider_answers(
    people: dict[str, Any], client_for: Any
) -> None:
    provider, analyst = people["provider"], people["analyst"]
    record = create_record(provider, people["mine"], tenancycode="QREF-1")
    as_analyst = client_for("core", analyst)
    tasks = as_analyst.get(f"/records/{record.public_id}/").content.decode()
    assert "Raise a query about this record" in tasks
    form = as_analyst.get(f"/quality/queries/new/?record={record.public_id}").content.decode()
    assert str(record.public_id) in form

    # Errors, the GOV.UK way.
    refused = as_analyst.post("/quality/queries/new/", {"subject": "", "message": "", "records": "NO-SUCH"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in page
    assert "There is no record with the id or reference “NO-SUCH”" in page and "<title>Error:" in page
    refused = as_analyst.post("/quality/queries/new/", {"subject": "", "message": "", "records": "QREF-1"})
    assert "Enter what the query is about" in refused.content.decode()

    raised = as_analyst.post("/quality/queries/new/", {"subject": "Rent far above peers", "message": "Is it right?",
                                                      "records": "QREF-1"})
    query = Query.objects.get(raised_by_id=analyst.pk)
    assert raised.status_code == 302 and raised["Location"] == f"/quality/queries/{query.pk}/"

    as_provider = client_for("core", provider)
    for path in (f"/records/{record.public_id}/", f"/records/{record.public_id}/check/setup/"):
        shown = as_provider.get(path, follow=True).content.decode()
        assert "This record has an open query" in shown and "Rent far above peers" in shown, path
    listing = as_provider.get("/quality/queries/").content.decode()
    assert "Rent far above peers" in listing and "Raise a query" not in listing
    assert as_provider.get("/quality/queries/new/").status_code == 403

    empty = as_provider.post(f"/quality/queries/{query.pk}/answer/", {"kind": "", "text": ""})
    assert empty.status_code == 400 and "Select how you are answering" in empty.content.decode()
    no_change = as_provider.post(f"/quality/queries/{query.pk}/answer/", {"kind": "correction", "text": "done"})
    assert no_change.status_code == 400 and "Change the record first" in no_change.content.decode()
    answered = as_provider.post(f"/quality/queries/{query.pk}/answer/",
                                {"kind": "explanation", "text": "It is a large house."})
    assert answered.status_code == 302
    query.refresh_from_db()
    assert query.state == QueryState.ANSWERED
    thread = as_analyst.get(f"/quality/queries/{query.pk}/").content.decode()
    assert "It is a large house." in thread and "Resolve the query" in thread

    # Another organisation sees neither the query nor the record's banner.
    as_outsider = client_for("core", people["outsider"])
    assert as_outsider.get(f"/quality/queries/{query.pk}/").status_code == 404
    assert "Rent far above peers" not in as_outsider.get("/quality/queries/").content.decode()

    reopen_error = as_analyst.post(f"/quality/queries/{query.pk}/resolve/", {"text": ""})
    assert reopen_error.status_code == 302
    refused_reopen = as_analyst.post(f"/quality/queries/{query.pk}/reopen/", {"reason": ""})
    assert refused_reopen.status_code == 400 and "Enter why you are reopening" in refused_reopen.content.decode()
    assert "This record has an open query" not in as_provider.get(f"/records/{record.public_id}/").content.decode()


def test_a_return_query_from_the_page(people: dict[str, Any], client_for: Any) -> None:
    as_analyst = client_for("core", people["analyst"])
    missing = as_analyst.post("/quality/queries/new/", {"subject": "Few lettings", "message": "Only 3?"})
    assert "Select the organisation whose return you are asking about" in missing.content.decode()
    done = as_analyst.post("/quality/queries/new/", {"subject": "Few lettings", "message": "Only 3?",
                                                    "organisation": people["mine"].code, "form_year": "lettings:2026"})
    assert done.status_code == 302
    query = Query.objects.get(raised_by_id=people["analyst"].pk)
    assert (query.scope, query.form, query.year) == ("return", "lettings", 2026)
    assert "Few lettings" in client_for("core", people["coordinator"]).get("/quality/queries/").content.decode()
