"""What changed in a form from one collection year to another: questions, answer options, conditions, rules,
derived values and official template fields (`dcp_platform.definitions.diff`).

    python manage.py definition_diff --collection core --form lettings --from 2025 --to 2026
    python manage.py definition_diff --collection core --form lettings --from 2025 --to 2026 --format json
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dcp_platform.definitions.diff import definition_diff

from ._lookup import definition_or_error


class Command(BaseCommand):
    help = ("Print the added, removed and changed questions, answer options, conditions, rules, derived values and "
            "template fields of a form between two collection years.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True, help="collection slug, e.g. core")
        parser.add_argument("--form", required=True, help="form id, e.g. lettings")
        parser.add_argument("--from", dest="before", required=True, type=int, help="the earlier year, e.g. 2025")
        parser.add_argument("--to", dest="after", required=True, type=int, help="the later year, e.g. 2026")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, form = options["collection"], options["form"]
        before = definition_or_error(slug, form, options["before"])
        after = definition_or_error(slug, form, options["after"])
        diff = definition_diff(before, after)
        if options["format"] == "json":
            self.stdout.write(json.dumps(diff.to_json(), indent=2, ensure_ascii=False, default=str))
        else:
            self.stdout.write(diff.to_text(), ending="")
