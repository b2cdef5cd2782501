"""What the local lookups read: postcodes with their local authority (from the ONS Postcode Directory) and
addresses with their UPRN (a file shaped like OS Places' results). Shared by every collection (public schema)."""

from __future__ import annotations

from django.db import models


class Postcode(models.Model):
    # Upper case without spaces ("SW1A1AA"): lookups.adapters.normalise_postcode.
    postcode = models.CharField(max_length=8, primary_key=True)
    local_authority = models.CharField(max_length=9)  # the ONS code, e.g. E09000033
    terminated = models.DateField(null=True, blank=True)  # the month the postcode went out of use

    def __str__(self) -> str:
        return f"{self.postcode} {self.local_authority}"


class PostcodeLoad(models.Model):
    """One row per `load_postcodes`: processes notice a newer load and read the postcodes again."""

    loaded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=255)
    postcodes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.postcodes} postcodes from {self.source}"


class Address(models.Model):
    uprn = models.CharField(max_length=12, primary_key=True)
    postcode = models.CharField(max_length=8, db_index=True)  # normalised, as Postcode.postcode
    line1 = models.CharField(max_length=255)
    line2 = models.CharField(max_length=255, blank=True)
    town = models.CharField(max_length=255, blank=True)
    county = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["postcode", "line1", "uprn"]

    def __str__(self) -> str:
        return f"{self.uprn}: {self.line1}, {self.town} {self.postcode}"
