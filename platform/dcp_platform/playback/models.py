"""Stored figures: what the dashboards read, kept up to date by `services.refresh_figures` (at most a minute old).

Figures live in each collection's schema, beside its records. One row is one number: a measure (or a built-in
count, whose id starts with `_`) for one form and year, one scope (an organisation, a region, a local authority
or the nation) and one breakdown key (an answer code, a question id, or empty).
"""

from __future__ import annotations

from django.db import models

# Built-in figures, beside each collection's measures:
RECORDS = "_records"  # every visible record, counted by "status:channel"
MONTHS = "_months"  # records by the month of their date: "YYYY-MM:all" and "YYYY-MM:completed"
HOURS_TO_COMPLETE = "_hours_to_complete"  # median hours from first save to last of completed records
CONFIRMED = "_confirmed"  # records by each soft warning confirmed on them (its confirmation key)


class Scope(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    REGION = "region", "Region"
    AREA = "area", "Local authority"
    NATIONAL = "national", "England"


class Figure(models.Model):
    form = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=80)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_key = models.CharField(max_length=40, blank=True, help_text="Organisation id, region code or area code.")
    key = models.CharField(max_length=100, blank=True, help_text="The breakdown: an answer code or a question id.")
    value = models.FloatField(null=True)
    records = models.PositiveIntegerField(help_text="How many records the figure is made of.")

    class Meta:
        indexes = [models.Index(fields=["form", "year", "scope", "scope_key"])]

    def __str__(self) -> str:
        return f"{self.form} {self.year} {self.measure} {self.scope}:{self.scope_key} {self.key} = {self.value}"


class FigureRefresh(models.Model):
    """When the figures of a form's year were last computed, and from records changed up to when."""

    form = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long the refresh took.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "year"], name="one_refresh_per_form_year")]

    def __str__(self) -> str:
        return f"{self.form} {self.year} at {self.refreshed_at:%Y-%m-%d %H:%M:%S}"


class RefreshState(models.Model):
    """One row per collection: records changed after `seen_until` (less an overlap) are not counted yet."""

    seen_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"figures counted up to {self.seen_until}"
