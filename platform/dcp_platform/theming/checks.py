"""Start-up check: the deployment's theme (DCP_THEME) must be one of the theme folders."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from dcp_platform.theming.themes import available_themes


@register()
def deployment_theme_exists(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        available_themes()
    except ImproperlyConfigured as problem:
        return [Error(str(problem), hint="Set DCP_THEME to a folder name under themes/.", id="theming.E001")]
    return []
