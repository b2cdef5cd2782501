"""`manage.py load_postcodes FILE`: the ONS Postcode Directory's CSV, for the local postcode lookup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.lookups.services import LookupFileError, load_postcodes, open_text


class Command(BaseCommand):
    help = "Load postcodes and their local authorities from the ONS Postcode Directory's CSV (replaces all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the ONSPD CSV file (for example Data/ONSPD_NOV_2025_UK.csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open_text(options["file"]) as stream:
                loaded = load_postcodes(stream, source=options["file"])
        except (OSError, LookupFileError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Loaded {loaded.kept} postcodes from {loaded.rows} rows ({loaded.skipped} skipped).")
