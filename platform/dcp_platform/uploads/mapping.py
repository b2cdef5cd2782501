"""From a file and a definition to column mappings (template by field number, or the automatic proposal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dcp_platform.definitions import Definition
from dcp_platform.registry import get_plugin

from .automap import AutoMapper
from .learned import LearnedMappings
from .table import data_rows, read_layout
from .template import match_template
from .vocabulary import ColumnVocabulary, load_column_vocabulary


def vocabulary_for(definition: Definition) -> ColumnVocabulary:
    """The collection's words for its questions, from its plugin (none for a definition of no installed plugin)."""
    try:
        plugin = get_plugin(definition.collection)
    except LookupError:
        return ColumnVocabulary()
    return load_column_vocabulary(plugin.column_vocabulary)


def _mapper(definition: Definition) -> AutoMapper:
    cached = getattr(definition, "_upload_automapper", None)
    if cached is None:
        cached = AutoMapper(definition, vocabulary_for(definition))
        definition._upload_automapper = cached  # type: ignore[attr-defined]  # built once per definition
    return cached


def mapper_for(definition: Definition) -> AutoMapper:
    return _mapper(definition)


def propose_for_file(
    definition: Definition, path: Path, filename: str | None = None, learned: LearnedMappings | None = None
) -> list[dict[str, Any]]:
    layout = read_layout(path, filename)
    if layout.kind == "template":
        match = match_template(layout, definition)
        return [
            {"column": layout.headers[index], "fields": [match.columns[index]] if index in match.columns else [],
             "score": 1.0 if index in match.columns else 0.0}
            for index in range(layout.first_column, len(layout.headers))
        ]
    rows = (cells for _, cells in data_rows(path, layout, filename))
    return [proposal.as_json() for proposal in _mapper(definition).propose(layout.headers, rows, learned)]
