"""Support may name any organisations, but owner and manager still follow the relationships' direction (issue 20,
point 5): the one organisation check every channel makes (the web form, uploads and the API all call it)."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.records.services import (
    OrganisationNotAllowed,
    allowed_organisations,
    record_create,
    refused_organisations,
)
from dcp_platform.registry import definition_for


@pytest.fixture
def owner_and_agent(core: Any, make_org: Any) -> tuple[Any, Any]:
    owner, agent = make_org("Support Direction Owner"), make_org("Support Direction Agent")
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    return owner, agent


def _answers(owner: Any, manager: Any) -> dict[str, Any]:
    definition = definition_for("core", "lettings", 2026)
    return {definition.owner_question: owner.code, definition.manager_question: manager.code}


def test_support_cannot_name_the_agent_as_owner_of_its_stock_owner(
    make_user: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, agent = owner_and_agent
    support = make_user(None, role="support")
    with pytest.raises(OrganisationNotAllowed) as refused:
        record_create(form="lettings", year=2026, user=support, answers=_answers(agent, owner))
    assert refused.value.question_id == "managing_organisation_id"
    assert f"{owner.code} does not manage lettings for {agent.code}" in refused.value.message
    # The way round the relationship goes is accepted.
    created = record_create(form="lettings", year=2026, user=support, answers=_answers(owner, agent))
    assert created.record.owning_organisation == owner and created.record.managing_organisation == agent


def test_support_may_pair_organisations_of_one_tree_but_not_strangers(
    make_org: Any, make_user: Any, owner_and_agent: tuple[Any, Any]
) -> None:
    owner, _agent = owner_and_agent
    support = make_user(None, role="support")
    child = make_org("Support Direction Child", parent=owner)
    stranger = make_org("Support Direction Stranger")
    definition = definition_for("core", "lettings", 2026)
    allowed = allowed_organisations(user=support)  # what bulk upload checks each row with
    assert refused_organisations(definition, _answers(owner, child), allowed) == []
    assert refused_organisations(definition, _answers(child, owner), allowed) == []
    assert refused_organisations(definition, _answers(owner, owner), allowed) == []
    [(question, code, why)] = refused_organisations(definition, _answers(owner, stranger), allowed)
    assert question == "managing_organisation_id" and code == stranger.code and "does not manage" in why
