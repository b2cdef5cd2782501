"""Parquet with typed columns, and the nightly feed of every collection year to storage."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from dcp_platform.exports.columns import DEPARTMENT, build_layout
from dcp_platform.exports.convert import ReadRow, evaluate
from dcp_platform.exports.parquet import write_parquet
from dcp_platform.exports.tasks import write_feeds_task
from dcp_platform.records.services import NewRecord, records_create_many
from dcp_platform.registry import definition_for, get_plugin
from django.core.files.storage import default_storage


def test_parquet_columns_are_typed_with_labels_alongside() -> None:
    definition = definition_for("core", "lettings", 2026)
    layout = build_layout(definition, get_plugin("core").export_columns, DEPARTMENT)
    row = evaluate(definition, ReadRow(1, {"period": 1, "startdate": "2026-05-04", "brent": "87.50", "hhmemb": 2}))
    buffer = io.BytesIO()
    assert write_parquet(layout, [row, row], buffer) == 2
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    assert table.schema.field("startdate").type == pa.date32()
    assert table.schema.field("period").type == pa.int64()
    assert table.schema.field("hhmemb").type == pa.int64()
    first = table.slice(0, 1).to_pylist()[0]
    assert first["startdate"] == date(2026, 5, 4) and first["period"] == 1
    assert first["period_label"] == "Weekly for 52 weeks" and first["brent"] == Decimal("87.50")
    assert table.num_rows == 2


def test_the_feed_writes_every_collection_years_csv_and_parquet(
    core: Any, make_org: Any, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    org = make_org()
    support = make_user(None, role="support")
    records_create_many(form="lettings", year=2026, user=support, channel="system", historical=True,
                        new_records=[NewRecord({"owning_organisation_id": org.code, "tenancycode": "F1"}, {})])
    written = write_feeds_task()
    assert "feeds/core/lettings-2026.parquet" in written and "feeds/core/sales-2026.csv" in written
    assert any(name.startswith("feeds/hclic/") for name in written)
    with default_storage.open("feeds/core/lettings-2026.parquet") as handle:
        table = pq.read_table(io.BytesIO(handle.read()))
    assert "F1" in table.column("tenancycode").to_pylist()
    assert write_feeds_task() == written  # replaced, not added beside
