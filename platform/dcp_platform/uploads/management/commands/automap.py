"""Print the proposed column mapping of a file as JSON, storing nothing.

    python manage.py automap --collection core --form lettings --year 2026 FILE

Output: a list with one object per source column in file order:
{"column": header text, "fields": [template field numbers, in order; [] when unmapped], "score": 0..1}.
A file in the template format is matched by field number (score 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.registry import definition_for
from dcp_platform.uploads.mapping import propose_for_file
from dcp_platform.uploads.reading import FileRejected


class Command(BaseCommand):
    help = "Print the proposed mapping of a file's columns to template fields as JSON (stores nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument("--form", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definition = definition_for(options["collection"], options["form"], options["year"])
        except LookupError as error:
            raise CommandError(str(error)) from error
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            proposals = propose_for_file(definition, path)
        except FileRejected as error:
            raise CommandError(error.message) from error
        self.stdout.write(json.dumps(proposals, ensure_ascii=False, indent=1))
