from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "dcp_platform.quality"
    label = "quality"
    verbose_name = "Data quality: queries, sign-off, automated checks and reminders"
