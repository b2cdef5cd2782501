"""Repeating groups whose size the user decides ("add another"), shown with H-CLIC's household members.

The test finds such a group in the installed definitions instead of naming a collection's questions, so it
proves the platform's generic behaviour.
"""

from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.registry import all_plugins, definitions_for


def add_another_cases() -> list[Any]:
    cases = []
    for slug in sorted(all_plugins()):
        plugin = all_plugins()[slug]
        for (form, year), definition in definitions_for(slug).items():
            for group in definition.groups.values():
                pages = [p for p in definition.pages if p.group == group.id]
                # Groups always asked (their pages depend only on the item itself) make a clean example.
                always = all(p.condition is None or p.condition.names <= {"n", *group.question_ids} for p in pages)
                if group.count is None and group.max_items is None and always:
                    section = next(p.section_id for p in definition.pages if p.group == group.id)
                    provider = sorted(plugin.eligible_provider_types or {"PRP"})[0]
                    cases.append(pytest.param(slug, form, year, group.id, section, provider, id=f"{slug}-{group.id}"))
    return cases


@pytest.mark.parametrize(("slug", "form", "year", "group_id", "section", "provider_type"), add_another_cases())
def test_add_and_remove_items(
    slug: str, form: str, year: int, group_id: str, section: str, provider_type: str,
    client_for: Any, make_org: Any, make_user: Any, started_record: Any,
) -> None:
    from dcp_platform.tenancy.models import Collection
    from django.db import connection

    user = make_user(make_org(provider_type=provider_type))
    connection.set_tenant(Collection.objects.get(schema_name=slug))
    client = client_for(slug, user)
    record = started_record(user, form, year)
    record_path = f"/records/{record.public_id}/"
    before = len(record.answers.get(group_id) or [])
    for _ in range(3):
        response = client.post(record_path + f"groups/{group_id}/add/")
        assert response.status_code == 302 and "/questions/" in response["Location"]
    record.refresh_from_db()
    assert len(record.answers[group_id]) == before + 3
    check = client.get(record_path + f"check/{section}/").content.decode()
    assert "Add another" in check
    assert client.post(record_path + f"groups/{group_id}/2/remove/").status_code == 302
    record.refresh_from_db()
    assert len(record.answers[group_id]) == before + 2
    assert client.post(record_path + f"groups/{group_id}/99/remove/").status_code == 404
    connection.set_schema_to_public()


def test_fixed_count_groups_cannot_be_added_to(
    client_for: Any, core: Any, make_org: Any, make_user: Any, started_record: Any
) -> None:
    user = make_user(make_org())
    client = client_for("core", user)
    record_path = f"/records/{started_record(user).public_id}/"
    assert client.post(record_path + "groups/persons/add/").status_code == 404
