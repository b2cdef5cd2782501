"""Checks of a collection year's definition before release (`dcp_platform.definitions.checks`): questions that
can never be asked, rules that read questions never asked together, conditions always true or false, answer
options no rule or page lets anyone give, template fields mapped twice or not at all.

    python manage.py check_definition --collection core --form lettings --year 2026
    python manage.py check_definition --all          # every registered definition
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.definitions.checks import check_definition
from dcp_platform.registry import all_plugins, definitions_for

from ._lookup import collection_or_error, definition_or_error


class Command(BaseCommand):
    help = "Check a definition for questions never asked, dead rules and conditions, unreachable options, template gaps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", help="collection slug, e.g. core")
        parser.add_argument("--form", help="form id, e.g. lettings")
        parser.add_argument("--year", type=int, help="collection year, e.g. 2026 for 2026 to 2027")
        parser.add_argument("--all", action="store_true", help="every definition of every collection (or of --collection)")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, form, year = options["collection"], options["form"], options["year"]
        if options["all"]:
            slugs = [collection_or_error(slug)] if slug else sorted(all_plugins())
            definitions = [d for s in slugs for _, d in sorted(definitions_for(s).items())]
        elif slug and form and year:
            definitions = [definition_or_error(slug, form, year)]
        else:
            raise CommandError("Give --collection, --form and --year (or --all).")
        reports = [check_definition(definition) for definition in definitions]
        if options["format"] == "json":
            self.stdout.write(json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False, default=str))
        else:
            for report in reports:
                self.stdout.write(report.to_text(), ending="")
        failed = [f"{r.collection} {r.form} {r.year}" for r in reports if not r.ok]
        if failed:
            raise CommandError(f"Definition checks failed: {', '.join(failed)}")
