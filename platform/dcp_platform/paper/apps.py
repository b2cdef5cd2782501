from django.apps import AppConfig


class PaperConfig(AppConfig):
    name = "dcp_platform.paper"
    label = "paper"
    verbose_name = "Paper forms and why we ask"

    def ready(self) -> None:
        from dcp_platform.paper import checks  # noqa: F401, PLC0415  (in ready(): once models are loaded)
