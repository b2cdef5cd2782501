"""Recompute the dashboards' figures now (the Celery beat task does it every minute for changed years)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from dcp_platform.playback.models import RefreshState
from dcp_platform.playback.services import refresh_changed
from dcp_platform.tenancy.models import Collection


class Command(BaseCommand):
    help = "Recompute the figures of changed forms and years in every collection (--all: every year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Recompute every form and year, changed or not.")

    def handle(self, *args: Any, **options: Any) -> None:
        for collection in Collection.objects.exclude(schema_name="public"):
            with schema_context(collection.schema_name):
                if options["all"]:
                    RefreshState.objects.update(seen_until=None)
                changed = refresh_changed(slug=collection.slug)
                self.stdout.write(f"{collection.slug}: {len(changed)} form years refreshed")
