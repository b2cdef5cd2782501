"""Postcode -> local authority: the ONS Postcode Directory loaded by `load_postcodes`, the local adapter, and the
answer inferred through the one write path (web form and API writes, marked as inferred)."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from dcp_core.functions import postcode_la
from dcp_platform.lookups.adapters import LocalPostcodeLookup, postcode_lookup, prepare_lookups
from dcp_platform.lookups.models import Postcode
from dcp_platform.records.services import record_create, record_update
from django.core.management import CommandError, call_command

TODAY = date(2026, 11, 24)


def test_load_postcodes_reads_the_published_csv(postcodes_loaded: Path) -> None:
    held = {p.postcode: (p.local_authority, p.terminated) for p in Postcode.objects.all()}
    # Pseudo-codes (Channel Islands) and rows without a real postcode are skipped; spaces and case normalised.
    assert held == {
        "LS14AP": ("E08000035", None), "LS14AQ": ("E08000035", date(2012, 4, 1)),
        "S701AA": ("E08000016", None), "SW1A1AA": ("E09000033", None),
    }
    out = StringIO()
    newer = postcodes_loaded.parent / "onspd_newer.csv"
    newer.write_text("pcds,doterm,lad25cd\nLS2 7HY,,E08000035\n")
    try:
        call_command("load_postcodes", str(newer), stdout=out)
    finally:
        newer.unlink()
    assert "Loaded 1 postcodes from 1 rows (0 skipped)" in out.getvalue()
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["LS27HY"]  # a load replaces the last


def test_a_file_that_is_not_the_directory_is_refused(db: None, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,council\nLS1 4AP,Leeds\n")
    with pytest.raises(CommandError, match="not an ONS Postcode Directory file"):
        call_command("load_postcodes", str(wrong))
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_postcodes", str(tmp_path / "missing.csv"))


def test_the_local_adapter_finds_what_was_loaded(postcodes_loaded: Path) -> None:
    prepare_lookups()
    lookup = postcode_lookup()
    assert lookup.local_authority("ls1 4ap") == "E08000035"
    assert lookup.local_authority("SW1A1AA") == "E09000033"
    assert lookup.local_authority("LS1 4AZ") is None and lookup.local_authority("") is None
    assert LocalPostcodeLookup().local_authority("LS1 4AP") is None  # not prepared: reads no database


def test_the_year_adjustments_of_the_specification(postcodes_loaded: Path) -> None:
    prepare_lookups()
    assert postcode_la("S70 1AA", 2025) == "E08000038"  # Barnsley's old code is replaced in 2025 only
    assert postcode_la("S70 1AA", 2026) == "E08000016"
    assert postcode_la("S70 1AA", None) == "E08000016"
    assert postcode_la(None, 2026) is None


def test_the_local_authority_is_inferred_through_the_write_path(
    core: Any, postcodes_loaded: Path, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org())
    record = record_create(form="lettings", year=2026, user=user, today=TODAY,
                           answers={"startdate": "2026-10-01", "postcode_full": "LS1 4AP"}).record
    assert record.answers["la"] == "E08000035" and record.derived["is_la_inferred"] is True
    record_update(record=record, user=user, today=TODAY, changes={"postcode_full": "SW1A 1AA"})
    assert record.answers["la"] == "E09000033"
    # A postcode the directory does not hold: the local authority is asked, and what is typed is kept.
    unknown = record_create(form="lettings", year=2026, user=user, today=TODAY,
                            answers={"startdate": "2026-10-01", "postcode_full": "LS1 4AZ", "la": "E08000036"}).record
    assert unknown.answers["la"] == "E08000036" and unknown.derived["is_la_inferred"] is False
    previous = record_create(form="lettings", year=2026, user=user, today=TODAY, answers={
        "startdate": "2026-10-01", "ppcodenk": 0, "ppostcode_full": "S70 1AA"}).record
    assert previous.answers["prevloc"] == "E08000016" and previous.derived["is_previous_la_inferred"] is True
    assert previous.answers["previous_la_known"] == 1


def test_sales_logs_infer_it_too(core: Any, postcodes_loaded: Path, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    record = record_create(form="sales", year=2026, user=user, today=TODAY,
                           answers={"saledate": "2026-10-01", "postcode_full": "LS1 4AP"}).record
    assert record.answers["la"] == "E08000035" and record.derived["is_la_inferred"] is True


def test_the_api_infers_it(core: Any, postcodes_loaded: Path, make_org: Any, make_user: Any, client_for: Any) -> None:
    from dcp_api.keys import api_key_create
    from dcp_platform.cms.models import CollectionWindowPage

    CollectionWindowPage.objects.filter(year=2026).update(submission_deadline=date(2099, 1, 1),
                                                          edits_close=date(2099, 1, 1))
    org = make_org()
    secret = api_key_create(user=make_user(org, role="data_coordinator"), name="Housing system").secret
    response = client_for("core").post(
        "/api/v1/lettings/2026/records", data={"answers": {"startdate": "2026-10-01", "postcode_full": "sw1a1aa"}},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["answers"]["la"] == "E09000033" and body["derived"]["is_la_inferred"] is True
