from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "dcp_platform.exports"
    label = "exports"
    verbose_name = "Exports"
