"""A record's assignee: "assigned to" resolves to an active user of its owning or managing organisation, in
every channel's write (records.services.Assignees through _check)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.models import RecordChange
from dcp_platform.records.services import (
    ASSIGNED_TO,
    AssigneeNotAllowed,
    NewRecord,
    record_create,
    record_update,
    records_create_many,
)

TODAY = date(2026, 11, 24)


def orgs_answers(owner: Any, manager: Any | None = None, **answers: Any) -> dict[str, Any]:
    return {"owning_organisation_id": owner.code, "managing_organisation_id": (manager or owner).code, **answers}


def test_no_answer_assigns_the_writer(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)
    record = record_create(form="lettings", year=2026, user=user, answers=orgs_answers(org), today=TODAY).record
    assert record.assigned_to_id == user.pk


def test_answer_names_a_user_of_the_managing_organisation(core: Any, make_org: Any, make_user: Any) -> None:
    owner, agent = make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    writer = make_user(agent)
    colleague = make_user(owner, email="Colleague.One@example.com")
    record = record_create(form="lettings", year=2026, user=writer, today=TODAY,
                           answers=orgs_answers(owner, agent, assigned_to="colleague.one@EXAMPLE.com")).record
    assert record.assigned_to_id == colleague.pk


@pytest.mark.parametrize("who", ["other organisation", "deactivated", "nobody"])
def test_answer_naming_someone_who_may_not_hold_it_is_refused(
        core: Any, make_org: Any, make_user: Any, who: str) -> None:
    org, other = make_org(), make_org()
    writer = make_user(org)
    email = {"other organisation": make_user(other).email,
             "deactivated": make_user(org, is_active=False).email, "nobody": "nobody@example.com"}[who]
    with pytest.raises(AssigneeNotAllowed) as refused:
        record_create(form="lettings", year=2026, user=writer, answers=orgs_answers(org, assigned_to=email),
                      today=TODAY)
    assert refused.value.question_id == "assigned_to"
    assert email in refused.value.message and "owning or managing organisation" in refused.value.message


def test_batch_creates_resolve_and_refuse_each_record(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    writer, colleague = make_user(org), make_user(org)
    outcomes = records_create_many(form="lettings", year=2026, user=writer, channel="api", today=TODAY, new_records=[
        NewRecord(answers=orgs_answers(org, assigned_to=colleague.email), confirmations={}),
        NewRecord(answers=orgs_answers(org, assigned_to="stranger@example.com"), confirmations={}),
        NewRecord(answers=orgs_answers(org), confirmations={}),
    ])
    assert outcomes[0].record.assigned_to_id == colleague.pk  # type: ignore[union-attr]
    assert isinstance(outcomes[1], AssigneeNotAllowed)
    assert outcomes[2].record.assigned_to_id == writer.pk  # type: ignore[union-attr]
    outcomes[0].record.refresh_from_db()  # type: ignore[union-attr]
    assert outcomes[0].record.assigned_to_id == colleague.pk  # type: ignore[union-attr]


def test_changing_the_answer_reassigns_and_the_history_says_so(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    writer, colleague = make_user(org), make_user(org)
    record = record_create(form="lettings", year=2026, user=writer, answers=orgs_answers(org), today=TODAY).record
    record_update(record=record, user=writer, changes={"assigned_to": colleague.email}, today=TODAY)
    record.refresh_from_db()
    assert record.assigned_to_id == colleague.pk
    change = RecordChange.objects.filter(record=record).order_by("-at", "-pk").first()
    assert change is not None and change.changed[ASSIGNED_TO] == [writer.pk, colleague.pk]
    # Other edits keep the assignee; a deactivated assignee is taken off at the next write.
    record_update(record=record, user=writer, changes={"tenancycode": "T1"}, today=TODAY)
    record.refresh_from_db()
    assert record.assigned_to_id == colleague.pk
    colleague.is_active = False
    colleague.save()
    record_update(record=record, user=writer, changes={"tenancycode": "T2"}, today=TODAY)
    record.refresh_from_db()
    assert record.assigned_to_id is None
