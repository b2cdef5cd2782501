"""`manage.py load_addresses FILE`: an OS Places-shaped address CSV, for the local address lookup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.lookups.services import LookupFileError, load_addresses, open_text


class Command(BaseCommand):
    help = "Load addresses with their UPRNs from a CSV with OS Places DPA columns (replaces all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a CSV with UPRN, BUILDING_NUMBER, THOROUGHFARE_NAME, POST_TOWN, POSTCODE, ...")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open_text(options["file"]) as stream:
                loaded = load_addresses(stream, source=options["file"])
        except (OSError, LookupFileError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Loaded {loaded.kept} addresses from {loaded.rows} rows ({loaded.skipped} skipped).")
