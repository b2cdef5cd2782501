from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin

from dcp_platform.registry import get_plugin


class Collection(TenantMixin):
    """A data collection: one tenant, one PostgreSQL schema.

    The public schema has a row with schema_name "public" for the shared site; it is not a collection.
    """

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    service_name = models.CharField(
        max_length=200, blank=True, help_text="Overrides the theme's service name on this collection's pages."
    )
    theme = models.CharField(max_length=50, blank=True, help_text="Theme folder name; empty = deployment default.")
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]


class Participation(models.Model):
    """Which organisations take part in which collections: data, not code."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="participations")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="participations")
    since = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "collection"], name="unique_participation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.collection}"

    def clean(self) -> None:
        """A collection may take only some kinds of organisation (its plugin says which)."""
        if not self.collection_id or not self.organisation_id:
            return
        allowed = get_plugin(self.collection.slug).eligible_provider_types
        if allowed is not None and self.organisation.provider_type not in allowed:
            kinds = ", ".join(sorted(allowed))
            raise ValidationError(f"{self.collection.title} only takes organisations of type {kinds}.")


class CollectionAnalyst(models.Model):
    """A department analyst of one collection: sees every organisation's records and figures there, read-only.

    Assigned by support. Analysts never change records: the record services refuse their writes.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="analyst_assignments")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="analysts")
    assigned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["collection__title", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "collection"], name="unique_collection_analyst"),
        ]

    def __str__(self) -> str:
        return f"{self.user} analyst of {self.collection}"
