"""A bulk upload, its per-row results, and the column/value mappings an organisation has confirmed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dcp_platform.records.fields import RecordJSONField


class UploadStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    CHECKING = "checking", "Checking the file"
    NEEDS_MAPPING = "needs_mapping", "Columns to match"
    PROCESSING = "processing", "Checking the records"
    READY = "ready", "Ready to review"
    CONFIRMING = "confirming", "Confirming answers"
    CONFIRMED = "confirmed", "Records created"
    REJECTED = "rejected", "File refused"
    CANCELLED = "cancelled", "Cancelled"


class Upload(models.Model):
    form = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, help_text="Where the uploaded file is kept while it is processed.")
    file_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, blank=True, help_text="template | columns")
    signature = models.CharField(max_length=64, blank=True, help_text="The file's shape (its headers).")
    headers = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.WAITING)
    message = models.TextField(blank=True, help_text="Why the file was refused, in the user's words.")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # column index (str) -> target key; value mappings: target key -> {provider value: code}
    column_mapping = models.JSONField(default=dict, blank=True)
    value_mapping = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same file twice for one organisation, form and year is the same upload.
            models.UniqueConstraint(
                fields=["organisation", "form", "year", "file_hash"], name="one_upload_per_file",
                condition=~models.Q(status__in=["rejected", "cancelled"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status in (UploadStatus.READY, UploadStatus.CONFIRMED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class UploadRow(models.Model):
    """The result of one data row: its problems per cell, its record, and whether it is a duplicate."""

    # Looked up through the unique (upload, row_number): a second index on upload alone would only cost writes.
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField(help_text="The row's line number in the file.")
    record_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, help_text="completed | in_progress | refused")
    # [{"fields": [field numbers], "column": header, "question": id, "rule": rule id, "severity": ..., "message": ...}]
    problems = RecordJSONField(default=list, blank=True)  # bulk-inserted per chunk: see RecordJSONField
    duplicate_of = models.CharField(max_length=100, blank=True)
    # The digest of the row's duplicate-check answers (evaluating.duplicate_key). Duplicates within the file are
    # found from these once every row is stored, so processing keeps no digest per row in memory.
    duplicate_key = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["upload", "row_number"], name="one_result_per_upload_row")]

    def __str__(self) -> str:
        return f"Row {self.row_number} of upload {self.upload_id}"


class SavedMapping(models.Model):
    """Column and value mappings an organisation confirmed, applied to the next file of the same shape."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    form = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    signature = models.CharField(max_length=64)
    column_mapping = models.JSONField(default=dict)
    value_mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form", "year", "signature"], name="one_mapping_per_shape"),
        ]

    def __str__(self) -> str:
        return f"Mapping {self.signature[:8]} for {self.organisation_id}"


class LearnedHeader(models.Model):
    """A header an organisation mapped to a target when it confirmed a mapping: what the automatic mapper learns.

    One row per (organisation, form, header, target), counting confirmations. The organisation's latest choice
    is proposed to it again straight away; another organisation gets it once more than one organisation has
    confirmed the same target for the header. Target keys name questions (not field numbers), so what was
    learned in one collection year still applies in the next where the question is the same.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    form = models.CharField(max_length=50)
    header = models.CharField(max_length=200, help_text="The header, normalised (learned.header_key).")
    target = models.CharField(max_length=100, blank=True, help_text="The mapper's target key; empty: not used.")
    confirmations = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "header", "organisation", "target"], name="one_learned_header"),
        ]

    def __str__(self) -> str:
        return f"{self.header!r} -> {self.target or 'not used'} ({self.organisation_id})"


class LearnedValue(models.Model):
    """A provider's value an organisation matched to an answer code when it confirmed a value mapping."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    form = models.CharField(max_length=50)
    target = models.CharField(max_length=100, help_text="The mapper's target key the column was mapped to.")
    value = models.CharField(max_length=200, help_text="The provider's value, normalised (learned.value_key).")
    code = models.CharField(max_length=100)
    confirmations = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "target", "value", "organisation", "code"],
                                    name="one_learned_value"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.value!r} -> {self.code} ({self.organisation_id})"
