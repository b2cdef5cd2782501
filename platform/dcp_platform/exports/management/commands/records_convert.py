"""Convert records between formats with no database: CORE's downloads, the upload template and JSON lines."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcp_platform.exports.columns import DEPARTMENT, PROVIDER, build_layout, layout_names
from dcp_platform.exports.convert import FORMATS, convert
from dcp_platform.registry import definition_for, get_plugin


class Command(BaseCommand):
    help = ("Read records from FILE in one format and write them to standard output in another, checked and "
            "derived by the collection year's definition. Needs no database.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument("--form", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--from", dest="source", required=True, choices=FORMATS)
        parser.add_argument("--to", dest="target", required=True, choices=FORMATS)
        parser.add_argument("--columns", default=DEPARTMENT, help="the column set: department (default) or provider")
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plugin = get_plugin(options["collection"])
            definition = definition_for(options["collection"], options["form"], options["year"])
        except LookupError as error:
            raise CommandError(str(error)) from error
        names = layout_names(definition, plugin.export_columns)
        columns = options["columns"] if options["columns"] in names else names[0]
        if options["columns"] not in names and options["columns"] not in (DEPARTMENT, PROVIDER):
            raise CommandError(f"--columns must be one of {', '.join(names)}")
        layout = build_layout(definition, plugin.export_columns, columns)
        problems: list[str] = []
        with open(options["file"], "rb") as handle:
            try:
                for chunk in convert(definition=definition, layout=layout, source=options["source"],
                                     target=options["target"], handle=handle, codecs=plugin.codecs,
                                     problems=problems):
                    sys.stdout.write(chunk)
            except ValueError as error:
                raise CommandError(str(error)) from error
        for problem in problems:
            self.stderr.write(problem)
