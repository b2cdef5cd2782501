from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "dcp_platform.cms"
    label = "cms"
    verbose_name = "Collection content"
