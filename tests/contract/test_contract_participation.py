"""Which organisations take part in a collection is data, limited by the plugin's eligible provider types."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.registry import all_plugins
from dcp_platform.tenancy.models import Collection, Participation
from django.core.exceptions import ValidationError


@pytest.mark.parametrize("slug", sorted(all_plugins()))
def test_participation_honours_eligible_provider_types(slug: str, make_org: Any) -> None:
    allowed = all_plugins()[slug].eligible_provider_types
    collection = Collection.objects.get(schema_name=slug)
    for provider_type in ("LA", "PRP"):
        org = make_org(provider_type=provider_type, collections=())
        participation = Participation(organisation=org, collection=collection)
        if allowed is None or provider_type in allowed:
            participation.full_clean()
        else:
            with pytest.raises(ValidationError):
                participation.full_clean()


def test_a_collection_refuses_users_whose_organisation_does_not_take_part(
    client_for: Any, make_org: Any, make_user: Any
) -> None:
    restricted = [slug for slug, plugin in all_plugins().items() if plugin.eligible_provider_types == frozenset({"LA"})]
    assert restricted, "at least one installed collection takes local authorities only"
    housing_association = make_user(make_org(provider_type="PRP"))
    home = client_for(None, housing_association).get("/").content.decode()
    for slug in restricted:
        assert all_plugins()[slug].title not in home
        assert client_for(slug, housing_association).get("/records/").status_code == 403
    council = make_user(make_org(provider_type="LA"))
    for slug in restricted:
        assert client_for(slug, council).get("/records/").status_code == 200
