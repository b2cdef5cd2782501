"""The Celery app. Tasks carry the collection schema they were sent from (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcp_platform.settings")

app = CeleryApp("dcp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
