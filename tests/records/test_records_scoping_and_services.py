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
