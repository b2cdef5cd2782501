"""Recognising a file made for another form of the collection (a sales log template chosen as lettings logs),
so that it is refused with a message naming the form it is for, instead of being read as the wrong records."""

from __future__ import annotations

from collections.abc import Iterable

from dcp_platform.definitions import Definition

from .flat import match_flat
from .reading import FileRejected
from .table import TableLayout
from .template import year_label


def _template_fields(definition: Definition) -> set[int]:
    return set(definition.template_field_map())


def form_of_template(layout: TableLayout, definition: Definition, others: Iterable[Definition]) -> Definition | None:
    """Another form whose official template the file's field numbers match better than the chosen form's
    (closest set of field numbers; among equally close ones, the chosen form wins)."""
    given = {number for number in layout.field_numbers if number is not None}
    best: tuple[int, Definition] | None = None
    own = len(given ^ _template_fields(definition))
    for other in others:
        fields = _template_fields(other)
        if other.form == definition.form or not fields:
            continue
        distance = len(given ^ fields)
        if distance < own and (best is None or distance < best[0]):
            best = (distance, other)
    return best[1] if best else None


def form_of_flat_file(headers: list[str], definition: Definition, others: Iterable[Definition]) -> Definition | None:
    """Another form whose flat file this is, when it is not the chosen form's (match_flat)."""
    if _is_flat_file_of(headers, definition):
        return None
    return next((other for other in others if other.form != definition.form and _is_flat_file_of(headers, other)), None)


def _is_flat_file_of(headers: list[str], definition: Definition) -> bool:
    try:
        return match_flat(headers, definition) is not None
    except FileRejected:  # a flat file of this form with a mistake in it: still this form's
        return True


def other_form_problem(layout: TableLayout, definition: Definition, others: Iterable[Definition]) -> str | None:
    """The message for a file made for another form, or None."""
    others = list(others)
    found = form_of_template(layout, definition, others) if layout.kind == "template" else \
        form_of_flat_file(layout.headers, definition, others)
    if found is None:
        return None
    kind = "template" if layout.kind == "template" else "file of"
    file_for = f"the {found.title.lower()} {kind}" if kind == "template" else f"a {kind} {found.title.lower()}s"
    return (
        f"This is {file_for}, but you chose to upload {definition.title.lower()}s. "
        f"Choose “{found.title} {year_label(found.year)}” and upload the file again."
    )
