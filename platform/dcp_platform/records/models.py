from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from dcp_platform.records.fields import RecordJSONField, WholeJSONField


class RecordStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    UPLOAD = "upload", "Bulk upload"
    API = "api", "API"
    SYSTEM = "system", "System"


class LiveRecordManager(models.Manager["Record"]):
    """Records that are not deleted: `Record.objects`, so no query of any app can show a deleted record by
    forgetting a filter. `Record.everything` sees deleted ones too (restoring and purging them)."""

    def get_queryset(self) -> models.QuerySet[Record]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Record(models.Model):
    """One record of a form and collection year; answers as the definition's stored values.

    Organisation and user columns point at the shared (public) tables without database constraints:
    the public tables are shared by every collection schema, and users are deactivated, never deleted.

    Every index is paid for by every write (bulk uploads store thousands of records a second), so columns get
    only the indexes queries use: the organisation columns are searched through the (organisation, updated_at)
    indexes, an upload's records through the unique (upload_id, upload_row), and no query looks records up by
    the user who created or changed them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=RecordStatus.choices, default=RecordStatus.NOT_STARTED)
    answers = RecordJSONField(default=dict, blank=True)
    derived = WholeJSONField(default=dict, blank=True)  # read whole, never searched by SQL
    confirmations = RecordJSONField(default=dict, blank=True)
    owning_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )
    managing_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )
    reference = models.CharField(max_length=300, blank=True, help_text="The record's name in lists.")
    search_text = models.TextField(blank=True, help_text="Lower-case searchable answers, space separated.")
    record_date = models.DateField(null=True, blank=True, help_text="The answer that decides the window.")
    # Records from a bulk upload stay hidden until the user confirms the upload.
    visible = models.BooleanField(default=True)
    source_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    upload_id = models.BigIntegerField(null=True, blank=True)
    upload_row = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Increases on every change (ETag).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # The user the record is assigned to: a user of its owning or managing organisation (services.Assignees).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )
    # Soft deletion: a deleted record leaves every list, download and figure; support may restore it until it is
    # purged (records.services.purge_deleted_records, DCP_DELETED_RECORDS_KEPT_DAYS after deletion).
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", db_index=False,
    )

    objects = LiveRecordManager()
    everything = models.Manager()  # noqa: DJ012 - a manager (ruff takes it for a field)

    class Meta:
        ordering = ["-updated_at"]
        base_manager_name = "everything"
        indexes = [
            models.Index(fields=["form", "year", "status"]),
            models.Index(fields=["owning_organisation", "updated_at"]),
            models.Index(fields=["managing_organisation", "updated_at"]),
            # "Assigned to me" in the records list.
            models.Index(fields=["assigned_to", "updated_at"], name="records_assigned_updated"),
            # The purge and support's list of deleted records read only deleted ones.
            models.Index(fields=["deleted_at"], name="records_deleted_at",
                         condition=models.Q(deleted_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["upload_id", "upload_row"], name="one_record_per_upload_row",
                condition=models.Q(upload_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.public_id)


class RecordChange(models.Model):
    """The record's history: who changed which answers, through which channel."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    api_key_id = models.BigIntegerField(null=True, blank=True)
    changed = WholeJSONField(default=dict, help_text="question id -> [old, new]")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.record_id} changed {self.at:%Y-%m-%d %H:%M} ({self.channel})"
