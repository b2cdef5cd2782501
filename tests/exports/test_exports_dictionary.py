"""The data dictionary: generated from the definition, one entry per download column, as a page, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from dcp_platform.exports.columns import DEPARTMENT, build_layout
from dcp_platform.exports.dictionary import dictionary_csv, dictionary_entries
from dcp_platform.registry import definition_for, get_plugin


def test_entries_follow_the_download_and_say_when_each_is_asked() -> None:
    layout = build_layout(definition_for("core", "lettings", 2026), get_plugin("core").export_columns, DEPARTMENT)
    entries = {entry["variable"]: entry for entry in dictionary_entries(layout, {"period": "To work out rent."})}
    assert len(entries) == len(layout.columns) and entries["id"]["position"] == 1
    period = entries["period"]
    assert period["question"] == "How often does the household pay rent and other charges?"
    assert {"code": 1, "label": "Weekly for 52 weeks"} in period["answers"]
    assert period["why_we_ask"] == "To work out rent." and period["template_fields"]
    assert entries["renttype"]["formula"] and entries["renttype"]["asked_when"].startswith("Worked out")
    assert "is" in entries["age2"]["asked_when"]  # a condition in words
    rows = list(csv.DictReader(io.StringIO(dictionary_csv(layout).removeprefix("\ufeff"))))
    assert [r["variable"] for r in rows] == layout.headers


def test_the_public_pages(core: Any, client_for: Any) -> None:
    client = client_for("core")
    page = client.get("/data-dictionary/lettings/2026/")
    assert page.status_code == 200 and b"Data dictionary: Lettings log, 2026 to 2027" in page.content
    data = json.loads(client.get("/data-dictionary/sales/2026/", {"format": "json"}).content)
    assert data["form"] == "sales" and data["variables"][0]["variable"] == "ID"
    provider = json.loads(client.get("/data-dictionary/sales/2026/",
                                     {"format": "json", "columns": "provider"}).content)
    assert provider["variables"][0]["variable"] == "id"
    assert client.get("/data-dictionary/lettings/1999/").status_code == 404
    index = client.get("/data-dictionary/")
    assert index.status_code == 200 and b'href="/data-dictionary/sales/2026/"' in index.content
