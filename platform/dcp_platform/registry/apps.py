import os
import sys

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dcp_platform.registry"
    label = "registry"
    verbose_name = "Collection registry"

    def ready(self) -> None:
        from dcp_platform.registry.registry import all_plugins, load_all  # noqa: PLC0415  (plugins load models)

        all_plugins()
        # Definitions are checked when the platform starts, so an unknown rule or a forward reference
        # stops start-up with a clear error instead of failing in a user's session.
        if os.environ.get("DCP_SKIP_DEFINITION_CHECK") != "1" and "makemigrations" not in sys.argv:
            load_all()
