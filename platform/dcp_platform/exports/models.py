from __future__ import annotations

from django.db import models


class ImportedRecord(models.Model):
    """A record loaded from another service's file, by its key there: importing the same file again adds nothing."""

    source = models.CharField(max_length=100, help_text="The file's format, form and year, e.g. core-csv-codes:lettings:2025")
    key = models.CharField(max_length=100, help_text="The record's id in the other service (or a hash of its row)")
    record_id = models.BigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="one_record_per_imported_key")]

    def __str__(self) -> str:
        return f"{self.source} {self.key} -> {self.record_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A download too big to stream while the person waits: made in the background, then fetched by a signed link."""

    user = models.ForeignKey("accounts.User", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    request = models.JSONField(help_text="The ExportRequest: form, year, columns, values, filters")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True, help_text="What the person's file is called")
    stored_as = models.CharField(max_length=300, blank=True, help_text="Its name in the storage")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.rows_done / self.rows_total)) if self.rows_total else 0
