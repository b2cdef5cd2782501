from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "dcp_platform.uploads"
    label = "uploads"
    verbose_name = "Bulk upload"
    default_auto_field = "django.db.models.BigAutoField"
