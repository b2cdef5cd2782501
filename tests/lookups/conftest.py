"""Lookups' tests load their own made files; each test leaves the postcode lookup to read the database again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def postcodes_loaded(db: None) -> Iterator[Path]:
    """The made ONS Postcode Directory file, loaded through the command (its rows are rolled back afterwards)."""
    from dcp_platform.lookups.adapters import forget_loaded_postcodes
    from django.core.management import call_command

    call_command("load_postcodes", str(DATA / "onspd_sample.csv"))
    yield DATA / "onspd_sample.csv"
    forget_loaded_postcodes()
