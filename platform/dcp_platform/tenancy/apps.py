from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dcp_platform.tenancy"
    label = "tenancy"
    verbose_name = "Collections"

    def ready(self) -> None:
        from dcp_platform.tenancy import signals  # noqa: F401, PLC0415  (in ready(): once models are loaded)
