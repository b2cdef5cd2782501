"""Department analysts: support assigns them per collection; they read every organisation's records, never write."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from dcp_platform.records.models import Record
from dcp_platform.records.selectors import record_for_user, records_visible_to
from dcp_platform.records.services import (
    NewRecord,
    ReadOnlyAccess,
    record_check,
    record_create,
    record_update,
    records_create_many,
)
from dcp_platform.tenancy.models import Collection, CollectionAnalyst
from dcp_platform.tenancy.selectors import (
    analyst_collection_slugs,
    collections_for_user,
    is_analyst,
    user_takes_part_in,
)
from dcp_platform.tenancy.services import analyst_assign, analyst_unassign
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

TODAY = date(2026, 11, 24)


@pytest.fixture
def department(make_org: Any) -> Any:
    return make_org("Department for Testing Data", provider_type="OTHER", collections=())


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(None, role="support", name="Sue Support")


@pytest.fixture
def analyst(make_user: Any, department: Any, support: Any) -> Any:
    """A department analyst of CORE only."""
    user = make_user(department, name="Andy Analyst")
    analyst_assign(user=user, collection=Collection.objects.get(slug="core"), by=support)
    return user


def create(user: Any, org: Any, *, visible: bool = True) -> Record:
    return record_create(
        form="lettings", year=2026, user=user, today=TODAY, visible=visible,
        answers={"owning_organisation_id": org.code, "managing_organisation_id": org.code, "tenancycode": "T1"},
    ).record


def test_support_assigns_an_analyst_and_the_assignment_is_audited(
    department: Any, support: Any, make_user: Any
) -> None:
    user = make_user(department)
    core = Collection.objects.get(slug="core")
    assignment = analyst_assign(user=user, collection=core, by=support)
    assert assignment.assigned_by == support and assignment.assigned_at is not None
    assert is_analyst(user=user, collection_slug="core") and not is_analyst(user=user, collection_slug="hclic")
    assert analyst_collection_slugs(user=user) == {"core"}
    event = AuditEvent.objects.get(action="analyst_assigned", target_id=str(user.pk))
    assert event.actor == support and event.details == {"collection": "core"}
    # They are told, in the service and by email.
    from dcp_platform.notifications.models import Notification

    notice = Notification.objects.get(user=user, kind="invitation")
    assert notice.collection_slug == "core" and notice.link.startswith("http://core.")
    # Assigning again changes nothing and is not audited twice.
    assert analyst_assign(user=user, collection=core, by=support) == assignment
    assert AuditEvent.objects.filter(action="analyst_assigned", target_id=str(user.pk)).count() == 1
    assert Notification.objects.filter(user=user).count() == 1


def test_unassigning_removes_access_and_is_audited(analyst: Any, support: Any) -> None:
    core = Collection.objects.get(slug="core")
    assert analyst_unassign(user=analyst, collection=core, by=support) is True
    assert not is_analyst(user=analyst, collection_slug="core")
    assert AuditEvent.objects.filter(action="analyst_unassigned", target_id=str(analyst.pk)).exists()
    assert analyst_unassign(user=analyst, collection=core, by=support) is False


def test_only_support_assigns_analysts(department: Any, make_user: Any, make_org: Any) -> None:
    core = Collection.objects.get(slug="core")
    user = make_user(department)
    for role in ("data_provider", "data_coordinator"):
        with pytest.raises(PermissionDenied):
            analyst_assign(user=user, collection=core, by=make_user(department, role=role))
    assert not CollectionAnalyst.objects.filter(user=user).exists()


def test_an_analyst_cannot_come_from_an_organisation_that_takes_part(
    make_org: Any, make_user: Any, support: Any
) -> None:
    provider = make_user(make_org(collections=("core",)))
    with pytest.raises(ValidationError, match="takes part"):
        analyst_assign(user=provider, collection=Collection.objects.get(slug="core"), by=support)
    with pytest.raises(ValidationError, match="already sees every collection"):
        analyst_assign(user=support, collection=Collection.objects.get(slug="core"), by=support)


def test_an_analyst_is_unique_per_user_and_collection(analyst: Any, support: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(slug="core"), assigned_by=support)


def test_analysts_collections_appear_on_the_public_home(analyst: Any, client_for: Any) -> None:
    assert [c.slug for c in collections_for_user(user=analyst)] == ["core"]
    page = client_for(None, analyst).get("/").content.decode()
    assert "CORE" in page and "H-CLIC" not in page


def test_an_analyst_sees_every_organisations_visible_records_of_their_collection_only(
    core: Any, analyst: Any, make_org: Any, make_user: Any
) -> None:
    first, second = make_org(), make_org()
    mine, theirs = create(make_user(first), first), create(make_user(second), second)
    under_review = create(make_user(first), first, visible=False)
    visible = set(records_visible_to(user=analyst))
    assert {mine, theirs} <= visible and under_review not in visible
    assert under_review not in set(records_visible_to(user=analyst, include_hidden=True))
    assert record_for_user(user=analyst, public_id=str(theirs.public_id)) == theirs
    # Another department user who is no analyst sees nothing; neither does the analyst once deactivated.
    assert not records_visible_to(user=make_user(analyst.organisation)).exists()
    analyst.is_active = False
    assert not records_visible_to(user=analyst).exists()


def test_an_analyst_of_core_sees_nothing_in_hclic(hclic: Any, analyst: Any) -> None:
    assert not records_visible_to(user=analyst).exists()
    assert not user_takes_part_in(user=analyst, collection=Collection.objects.get(slug="hclic"))


def test_the_record_services_refuse_every_write_by_an_analyst(
    core: Any, analyst: Any, make_org: Any, make_user: Any
) -> None:
    org = make_org()
    record = create(make_user(org), org)
    before = (record.version, dict(record.answers))
    with pytest.raises(ReadOnlyAccess, match="analyst"):
        record_create(form="lettings", year=2026, user=analyst, today=TODAY)
    with pytest.raises(ReadOnlyAccess):
        record_update(record=record, user=analyst, changes={"tenancycode": "CHANGED"}, today=TODAY)
    with pytest.raises(ReadOnlyAccess):
        record_check(form="lettings", year=2026, user=analyst, answers={"tenancycode": "X"}, record=record, today=TODAY)
    outcomes = records_create_many(form="lettings", year=2026, user=analyst, channel="api", today=TODAY,
                                   new_records=[NewRecord(answers={"tenancycode": "A"}, confirmations={})])
    assert len(outcomes) == 1 and isinstance(outcomes[0], ReadOnlyAccess)
    record.refresh_from_db()
    assert (record.version, record.answers) == before
    assert not Record.objects.filter(created_by_id=analyst.pk).exists()


def test_an_analyst_cannot_create_or_change_records_through_the_web_form(
    core: Any, analyst: Any, make_org: Any, make_user: Any, client_for: Any
) -> None:
    org = make_org()
    record = create(make_user(org), org)
    client = client_for("core", analyst)
    listing = client.get("/records/")
    assert listing.status_code == 200 and str(record.public_id) in listing.content.decode()
    response = client.post("/records/new/lettings/2026/", follow=True)
    assert "analyst" in response.content.decode()
    response = client.post(f"/records/{record.public_id}/questions/needs_type/", {"needstype": "2"}, follow=True)
    assert "analyst" in response.content.decode()
    record.refresh_from_db()
    assert record.version == 1 and record.answers.get("needstype") is None
    assert not Record.objects.filter(created_by_id=analyst.pk).exists()


def test_an_analyst_cannot_create_records_through_a_bulk_upload(
    core: Any, analyst: Any, client_for: Any, tmp_path: Path
) -> None:
    # Bulk upload stores rows through its own COPY path, not the record services: it refuses files from
    # organisations that take no part, and an analyst's organisation never takes part (see the next test).
    from dcp_platform.uploads.models import Upload  # read only, to reach the upload the page made

    from tests.uploads.test_uploads_pages import write_template  # the upload tests' own template writer

    path = tmp_path / "template.csv"
    write_template(path, analyst.organisation.code, 3)
    client = client_for("core", analyst)
    response = client.post("/uploads/new/", {
        "form_year": "lettings:2026", "file": SimpleUploadedFile("template.csv", path.read_bytes(), "text/csv"),
    }, follow=True)
    assert response.status_code == 200
    upload = Upload.objects.get(user=analyst)
    assert upload.status == "rejected" and "does not take part" in upload.message
    client.post(f"/uploads/{upload.pk}/confirm/", {"create": "all"})
    assert not Record.objects.filter(created_by_id=analyst.pk).exists()


def test_an_analysts_organisation_cannot_be_made_to_take_part(analyst: Any, support: Any) -> None:
    from dcp_platform.tenancy.models import Participation
    from dcp_platform.tenancy.services import participation_add

    core_collection = Collection.objects.get(slug="core")
    with pytest.raises(ValidationError, match="analyst"):
        participation_add(organisation=analyst.organisation, collection=core_collection, by=support)
    assert not Participation.objects.filter(organisation=analyst.organisation).exists()


@pytest.mark.parametrize("role", ["data_provider", "data_coordinator"])
def test_providers_and_coordinators_still_see_only_their_organisations_records(
    core: Any, analyst: Any, make_org: Any, make_user: Any, role: str
) -> None:
    mine, other = make_org(), make_org()
    create(make_user(other), other)
    user = make_user(mine, role=role)
    own = create(user, mine)
    assert list(records_visible_to(user=user)) == [own]
    assert not is_analyst(user=user, collection_slug="core")


def test_the_demo_seed_has_an_analyst_of_core_and_hclic_from_a_department_taking_no_part(db: Any) -> None:
    import io

    from dcp_platform.accounts.models import User
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())

    analyst = User.objects.get(email="analyst@example.com")
    assert analyst_collection_slugs(user=analyst) == {"core", "hclic"}
    assert not analyst.organisation.participations.exists()
