"""Recognising the bulk-upload template of a collection year from its header block.

A template is accepted when its field numbers are the definition's `template_fields` (in any column order).
A file whose field numbers or year markers belong to another year is told which year it seems to be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dcp_platform.definitions import Definition

from .reading import FileRejected
from .table import TableLayout

# The template's "Values" row shows a year field's range as two-digit years, e.g. "26 - 27".
_YEAR_RANGE_RE = re.compile(r"^\s*(\d{2})\s*[-–]\s*(\d{2})\s*$")


@dataclass(frozen=True)
class TemplateMatch:
    columns: dict[int, int]  # column index -> field number


def _years_in_values_row(layout: TableLayout) -> set[int]:
    years: set[int] = set()
    for label, row in layout.labelled_rows.items():
        if not label.startswith("values"):
            continue
        for cell in row[1:]:
            match = _YEAR_RANGE_RE.match(cell or "")
            if match and int(match[2]) == int(match[1]) + 1:
                years.add(2000 + int(match[1]))
    return years


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


def match_template(
    layout: TableLayout, definition: Definition, other_years: dict[int, Definition] | None = None
) -> TemplateMatch:
    """Columns of a template file matched by field number, or FileRejected naming the problem."""
    expected = set(definition.template_field_map())
    columns = {index: number for index, number in enumerate(layout.field_numbers) if number is not None}
    given = set(columns.values())
    marked_years = _years_in_values_row(layout) - {definition.year}
    for year, other in sorted((other_years or {}).items()):
        if year != definition.year and set(other.template_field_map()) == given and given != expected:
            marked_years.add(year)
    wanted = year_label(definition.year)
    if marked_years:
        found = ", ".join(year_label(y) for y in sorted(marked_years))
        raise FileRejected(
            f"This is the template for {found}, not {wanted}. Download the {wanted} template and copy your data into it."
        )
    unknown = sorted(given - expected)
    if unknown:
        raise FileRejected(
            f"The template has field numbers the {wanted} template does not have ({', '.join(map(str, unknown[:5]))}). "
            f"It may be from another collection year: use the {wanted} template."
        )
    missing = sorted(expected - given)
    if len(missing) > len(expected) // 2:
        raise FileRejected(f"The template is missing most of the {wanted} fields. Use the {wanted} template.")
    return TemplateMatch(columns)
