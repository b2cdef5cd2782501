from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dcp_platform.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from dcp_platform.notifications import checks  # noqa: F401, PLC0415  (in ready(): once models are loaded)
