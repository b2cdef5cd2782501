from django.apps import AppConfig


class LookupsConfig(AppConfig):
    name = "dcp_platform.lookups"
    label = "lookups"
    verbose_name = "Postcode and address lookups"
