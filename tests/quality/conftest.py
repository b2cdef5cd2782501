from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dcp_platform.records.models import Record
from dcp_platform.records.services import record_create
from dcp_platform.tenancy.models import Collection, CollectionAnalyst

TODAY = date(2026, 11, 24)


def create_record(user: Any, organisation: Any, **answers: Any) -> Record:
    answers = {"owning_organisation_id": organisation.code, "managing_organisation_id": organisation.code, **answers}
    return record_create(form="lettings", year=2026, user=user, answers=answers, today=TODAY).record


@pytest.fixture
def people(core: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    """An organisation (coordinator, provider), another organisation, and an analyst of CORE."""
    mine, other = make_org(), make_org()
    analyst = make_user(make_org(provider_type="OTHER", collections=()), name="Ana Analyst")
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    return {
        "mine": mine, "other": other, "analyst": analyst,
        "coordinator": make_user(mine, role="data_coordinator", name="Cora Coordinator"),
        "provider": make_user(mine, name="Pat Provider"),
        "colleague": make_user(mine, name="Col League"),
        "outsider": make_user(other, role="data_coordinator"),
    }
