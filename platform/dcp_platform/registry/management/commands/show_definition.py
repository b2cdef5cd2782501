"""Print a collection year's definition as JSON, for people and tools.

    python manage.py show_definition --collection core --form lettings --year 2026
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.registry import all_plugins, definition_for, definitions_for


class Command(BaseCommand):
    help = "Print a collection year's definition (questions, codes, conditions, template fields, rules) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True, help="collection slug, e.g. core")
        parser.add_argument("--form", required=True, help="form id, e.g. lettings")
        parser.add_argument("--year", required=True, type=int, help="collection year, e.g. 2026 for 2026 to 2027")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        slug, form, year = options["collection"], options["form"], options["year"]
        if slug not in all_plugins():
            raise CommandError(f"No collection {slug!r}. Installed: {', '.join(sorted(all_plugins()))}")
        try:
            definition = definition_for(slug, form, year)
        except LookupError:
            available = ", ".join(f"{f} {y}" for f, y in sorted(definitions_for(slug))) or "none"
            raise CommandError(
                f"Collection {slug!r} has no {form} definition for {year}. Available: {available}"
            ) from None
        self.stdout.write(json.dumps(definition.to_json(), indent=options["indent"] or None, default=str))
