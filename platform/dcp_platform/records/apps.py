from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "dcp_platform.records"
    label = "records"
    verbose_name = "Records"
