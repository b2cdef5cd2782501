from django.apps import AppConfig


class AdminUiConfig(AppConfig):
    name = "dcp_admin_ui"
    label = "admin_ui"
    verbose_name = "Support admin"
