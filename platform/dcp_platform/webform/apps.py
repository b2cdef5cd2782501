from django.apps import AppConfig


class WebformConfig(AppConfig):
    name = "dcp_platform.webform"
    label = "webform"
    verbose_name = "Web form"
