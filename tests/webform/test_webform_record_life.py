"""The web form's record life pages: assign, delete (one or a filtered selection), history, the list's filters."""

from __future__ import annotations

from typing import Any

from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import Record
from dcp_platform.records.services import record_create, record_update


def create(user: Any, owner: Any, manager: Any | None = None, **answers: Any) -> Record:
    answers = {"owning_organisation_id": owner.code, "managing_organisation_id": (manager or owner).code,
               "tenancycode": "T-1", **answers}
    return record_create(form="lettings", year=2026, user=user, answers=answers).record


def test_assign_one_record_and_see_it_in_the_list_and_history(
        client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator", name="Cora Ordinator")
    colleague = make_user(org, name="Colin League")
    outsider = make_user(make_org(), name="Otto Side")
    record = create(coordinator, org, tenancycode="ASSIGN-1")
    client = client_for("core", coordinator)
    page = client.get(f"/records/{record.public_id}/assign/").content.decode()
    assert "Colin League" in page and "Otto Side" not in page
    response = client.post(f"/records/{record.public_id}/assign/", {"assignee": str(outsider.pk)})
    assert response.status_code == 400 and "Choose who to assign this record to" in response.content.decode()
    response = client.post(f"/records/{record.public_id}/assign/", {"assignee": str(colleague.pk)})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.assigned_to_id == colleague.pk
    tasks = client.get(f"/records/{record.public_id}/").content.decode()
    assert "Colin League" in tasks and "/history/" in tasks
    history = client.get(f"/records/{record.public_id}/history/").content.decode()
    assert "Assigned to" in history and "Cora Ordinator" in history and "Colin League" in history
    assert "through the web form" in history and "What is the tenant code?" in history
    listed = client_for("core", colleague).get("/records/?assigned=me").content.decode()
    assert "ASSIGN-1" in listed
    assert "ASSIGN-1" not in client.get("/records/?assigned=me").content.decode()


def test_records_list_filters_and_paging_keep_them(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    owner, agent = make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    user = make_user(agent, role="data_coordinator")
    for n in range(22):
        create(user, owner, agent, tenancycode=f"SUP-{n}", needstype=2)
    create(user, agent, agent, tenancycode="GEN-OWN", needstype=1)
    client = client_for("core", user)
    page = client.get("/records/?answer-needstype=2").content.decode()
    assert "22 records" in page and "GEN-OWN" not in page
    assert "answer-needstype=2" in page.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get("/records/?answer-needstype=2&page=2").content.decode()
    assert "22 records" in second and "Page 2 of 2" in second and "GEN-OWN" not in second
    owned = client.get("/records/?relation=owned").content.decode()
    assert "1 record<" in owned and "GEN-OWN" in owned
    managed = client.get("/records/?relation=managed").content.decode()
    assert "23 records" in managed
    # The definition's list_filters make the filter; its chosen option stays chosen.
    assert 'name="answer-needstype"' in page and 'value="2" selected' in page


def test_delete_one_record_and_a_filtered_selection(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)
    keep = create(user, org, tenancycode="KEEP-1")
    gone = [create(user, org, tenancycode=f"GONE-{n}") for n in range(3)]
    client = client_for("core", user)
    page = client.get(f"/records/{gone[0].public_id}/delete/").content.decode()
    assert "Are you sure you want to delete GONE-0?" in page and "30 days" in page
    assert client.post(f"/records/{gone[0].public_id}/delete/").status_code == 302
    assert not Record.objects.filter(pk=gone[0].pk).exists()
    assert client.get(f"/records/{gone[0].public_id}/").status_code == 404

    confirm = client.get("/records/delete/?q=gone").content.decode()
    assert "Are you sure you want to delete 2 records?" in confirm
    # The selection changed meanwhile: asked again with the new number, nothing deleted.
    create(user, org, tenancycode="GONE-9")
    response = client.post("/records/delete/?q=gone", {"count": "2"})
    assert response.status_code == 400 and "there are now 3" in response.content.decode()
    assert Record.objects.filter(search_text__contains="gone").count() == 3
    response = client.post("/records/delete/?q=gone", {"count": "3"})
    assert response.status_code == 302
    assert not Record.objects.filter(search_text__contains="gone").exists()
    assert Record.objects.filter(pk=keep.pk).exists()
    listed = client.get("/records/").content.decode()
    assert "KEEP-1" in listed and "GONE" not in listed


def test_bulk_assign_a_leavers_records(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    leaver, taker = make_user(org, name="Lee Ver"), make_user(org, name="Tay Ker")
    records = [create(coordinator, org, assigned_to=leaver.email, tenancycode=f"L-{n}") for n in range(2)]
    leaver.is_active = False
    leaver.save()
    client = client_for("core", coordinator)
    page = client.get("/records/reassign/").content.decode()
    assert "Lee Ver" in page and "Deactivated" in page and f"assigned={leaver.pk}" in page
    confirm = client.get(f"/records/assign/?assigned={leaver.pk}").content.decode()
    assert "Who should 2 records be assigned to?" in confirm and "Tay Ker" in confirm
    response = client.post(f"/records/assign/?assigned={leaver.pk}", {"count": "2"})
    assert response.status_code == 400 and "Choose who to assign these records to" in response.content.decode()
    response = client.post(f"/records/assign/?assigned={leaver.pk}", {"count": "2", "assignee": str(taker.pk)})
    assert response.status_code == 302
    assert set(Record.objects.filter(assigned_to=taker).values_list("pk", flat=True)) == {r.pk for r in records}
    assert "Nobody holds a record" in client.get("/records/reassign/").content.decode()


def test_a_provider_cannot_reach_another_organisations_records(
        client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    owner, other = make_org(), make_org()
    record = create(make_user(owner), owner, tenancycode="THEIRS")
    client = client_for("core", make_user(other))
    for url in (f"/records/{record.public_id}/assign/", f"/records/{record.public_id}/delete/",
                f"/records/{record.public_id}/history/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"assignee": "none"}).status_code == 404
    assert "are you sure you want to delete 0" not in client.get("/records/delete/").content.decode().lower()
    client.post("/records/delete/", {"count": "0"})
    client.post("/records/assign/", {"count": "0", "assignee": "none"})
    record.refresh_from_db()
    assert record.deleted_at is None and record.assigned_to_id is not None


def test_history_names_upload_and_api_channels(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)
    record = record_create(form="lettings", year=2026, user=user, channel="api",
                           answers={"owning_organisation_id": org.code, "tenancycode": "API-1"}).record
    record_update(record=record, user=user, changes={"needstype": 1})
    history = client_for("core", user).get(f"/records/{record.public_id}/history/").content.decode()
    assert "Created by Test User through the api" in history
    assert "Changed by Test User through the web form" in history and "General needs" in history
