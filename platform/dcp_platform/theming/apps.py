from django.apps import AppConfig


class ThemingConfig(AppConfig):
    name = "dcp_platform.theming"
    label = "theming"
