from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dcp_platform.accounts"
    label = "accounts"
    verbose_name = "Users and organisations"

    def ready(self) -> None:
        from dcp_platform.accounts import signals  # noqa: F401, PLC0415  (in ready(): once models are loaded)
