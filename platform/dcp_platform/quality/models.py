"""Data quality, in each collection's schema: queries between analysts and providers, sign-off of returns.

Organisation and user columns point at the shared (public) tables without database constraints, as records do.
Nothing here is ever deleted or edited in place: a query's thread only grows, so it is its own history (and each
step is also in the audit trail).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dcp_platform.records.models import Record, RecordChange


class QueryState(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class QueryScope(models.TextChoices):
    RECORD = "record", "A record"
    RECORDS = "records", "A set of records"
    RETURN = "return", "An organisation's return"


class Query(models.Model):
    """A question an analyst asks an organisation about a record, a set of its records or its return."""

    scope = models.CharField(max_length=10, choices=QueryScope.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    form = models.CharField(max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=QueryState.choices, default=QueryState.OPEN)
    records = models.ManyToManyField(Record, related_name="quality_queries", blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The automated check whose finding the query was raised from, if any (its id in the collection's checks).
    check_id = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="query_organisation_state")]

    def __str__(self) -> str:
        return f"Query {self.pk}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state != QueryState.RESOLVED


class MessageKind(models.TextChoices):
    RAISED = "raised", "Raised the query"
    REPLY = "reply", "Replied"
    EXPLANATION = "explanation", "Explained the data is right"
    CORRECTION = "correction", "Corrected the data"
    RESOLVED = "resolved", "Resolved the query"
    REOPENED = "reopened", "Reopened the query"


class QueryMessage(models.Model):
    """One step of a query's thread: who said what, and which changes to the records it points to."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    # A correction names the changes to the query's records that made it (the records' own history rows).
    changes = models.ManyToManyField(RecordChange, related_name="quality_messages", blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.query_id})"


class SignOff(models.Model):
    """An organisation's declaration that its return for a collection window is complete.

    A window is a `CollectionWindowPage` (one a year or one a quarter, as the collection sets its windows); its year and period are kept here
    because window pages are content that editors may change. Reopening keeps the row (with who, when and why) and
    a later sign-off makes a new one, so every sign-off of a return stays on record.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    year = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    window_title = models.CharField(max_length=255)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    signed_off_at = models.DateTimeField(default=timezone.now)
    statement = models.TextField(blank=True, help_text="What the coordinator declared, as shown to them.")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_off_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period_start"], name="one_current_sign_off_per_return",
                condition=models.Q(reopened_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window_title} signed off by organisation {self.organisation_id}"

    @property
    def is_current(self) -> bool:
        return self.reopened_at is None
