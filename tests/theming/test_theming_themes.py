"""Themes: every theme folder is complete and keeps WCAG 2.2 AA contrast; collections override name and theme."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.theming.themes import available_themes, theme_for
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

THEME_FILES = sorted(Path(settings.THEMES_DIR).glob("*/theme.json"))
WHITE = "#ffffff"
AA_NORMAL_TEXT = 4.5


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""
    value = hex_colour.lstrip("#")
    assert len(value) == 6, f"{hex_colour} is not a #rrggbb colour"

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(value[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The contrast maths itself, against values published with WCAG and GOV.UK Frontend.
@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#1d70b8", "#ffffff", 5.17), ("#767676", "#ffffff", 4.54)],
)
def test_contrast_ratio_matches_known_values(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_a_too_light_colour_is_caught() -> None:
    assert contrast_ratio("#00a33b", WHITE) < AA_NORMAL_TEXT  # a bright green many brands use


def test_there_are_themes() -> None:
    assert {"govuk", "departmental"} <= {path.parent.name for path in THEME_FILES}


@pytest.mark.parametrize("theme_file", THEME_FILES, ids=lambda p: p.parent.name)
def test_header_colour_keeps_white_text_readable(theme_file: Path) -> None:
    colours = json.loads(theme_file.read_text())["colours"]
    header = colours.get("header", colours["brand"])
    assert contrast_ratio(header, WHITE) >= AA_NORMAL_TEXT


@pytest.mark.parametrize("theme_file", THEME_FILES, ids=lambda p: p.parent.name)
def test_brand_colour_is_readable_as_links_on_white(theme_file: Path) -> None:
    colours = json.loads(theme_file.read_text())["colours"]
    assert contrast_ratio(colours["brand"], WHITE) >= AA_NORMAL_TEXT


@pytest.mark.parametrize("theme_file", THEME_FILES, ids=lambda p: p.parent.name)
def test_theme_file_is_complete(theme_file: Path) -> None:
    data = json.loads(theme_file.read_text())
    for key in ("name", "service_name", "organisation_name", "colours"):
        assert data.get(key), f"{theme_file} has no {key}"
    if data.get("logo"):
        assert (Path(settings.THEMES_DIR) / "static" / data["logo"]).is_file(), f"logo {data['logo']} is missing"
    for link in data.get("header_links", []) + data.get("footer_links", []):
        assert set(link) == {"text", "href"}


def test_every_theme_folder_loads() -> None:
    assert set(available_themes()) == {path.parent.name for path in THEME_FILES}


def test_collection_overrides_service_name_and_theme() -> None:
    chosen = theme_for(theme_slug="departmental", service_name="Report homelessness cases")
    assert chosen.slug == "departmental"
    assert chosen.service_name == "Report homelessness cases"
    assert chosen.organisation_name == available_themes()["departmental"].organisation_name


def test_unknown_or_empty_theme_falls_back_to_the_deployment_default() -> None:
    assert theme_for(theme_slug="no-such-theme").slug == settings.DEFAULT_THEME
    assert theme_for().slug == settings.DEFAULT_THEME
    assert theme_for().service_name == available_themes()[settings.DEFAULT_THEME].service_name


def test_deployment_theme_must_exist(settings: Any) -> None:
    available_themes.cache_clear()
    settings.DEFAULT_THEME = "no-such-theme"
    try:
        with pytest.raises(ImproperlyConfigured, match="DCP_THEME"):
            available_themes()
    finally:
        available_themes.cache_clear()


@pytest.mark.django_db
def test_collection_pages_use_the_collection_theme_and_name(client_for: Callable[..., Client]) -> None:
    from dcp_platform.tenancy.models import Collection

    Collection.objects.filter(schema_name="hclic").update(theme="departmental", service_name="Homelessness returns")
    hclic_html = client_for("hclic").get("/").content.decode()
    core_html = client_for("core").get("/").content.decode()
    departmental = available_themes()["departmental"]
    assert "Homelessness returns" in hclic_html
    assert departmental.organisation_name in hclic_html
    assert departmental.colours["header"] in hclic_html
    assert "Homelessness returns" not in core_html
    assert available_themes()[settings.DEFAULT_THEME].service_name in core_html


@pytest.mark.django_db
def test_public_site_uses_the_deployment_theme(client_for: Callable[..., Client]) -> None:
    html = client_for(None).get("/").content.decode()
    assert available_themes()[settings.DEFAULT_THEME].service_name in html


def test_start_up_check_reports_a_missing_deployment_theme(settings: Any) -> None:
    from dcp_platform.theming.checks import deployment_theme_exists

    available_themes.cache_clear()
    try:
        assert deployment_theme_exists() == []
        available_themes.cache_clear()
        settings.DEFAULT_THEME = "no-such-theme"
        assert [message.id for message in deployment_theme_exists()] == ["theming.E001"]
    finally:
        available_themes.cache_clear()


@pytest.mark.parametrize(
    "stylesheet", sorted((Path(settings.THEMES_DIR) / "static").rglob("*.css")), ids=lambda p: p.name
)
def test_every_file_a_stylesheet_points_at_is_served(stylesheet: Path) -> None:
    # GOV.UK Frontend's compiled CSS points at /assets/ on the site root, where nothing is served.
    import re

    for url in re.findall(r"url\(([^)]+)\)", stylesheet.read_text()):
        url = url.strip("'\"")
        if url.startswith(("data:", "#")):
            continue
        assert not url.startswith("/"), f"{stylesheet.name}: {url} is absolute; static files live under /static/"
        assert (stylesheet.parent / url.split("?")[0].split("#")[0]).is_file(), f"{stylesheet.name}: {url} is missing"
