"""Write (or check) the committed OpenAPI documents under docs/openapi/, one per collection form and year."""

from __future__ import annotations

from typing import Any

from dcp_platform.registry import all_plugins, definitions_for
from django.core.management.base import BaseCommand, CommandError

from dcp_api.docs import committed_path, openapi_document, render_document


class Command(BaseCommand):
    help = "Write the OpenAPI documents to docs/openapi/ (or, with --check, fail if any is out of date)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only check; exit 1 when a file is out of date.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        stale = []
        for slug in sorted(all_plugins()):
            for form, year in sorted(definitions_for(slug)):
                path = committed_path(slug, form, year)
                text = render_document(openapi_document(slug, form, year))
                current = path.read_text(encoding="utf-8") if path.exists() else None
                if current == text:
                    continue
                if check:
                    stale.append(str(path))
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
                    self.stdout.write(f"wrote {path}")
        if stale:
            raise CommandError("Out of date (run manage.py api_schema): " + ", ".join(stale))
