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
