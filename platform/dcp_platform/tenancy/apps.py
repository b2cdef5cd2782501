from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dcp_platform.tenancy"
    label = "tenancy"
    verbose_name = "Collections"
