"""Finding a collection's definition for a management command, with a clear error naming what exists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError

from dcp_platform.registry import all_plugins, definitions_for

if TYPE_CHECKING:
    from dcp_platform.definitions import Definition


def available(slug: str) -> str:
    """The forms and years a collection has, as words: "lettings 2025, lettings 2026, sales 2026"."""
    return ", ".join(f"{form} {year}" for form, year in sorted(definitions_for(slug))) or "none"


def collection_or_error(slug: str) -> str:
    if slug not in all_plugins():
        raise CommandError(f"No collection {slug!r}. Installed collections: {', '.join(sorted(all_plugins()))}")
    return slug


def definition_or_error(slug: str, form: str, year: int) -> Definition:
    """The definition, or a CommandError listing the collections, or the forms and years, there are."""
    definition = definitions_for(collection_or_error(slug)).get((form, year))
    if definition is None:
        forms = sorted({f for f, _ in definitions_for(slug)})
        what = f"no {form} definition for {year}" if form in forms else f"no form {form!r}"
        raise CommandError(f"Collection {slug!r} has {what}. Available: {available(slug)}")
    return definition
