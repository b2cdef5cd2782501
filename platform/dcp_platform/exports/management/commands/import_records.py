"""Load previous years' records from the old service's downloads (or any converter format) into a collection."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from dcp_platform.accounts.models import User
from dcp_platform.exports.columns import DEPARTMENT, build_layout, layout_names
from dcp_platform.exports.convert import FORMATS
from dcp_platform.exports.importing import import_records
from dcp_platform.registry import definition_for, get_plugin


class Command(BaseCommand):
    help = ("Import FILE's records as submitted records of their organisations (matched by code or name). Importing "
            "the same file again creates nothing new; rows that cannot be placed are reported.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument("--form", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", dest="source", required=True, choices=FORMATS)
        parser.add_argument("--columns", default=DEPARTMENT, help="the file's column set (default department)")
        parser.add_argument("--as", dest="email", help="the support user recorded as creator (default: the first)")
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["collection"]
        try:
            plugin = get_plugin(slug)
            definition = definition_for(slug, options["form"], options["year"])
        except LookupError as error:
            raise CommandError(str(error)) from error
        names = layout_names(definition, plugin.export_columns)
        layout = build_layout(definition, plugin.export_columns,
                              options["columns"] if options["columns"] in names else names[0])
        users = User.objects.filter(role="support", is_active=True).order_by("pk")
        user = users.filter(email__iexact=options["email"]).first() if options["email"] else users.first()
        if user is None:
            raise CommandError("No active support user to record as the creator (use --as EMAIL)")
        with schema_context(slug), open(options["file"], "rb") as handle:
            report = import_records(layout=layout, source=options["source"], handle=handle, user=user,
                                    codecs=plugin.codecs)
        for line in report.lines():
            self.stdout.write(line)
