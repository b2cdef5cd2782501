"""Demo organisations, users and their participation in the collections, for a local run. Idempotent.

In tenancy (not accounts): it ties organisations to collections, and accounts never depends on tenancy.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dcp_platform.accounts.models import (
    Organisation,
    OrganisationRelationship,
    ProviderType,
    Region,
    Role,
    User,
)
from dcp_platform.registry import get_plugin
from dcp_platform.tenancy.models import Collection, CollectionAnalyst, Participation

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published demo credential for local runs only
SUPPORT_BACKUP_CODES = ["11111111", "22222222", "33333333", "44444444", "55555555"]

ORGANISATIONS = [
    # code, name, provider type, parent code, region
    ("LA0001", "Northshire County Council", ProviderType.LOCAL_AUTHORITY, None, Region.NORTH_EAST),
    ("HA0001", "Riverside Housing Group", ProviderType.PRIVATE_REGISTERED_PROVIDER, None, Region.NORTH_WEST),
    ("HA0002", "Riverside Homes North", ProviderType.PRIVATE_REGISTERED_PROVIDER, "HA0001", Region.NORTH_WEST),
    ("HA0003", "Brightway Lettings", ProviderType.PRIVATE_REGISTERED_PROVIDER, None, Region.YORKSHIRE),
]
# The department runs the collections: it takes part in none (its analysts read every organisation's records).
DEPARTMENT = ("DEPT01", "Department for Housing Data", ProviderType.OTHER)
# (stock owner, managing agent)
RELATIONSHIPS = [("HA0001", "HA0003")]
USERS = [
    # email, name, organisation, role, extra groups
    ("provider@example.com", "Priya Provider", "HA0001", Role.DATA_PROVIDER, []),
    ("coordinator@example.com", "Colin Coordinator", "HA0001", Role.DATA_COORDINATOR, []),
    ("agent@example.com", "Amir Agent", "HA0003", Role.DATA_PROVIDER, []),
    ("council@example.com", "Chloe Council", "LA0001", Role.DATA_COORDINATOR, []),
    ("support@example.com", "Sam Support", None, Role.SUPPORT, []),
    ("editor@example.com", "Erin Editor", None, Role.DATA_PROVIDER, ["core-editors"]),
    ("analyst@example.com", "Ana Analyst", DEPARTMENT[0], Role.DATA_PROVIDER, []),
]
# Department analysts of every installed collection.
ANALYSTS = ["analyst@example.com"]


class Command(BaseCommand):
    help = "Create demo organisations (a parent/child pair and a stock owner/managing agent pair) and users."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        orgs: dict[str, Organisation] = {}
        for code, name, provider_type, parent_code, region in ORGANISATIONS:
            orgs[code], _ = Organisation.objects.update_or_create(
                code=code,
                defaults={"name": name, "provider_type": provider_type, "parent": orgs.get(parent_code or ""),
                          "region": region},
            )
        for owner, agent in RELATIONSHIPS:
            OrganisationRelationship.objects.get_or_create(stock_owner=orgs[owner], managing_agent=orgs[agent])
        for collection in Collection.objects.exclude(schema_name="public"):
            allowed = get_plugin(collection.slug).eligible_provider_types
            for org in orgs.values():
                if allowed is None or org.provider_type in allowed:
                    Participation.objects.get_or_create(organisation=org, collection=collection)
        code, name, provider_type = DEPARTMENT
        orgs[code], _ = Organisation.objects.update_or_create(
            code=code, defaults={"name": name, "provider_type": provider_type, "holds_own_stock": False}
        )
        for email, name, org_code, role, groups in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, name=name, organisation=orgs.get(org_code or ""), role=role,
                    is_staff=role == Role.SUPPORT,
                )
            for group_name in groups:
                group = Group.objects.filter(name=group_name).first()
                if group:
                    user.groups.add(group)
            if role == Role.SUPPORT:
                device, _ = StaticDevice.objects.get_or_create(user=user, name="Demo backup codes")
                if not device.token_set.exists():
                    for code in SUPPORT_BACKUP_CODES:
                        StaticToken.objects.create(device=device, token=code)
        support = User.objects.get(email="support@example.com")
        for email in ANALYSTS:
            for collection in Collection.objects.exclude(schema_name="public"):
                CollectionAnalyst.objects.get_or_create(
                    user=User.objects.get(email=email), collection=collection, defaults={"assigned_by": support}
                )
        self.stdout.write(self.style.SUCCESS("Demo organisations and users are ready."))
