"""CORE's side of the collection contract: what the platform needs to know about this collection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dcp_platform.registry import CollectionPlugin, FormSpec, WindowSpec

from dcp_core import reference_data
from dcp_core.codecs import CODECS
from dcp_core.functions import EXPRESSION_FUNCTIONS, OPTION_SOURCES

COLLECTION = CollectionPlugin(
    slug="core",
    title="CORE: social housing lettings and sales",
    description="Continuous Recording of social housing lettings and sales in England.",
    forms=(
        FormSpec(id="lettings", title="Lettings log", record_name="lettings log"),
        FormSpec(id="sales", title="Sales log", record_name="sales log"),
    ),
    definitions_dir=Path(__file__).parent / "definitions",
    functions=EXPRESSION_FUNCTIONS,
    option_sources=OPTION_SOURCES,
    codecs=CODECS,
    load_reference_data=reference_data.load_all,
    column_vocabulary=Path(__file__).parent / "column_vocabulary.yaml",
    export_columns=Path(__file__).parent / "exports",
    default_windows=(
        WindowSpec(
            year=2026,
            label="2026 to 2027 lettings and sales",
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
            opens=date(2026, 4, 1),
            submission_deadline=date(2027, 6, 4),
            edits_close=date(2027, 7, 31),
        ),
    ),
)
