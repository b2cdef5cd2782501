"""`records_visible_to` (the one scoping function) and the record services, tested on their own."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.records.services import (
    DerivedValueGiven,
    OrganisationNotAllowed,
    VersionConflict,
    WindowClosed,
    record_check,
    record_create,
    record_update,
)

TODAY = date(2026, 11, 24)


def create(user: Any, **answers: Any) -> Record:
    return record_create(form="lettings", year=2026, user=user, answers=answers, today=TODAY).record


def test_scoping_by_role(core: Any, make_org: Any, make_user: Any) -> None:
    owner, agent, other = make_org(), make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    owner_user = make_user(owner)
    record = create(owner_user, owning_organisation_id=owner.code, managing_organisation_id=owner.code)
    assert record in records_visible_to(user=owner_user)
    assert record in records_visible_to(user=make_user(agent, role="data_coordinator"))
    assert record not in records_visible_to(user=make_user(agent))
    assert record not in records_visible_to(user=make_user(other, role="data_coordinator"))
    assert record in records_visible_to(user=make_user(None, role="support"))
    inactive = make_user(owner, is_active=False)
    assert not records_visible_to(user=inactive).exists()


def test_hidden_records_stay_hidden_until_included(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    hidden = record_create(form="lettings", year=2026, user=user, visible=False, today=TODAY).record
    assert hidden not in records_visible_to(user=user)
    assert hidden in records_visible_to(user=user, include_hidden=True)


def test_create_stores_derived_values_status_and_history(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)
    result = record_create(form="lettings", year=2026, user=user, today=TODAY,
                           answers={"rent_type": 2, "tenancycode": "ABC", "owning_organisation_id": org.code})
    record = result.record
    assert record.derived["renttype"] == 2 and record.derived["lar"] == 1
    assert record.status == "in_progress" and record.reference == "ABC" and record.search_text == "abc"
    assert RecordChange.objects.get(record=record).changed["tenancycode"] == [None, "ABC"]


def test_update_clears_answers_that_no_longer_apply_and_bumps_the_version(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    record = create(user, rent_type=5, irproduct_other="Key worker")
    assert record.answers["irproduct_other"] == "Key worker"
    record_update(record=record, user=user, changes={"rent_type": 0}, today=TODAY)
    record.refresh_from_db()
    assert "irproduct_other" not in record.answers and record.version == 2


def test_version_conflict(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    record = create(user)
    with pytest.raises(VersionConflict):
        record_update(record=record, user=user, changes={"renewal": 0}, expected_version=7, today=TODAY)


def test_derived_values_are_never_accepted(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    with pytest.raises(DerivedValueGiven):
        create(user, renttype=1)


def test_unrelated_organisation_is_refused(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    with pytest.raises(OrganisationNotAllowed):
        create(user, owning_organisation_id=make_org().code)


def test_window_is_enforced_for_create_and_edit(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    with pytest.raises(WindowClosed) as refused:
        record_create(form="lettings", year=2026, user=user, answers={"startdate": "2027-05-01"}, today=TODAY)
    assert "outside" in refused.value.message
    record = create(user, startdate="2026-10-01")
    with pytest.raises(WindowClosed):
        record_update(record=record, user=user, changes={"renewal": 0}, today=date(2027, 8, 1))
    with pytest.raises(WindowClosed):
        record_create(form="lettings", year=2026, user=user, today=date(2027, 6, 5))


def test_dry_run_stores_nothing(core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    before = Record.objects.count()
    result = record_check(form="lettings", year=2026, user=user, answers={"rent_type": 0}, today=TODAY)
    assert result.evaluation.derived["renttype"] == 1 and Record.objects.count() == before
    assert result.record.pk is None


def test_allowed_organisations_are_read_afresh_on_every_write(core: Any, make_org: Any, make_user: Any) -> None:
    """Each process keeps the compiled statement of related_organisations_for per user, never its rows."""
    from dcp_platform.accounts.models import Organisation
    from dcp_platform.accounts.selectors import related_organisations_for
    from dcp_platform.records.services import allowed_organisations
    from django.forms.models import model_to_dict

    group = make_org()
    member, owner, agent, other = make_org(parent=group), make_org(), make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=group)
    OrganisationRelationship.objects.create(stock_owner=group, managing_agent=agent)
    users = [make_user(group, role="data_coordinator"), make_user(group), make_user(member, role="data_coordinator"),
             make_user(None, role="support"), make_user(None), make_user(agent, role="data_coordinator")]

    def same_as_the_selector(user: Any) -> dict[str, Any]:
        allowed = allowed_organisations(user=user)
        expected = {org.code: model_to_dict(org) for org in related_organisations_for(user=user)}
        assert {code: model_to_dict(org) for code, org in allowed.items()} == expected
        assert all(isinstance(org, Organisation) and not org._state.adding for org in allowed.values())
        return allowed

    for _ in range(2):  # the second time from the kept statement
        for user in users:
            same_as_the_selector(user)
    coordinator = users[0]
    assert {group.code, member.code, owner.code, agent.code} <= set(same_as_the_selector(coordinator))
    assert other.code not in same_as_the_selector(coordinator)

    OrganisationRelationship.objects.create(stock_owner=other, managing_agent=group)
    assert other.code in same_as_the_selector(coordinator)
    OrganisationRelationship.objects.filter(stock_owner=owner).delete()
    Organisation.objects.filter(pk=member.pk).update(active=False)
    Organisation.objects.filter(pk=agent.pk).update(provider_type="LA")
    allowed = same_as_the_selector(coordinator)
    assert owner.code not in allowed and member.code not in allowed and allowed[agent.code].provider_type == "LA"

    coordinator.organisation = other
    coordinator.save()
    assert set(same_as_the_selector(coordinator)) == {other.code, group.code}  # group manages for other
    coordinator.role = "support"
    coordinator.save()
    assert len(same_as_the_selector(coordinator)) == Organisation.objects.filter(active=True).count()
