from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dcp_api"
    label = "dcp_api"
    verbose_name = "Submission API"
    default_auto_field = "django.db.models.BigAutoField"
