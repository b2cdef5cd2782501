from django.apps import AppConfig


class HclicCollectionConfig(AppConfig):
    name = "dcp_hclic"
    label = "dcp_hclic"
    verbose_name = "H-CLIC: homelessness case records"
