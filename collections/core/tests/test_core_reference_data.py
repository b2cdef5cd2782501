"""CORE's reference tables are read when its definitions are loaded, not at the first record that needs them."""

from __future__ import annotations

from dcp_core import reference_data
from dcp_core.plugin import COLLECTION
from dcp_platform.registry.registry import definitions_for

TABLES = (reference_data.local_authorities, reference_data.local_authority_links, reference_data.rent_ranges)


def test_loading_the_definitions_reads_every_reference_table() -> None:
    for table in TABLES:
        table.cache_clear()
    definitions_for.__wrapped__(COLLECTION.slug)  # type: ignore[attr-defined]  # loads again, past the cache
    assert reference_data.rent_range_years() == [2026]
    assert reference_data.rent_ranges.cache_info().currsize == len(reference_data.rent_range_years())
    assert reference_data.local_authorities.cache_info().currsize == 1
    assert reference_data.local_authority_links.cache_info().currsize == 1
    assert reference_data.rent_range(2026, 1, "E08000035", 2) is not None
