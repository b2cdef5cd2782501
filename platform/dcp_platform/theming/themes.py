from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    service_name: str
    organisation_name: str
    logo: str | None
    logo_alt: str
    header_links: tuple[Link, ...] = ()
    footer_links: tuple[Link, ...] = ()
    colours: dict[str, str] = field(default_factory=dict)

    def with_service_name(self, service_name: str) -> Theme:
        return Theme(**{**self.__dict__, "service_name": service_name})


@cache
def available_themes() -> dict[str, Theme]:
    themes: dict[str, Theme] = {}
    for path in sorted(settings.THEMES_DIR.glob("*/theme.json")):
        data = json.loads(path.read_text())
        themes[path.parent.name] = Theme(
            slug=path.parent.name,
            name=data["name"],
            service_name=data["service_name"],
            organisation_name=data["organisation_name"],
            logo=data.get("logo"),
            logo_alt=data.get("logo_alt", data["organisation_name"]),
            header_links=tuple(Link(**link) for link in data.get("header_links", [])),
            footer_links=tuple(Link(**link) for link in data.get("footer_links", [])),
            colours=dict(data.get("colours", {})),
        )
    if settings.DEFAULT_THEME not in themes:
        raise ImproperlyConfigured(f"DCP_THEME={settings.DEFAULT_THEME!r} is not a folder in {settings.THEMES_DIR}")
    return themes


def theme_for(*, theme_slug: str = "", service_name: str = "") -> Theme:
    themes = available_themes()
    theme = themes.get(theme_slug) or themes[settings.DEFAULT_THEME]
    return theme.with_service_name(service_name) if service_name else theme
