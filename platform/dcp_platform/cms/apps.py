from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "dcp_platform.cms"
    label = "cms"
    verbose_name = "Collection content"

    def ready(self) -> None:
        from dcp_platform.cms import signals  # noqa: F401, PLC0415  (in ready(): once models are loaded)
