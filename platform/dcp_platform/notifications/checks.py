"""Start-up checks of the email adapter's settings (a Notify deployment without its key fails at once)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def email_adapter_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    adapter = getattr(settings, "DCP_EMAIL_ADAPTER", "files")
    if adapter not in {"files", "notify"}:
        return [Error(f"DCP_EMAIL_ADAPTER must be 'files' or 'notify', not {adapter!r}", id="notifications.E001")]
    if adapter == "notify":
        missing = [name for name in ("DCP_NOTIFY_API_KEY", "DCP_NOTIFY_TEMPLATE_ID") if not getattr(settings, name, "")]
        if missing:
            return [Error(f"GOV.UK Notify needs {' and '.join(missing)}", id="notifications.E002")]
    return []
