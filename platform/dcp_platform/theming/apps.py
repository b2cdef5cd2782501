"""White-label themes: service name, organisation, logo, links and colours, per deployment and per collection."""
from django.apps import AppConfig


class ThemingConfig(AppConfig):
    name = "dcp_platform.theming"
    label = "theming"

    def ready(self) -> None:
        from dcp_platform.theming import checks  # noqa: F401, PLC0415  (in ready(): once models are loaded)
