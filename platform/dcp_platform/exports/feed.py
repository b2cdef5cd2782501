"""The analysts' feed: every collection year's records written, as CSV and Parquet, to the configured storage.

Replaces the old service's nightly XML push. Run by Celery beat (`exports.write_feeds`); each collection year's
files are the department's download in codes (`<collection>/<form>-<year>.csv`) and its Parquet
(`<collection>/<form>-<year>.parquet`), replaced whole each time (written to a temporary file first).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

from dcp_platform.exports.columns import DEPARTMENT, build_layout, layout_names
from dcp_platform.exports.parquet import write_parquet
from dcp_platform.exports.selectors import record_rows
from dcp_platform.exports.writing import CODES, csv_chunks
from dcp_platform.records.models import Record
from dcp_platform.registry import definitions_for, get_plugin

FEED_STORAGE = "default"


def feed_storage() -> Storage:
    return storages[getattr(settings, "DCP_EXPORT_FEED_STORAGE", FEED_STORAGE)]


def write_feed(collection_slug: str) -> list[str]:
    """Writes every form and year of the current collection (the caller sets the schema); returns the names."""
    plugin = get_plugin(collection_slug)
    storage = feed_storage()
    written = []
    for (form, year), definition in sorted(definitions_for(collection_slug).items()):
        names = layout_names(definition, plugin.export_columns)
        layout = build_layout(definition, plugin.export_columns, DEPARTMENT if DEPARTMENT in names else names[0])
        records = Record.objects.filter(form=form, year=year, visible=True).order_by("id")
        stem = f"{getattr(settings, 'DCP_EXPORT_FEED_PREFIX', 'feeds')}/{collection_slug}/{form}-{year}"
        with tempfile.TemporaryDirectory() as folder:
            csv_path, parquet_path = Path(folder) / "feed.csv", Path(folder) / "feed.parquet"
            with csv_path.open("wb") as handle:
                for chunk in csv_chunks(layout, CODES, record_rows(records)):
                    handle.write(chunk.encode("utf-8"))
            with parquet_path.open("wb") as handle:
                write_parquet(layout, record_rows(records), handle)
            for path, name in ((csv_path, f"{stem}.csv"), (parquet_path, f"{stem}.parquet")):
                if storage.exists(name):
                    storage.delete(name)
                with path.open("rb") as handle:
                    written.append(storage.save(name, File(handle)))
    return written
