"""What a collection plugin provides. Keep this small: everything else is derived from definitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FormSpec:
    """One form of a collection (a collection may have several, e.g. lettings and sales)."""

    id: str
    title: str
    record_name: str = "record"  # "lettings log", "case": used in page text


@dataclass(frozen=True)
class WindowSpec:
    """A default collection window, seeded as Wagtail content when a collection is created.

    Content designers then edit windows in Wagtail; the platform reads the content, not these defaults.
    """

    year: int
    label: str  # "2026 to 2027" or "Quarter 1 2026 to 2027"
    period_start: date  # records whose date falls in [period_start, period_end] belong to this window
    period_end: date
    opens: date
    submission_deadline: date
    edits_close: date


@dataclass(frozen=True)
class CollectionPlugin:
    slug: str
    title: str
    description: str
    forms: tuple[FormSpec, ...]
    definitions_dir: Path  # holds <form>_<year>.yaml files or <form>_<year>/ folders
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    option_sources: Mapping[str, Callable[..., list[tuple[str, str]]]] = field(default_factory=dict)
    codecs: Mapping[str, Any] = field(default_factory=dict)
    # Organisation provider types allowed to take part (None = any), e.g. local authorities only.
    eligible_provider_types: frozenset[str] | None = None
    default_windows: tuple[WindowSpec, ...] = ()
    # Reads the reference tables the plugin's functions look things up in (rent ranges, local authorities), which
    # they would otherwise read at their first use. Called once per process, with the definitions (registry), so
    # the first record a process checks is not slower than the rest, and worker processes forked to check an
    # upload's rows share the tables instead of each reading its own copy.
    load_reference_data: Callable[[], None] | None = None
    # Words providers' own exports use for this collection's questions (a YAML file: abbreviations, phrases and
    # other names per form and question id), read by bulk upload's automatic column mapping. See
    # docs/bulk-upload-format.md.
    column_vocabulary: Path | None = None
    # Answers the collection knows about an organisation (e.g. from its own reference data), each a function
    # `(*, definition, organisation) -> {question id: answer}`: see registry/answer_sources.py.
    answer_sources: tuple[Callable[..., Mapping[str, Any]], ...] = ()
    # A folder of `<form>_<year>.yaml` files giving the collection's own download layout (column names, order,
    # column sets, descriptions) where the definition cannot say it: see docs/exports.md. Without one, a form's
    # download has the platform's default columns, from the definition alone.
    export_columns: Path | None = None

    def form(self, form_id: str) -> FormSpec:
        for spec in self.forms:
            if spec.id == form_id:
                return spec
        raise KeyError(f"Collection {self.slug} has no form {form_id!r}")
