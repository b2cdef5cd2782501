from django.apps import AppConfig


class CoreCollectionConfig(AppConfig):
    name = "dcp_core"
    label = "dcp_core"
    verbose_name = "CORE: social housing lettings and sales"
