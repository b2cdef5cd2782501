"""Finds collection plugins among installed apps and loads (and checks) their definitions once."""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dcp_platform.definitions import DefinitionError, load_definition
from dcp_platform.registry.contract import CollectionPlugin

if TYPE_CHECKING:
    from dcp_platform.definitions import Definition

PLATFORM_OPTION_SOURCES = ("owning_organisations", "managing_organisations", "users")
DEFINITION_NAME = re.compile(r"^(?P<form>[a-z][a-z0-9_]*)_(?P<year>\d{4})(\.ya?ml)?$")


@cache
def all_plugins() -> dict[str, CollectionPlugin]:
    plugins: dict[str, CollectionPlugin] = {}
    for app_module in settings.COLLECTION_APPS:
        module = importlib.import_module(f"{app_module}.plugin")
        plugin = getattr(module, "COLLECTION", None)
        if not isinstance(plugin, CollectionPlugin):
            raise ImproperlyConfigured(f"{app_module}.plugin must define COLLECTION = CollectionPlugin(...)")
        if plugin.slug in plugins:
            raise ImproperlyConfigured(f"Two collection plugins use the slug {plugin.slug!r}")
        plugins[plugin.slug] = plugin
    return plugins


def get_plugin(slug: str) -> CollectionPlugin:
    try:
        return all_plugins()[slug]
    except KeyError:
        raise LookupError(f"No collection plugin {slug!r} is installed") from None


def _definition_paths(plugin: CollectionPlugin) -> dict[tuple[str, int], Path]:
    found: dict[tuple[str, int], Path] = {}
    if not plugin.definitions_dir.is_dir():
        return found
    for path in sorted(plugin.definitions_dir.iterdir()):
        match = DEFINITION_NAME.match(path.name)
        if match and (path.is_dir() or path.suffix in {".yaml", ".yml"}):
            found[(match["form"], int(match["year"]))] = path
    return found


@cache
def definitions_for(slug: str) -> dict[tuple[str, int], Definition]:
    """Every (form, year) definition of a collection, loaded and checked, with the collection's reference data."""
    plugin = get_plugin(slug)
    if plugin.load_reference_data is not None:
        plugin.load_reference_data()
    paths = _definition_paths(plugin)

    def resolve_base(name: str) -> Path:
        match = DEFINITION_NAME.match(name)
        if not match or (match["form"], int(match["year"])) not in paths:
            raise DefinitionError(f"{slug}: unknown base definition {name!r}")
        return paths[(match["form"], int(match["year"]))]

    loaded: dict[tuple[str, int], Definition] = {}
    for key, path in paths.items():
        try:
            loaded[key] = load_definition(
                path,
                functions=plugin.functions,
                option_sources=[*PLATFORM_OPTION_SOURCES, *plugin.option_sources],
                codecs=list(plugin.codecs),
                base_resolver=resolve_base,
            )
        except DefinitionError as error:
            raise ImproperlyConfigured(f"Collection {slug!r}, definition {path.name}: {error}") from error
    return loaded


def definition_for(slug: str, form: str, year: int) -> Definition:
    try:
        return definitions_for(slug)[(form, year)]
    except KeyError:
        raise LookupError(f"Collection {slug!r} has no {form} definition for {year}") from None


def load_all() -> None:
    """Load and check every definition: called at start-up so a broken definition stops the platform."""
    for slug in all_plugins():
        definitions_for(slug)
