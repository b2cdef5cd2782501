"""H-CLIC's side of the collection contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dcp_platform.registry import CollectionPlugin, FormSpec, WindowSpec


def _quarter(year: int, number: int, start: date, end: date, deadline: date) -> WindowSpec:
    return WindowSpec(
        year=year,
        label=f"Quarter {number} {year} to {year + 1}",
        period_start=start,
        period_end=end,
        opens=start,
        submission_deadline=deadline,
        edits_close=deadline,
    )


COLLECTION = CollectionPlugin(
    slug="hclic",
    title="H-CLIC: homelessness case records",
    description="Homelessness case level information from local authorities, every quarter.",
    forms=(FormSpec(id="cases", title="Homelessness case", record_name="case"),),
    definitions_dir=Path(__file__).parent / "definitions",
    eligible_provider_types=frozenset({"LA"}),
    default_windows=(
        _quarter(2026, 1, date(2026, 4, 1), date(2026, 6, 30), date(2026, 8, 31)),
        _quarter(2026, 2, date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 30)),
        _quarter(2026, 3, date(2026, 10, 1), date(2026, 12, 31), date(2027, 2, 28)),
        _quarter(2026, 4, date(2027, 1, 1), date(2027, 3, 31), date(2027, 5, 31)),
    ),
)
