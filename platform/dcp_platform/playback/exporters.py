"""Tables of figures, and what is made from them: a CSV download and a server-rendered SVG bar chart.

Every chart is drawn from the table shown beside it, so the two can never disagree. Charts are plain SVG with a
title and description (role="img"), GOV.UK colours with at least 3:1 contrast against white, and need no
JavaScript; the table is the accessible version of the same figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK blue and dark grey: both at least 3:1 against the white background (WCAG 1.4.11).
SERIES_COLOURS = ("#1d70b8", "#505a5f")
_LABEL_WIDTH = 260
_BAR_AREA = 300
_ROW_HEIGHT = 26
_BAR_HEIGHT = 10


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "No figure"
    if unit == "money":
        return f"£{value:,.2f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in ("days", "hours"):
        return f"{value:,.1f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass
class Table:
    """A captioned table: the first column names each row; `chart` names the numeric columns drawn as bars."""

    id: str
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)  # raw values (numbers stay numbers for the CSV)
    units: list[str] = field(default_factory=list)  # per column: "" (text) or a unit for format_value
    chart: list[int] = field(default_factory=list)  # column numbers drawn as bar series (at most two)
    note: str = ""

    def add(self, *cells: Any) -> None:
        self.rows.append(list(cells))

    def text_rows(self) -> list[list[str]]:
        units = self.units or [""] * len(self.headers)
        return [[format_value(cell, units[n]) if units[n] and not isinstance(cell, str) else str(cell)
                 for n, cell in enumerate(row)] for row in self.rows]

    def svg(self) -> SafeString:
        return bar_chart(self)


def bar_chart(table: Table) -> SafeString:
    """Horizontal bars, one group per row, one bar per charted column; empty when there is nothing to draw."""
    series = table.chart[:2]
    if not series or not table.rows:
        return mark_safe("")  # noqa: S308 - a constant empty string
    numbers = [row[c] for row in table.rows for c in series if isinstance(row[c], int | float)]
    top = max(numbers, default=0) or 1
    units = table.units or [""] * len(table.headers)
    group = _ROW_HEIGHT + (_BAR_HEIGHT + 2) * (len(series) - 1)
    legend = 22 if len(series) > 1 else 0
    height = legend + group * len(table.rows) + 6
    width = _LABEL_WIDTH + _BAR_AREA + 90
    title_id, desc_id = f"{table.id}-chart-title", f"{table.id}-chart-desc"
    parts = [
        f'<svg class="dcp-chart" role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{title_id}">{escape(table.caption)}</title>',
        f'<desc id="{desc_id}">Bar chart of {escape(", ".join(table.headers[c] for c in series))}; '
        "the table below has the same figures.</desc>",
    ]
    if legend:
        x = _LABEL_WIDTH
        for n, column in enumerate(series):
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SERIES_COLOURS[n]}"/>'
                         f'<text x="{x + 18}" y="15" class="dcp-chart__legend">{escape(table.headers[column])}</text>')
            x += 30 + 8 * len(table.headers[column])
    for index, row in enumerate(table.rows):
        y = legend + index * group
        label = str(row[0])
        short = label if len(label) <= 40 else label[:38] + "…"
        parts.append(f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="dcp-chart__label">'
                     f"{escape(short)}</text>")
        for n, column in enumerate(series):
            value = row[column]
            bar_y = y + 6 + n * (_BAR_HEIGHT + 2)
            if isinstance(value, int | float):
                bar = max(1.0, _BAR_AREA * float(value) / top) if value else 0.0
                parts.append(f'<rect x="{_LABEL_WIDTH}" y="{bar_y}" width="{bar:.1f}" height="{_BAR_HEIGHT}" '
                             f'fill="{SERIES_COLOURS[n]}"/>')
                text = format_value(float(value), units[column] or "number")
                parts.append(f'<text x="{_LABEL_WIDTH + bar + 6:.1f}" y="{bar_y + 9}" class="dcp-chart__value">'
                             f"{escape(text)}</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
