from typing import Any

from django.core.management.base import BaseCommand

from dcp_platform.tenancy.services import ensure_collections


class Command(BaseCommand):
    help = "Create (or update) a tenant schema, domain, editors group and Wagtail site for each installed collection."

    def handle(self, *args: Any, **options: Any) -> None:
        for collection in ensure_collections():
            self.stdout.write(f"Collection {collection.slug}: schema {collection.schema_name} ready")
