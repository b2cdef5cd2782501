"""Measures defined by collections: the file format's checks, and the figures SQL computes from records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dcp_platform.playback.measures import (
    MeasuresError,
    measures_for,
    measures_for_collection,
    parse_measures,
)
from dcp_platform.playback.models import CONFIRMED, HOURS_TO_COMPLETE, MONTHS, RECORDS, Figure
from dcp_platform.playback.selectors import frequent_soft_warnings, median_hours_to_complete, monthly_trend
from dcp_platform.playback.services import refresh_changed, refresh_figures
from dcp_platform.records.models import Record
from dcp_platform.registry import all_plugins, definition_for


def make_record(organisation: Any, *, form: str = "lettings", year: int = 2026, status: str = "completed",
                channel: str = "web", answers: dict[str, Any] | None = None,
                derived: dict[str, Any] | None = None) -> Record:
    return Record.objects.create(
        form=form, year=year, status=status, source_channel=channel, answers=answers or {}, derived=derived or {},
        owning_organisation=organisation, managing_organisation=organisation,
    )


def figures(measure: str, *, scope: str = "national", scope_key: str = "", year: int = 2026) -> dict[str, Any]:
    return {f.key: (f.value, f.records) for f in Figure.objects.filter(
        year=year, measure=measure, scope=scope, scope_key=scope_key)}


def test_every_collection_defines_its_own_measures() -> None:
    counts = {slug: sum(len(s.measures) for s in measures_for_collection(slug).values()) for slug in all_plugins()}
    assert counts["core"] >= 10 and counts["hclic"] >= 3
    # A later year without its own file uses the newest earlier one; older imported history the oldest.
    assert measures_for("core", "lettings", 2031) is measures_for("core", "lettings", 2026)
    assert measures_for("core", "lettings", 2020) is measures_for("core", "lettings", 2026)
    assert measures_for("core", "no_such_form", 2026) is None


@pytest.mark.parametrize(("raw", "message"), [
    ({"measures": [{"id": "x", "kind": "median", "of": "no_such"}]}, "no question or derived value 'no_such'"),
    ({"measures": [{"id": "x", "kind": "median", "of": "needstype"}]}, "radios question, not a number"),
    ({"measures": [{"id": "x", "kind": "median"}]}, "needs `of`"),
    ({"measures": [{"id": "x", "kind": "count", "where": {"homeless": [11]}}]}, "does not take `where`"),
    ({"measures": [{"id": "x", "kind": "total"}]}, "kind must be one of"),
    ({"measures": [{"id": "x", "kind": "count"}, {"id": "x", "kind": "count"}]}, "ids are unique"),
    ({"measures": [{"id": "x", "kind": "count", "colour": "red"}]}, "unknown keys"),
    ({"measures": [{"id": "x", "kind": "share", "where": {"homeless": []}}]}, "at least one answer code"),
    ({"measures": []}, "list of `measures`"),
])
def test_a_measures_file_that_names_what_the_definition_lacks_is_refused(raw: dict[str, Any], message: str) -> None:
    definition = definition_for("core", "lettings", 2026)
    with pytest.raises(MeasuresError, match=message):
        parse_measures(raw, definition=definition, source="test.yaml")


def test_a_group_question_is_refused_because_it_is_asked_per_item() -> None:
    definition = definition_for("hclic", "cases", 2026)
    with pytest.raises(MeasuresError, match="asked once per people item"):
        parse_measures({"measures": [{"id": "x", "kind": "mean", "of": "age"}]}, definition=definition, source="t")


def test_core_figures_by_organisation_region_area_and_nationally(core: Any, make_org: Callable[..., Any]) -> None:
    north = make_org(collections=("core",))
    north.region = "E12000001"
    north.save()
    other = make_org(collections=("core",))  # no region: counts nationally only
    rents = [(north, 100, "1", 11, "E08000021"), (north, 120, "1", 1, "E08000021"), (north, 200, "2", 11, "E09000001"),
             (other, 90, "2", 1, "")]
    for organisation, rent, needs, homeless, area in rents:
        make_record(organisation, answers={"needstype": int(needs), "homeless": homeless, "beds": 2, "la": area,
                                           "illness": 3 if rent == 100 else 1},
                    derived={"wrent": f"{rent}.00", "vacdays": rent // 10})
    make_record(north, status="in_progress", answers={"needstype": 1}, derived={"wrent": "999.00"})
    make_record(north, status="completed", channel="upload", answers={}, derived={"wrent": "not a number"})

    refresh_figures(slug="core", form="lettings", year=2026)

    assert figures("lettings_by_needs_type") == {"1": (2.0, 2), "2": (2.0, 2)}  # unanswered and unfinished left out
    assert figures("lettings_by_needs_type", scope="organisation", scope_key=str(north.pk)) == {
        "1": (2.0, 2), "2": (1.0, 1)}
    assert figures("lettings_by_needs_type", scope="region", scope_key="E12000001") == {"1": (2.0, 2), "2": (1.0, 1)}
    assert figures("median_weekly_rent_by_bedrooms") == {"2": (110.0, 4)}
    assert figures("median_weekly_total_charge") == {}  # nobody answered it
    assert figures("average_vacancy_days", scope="organisation", scope_key=str(north.pk)) == {"": (14.0, 3)}
    assert figures("lettings_to_homeless_households") == {"": (50.0, 4)}
    assert figures("lettings_to_homeless_households", scope="area", scope_key="E08000021") == {"": (50.0, 2)}
    assert figures("dont_know_or_refused")["illness"] == (25.0, 4)
    assert figures(RECORDS, scope="organisation", scope_key=str(north.pk)) == {
        "completed:web": (3.0, 3), "in_progress:web": (1.0, 1), "completed:upload": (1.0, 1)}
    assert not Figure.objects.filter(scope="region", scope_key="").exists()


def test_hclic_figures_are_its_own(hclic: Any, make_org: Callable[..., Any]) -> None:
    council = make_org(provider_type="LA", collections=("hclic",))
    for accommodation, duty in [(8, 1), (8, 0), (3, 1)]:
        make_record(council, form="cases", answers={"current_accommodation": accommodation, "prevention_duty": duty})
    refresh_figures(slug="hclic", form="cases", year=2026)
    assert figures("cases_by_accommodation_at_application") == {"8": (2.0, 2), "3": (1.0, 1)}
    assert figures("cases_rough_sleeping_at_application")[""][0] == pytest.approx(200 / 3)
    assert figures("cases_owed_prevention_duty", scope="organisation", scope_key=str(council.pk))[""][0] == (
        pytest.approx(200 / 3))


def test_changed_years_are_refreshed_and_unchanged_ones_left(core: Any, make_org: Callable[..., Any]) -> None:
    organisation = make_org(collections=("core",))
    make_record(organisation, answers={"needstype": 1})
    assert ("lettings", 2026) in refresh_changed(slug="core")
    assert figures("lettings_by_needs_type")["1"][0] >= 1
    before = figures("lettings_by_needs_type")["1"][0]
    make_record(organisation, year=2025, answers={"needstype": 1})  # imported history: the oldest file's measures
    changed = refresh_changed(slug="core")
    assert ("lettings", 2025) in changed
    assert figures("lettings_by_needs_type", year=2025)["1"][0] >= 1
    assert figures("lettings_by_needs_type")["1"][0] == before


def test_months_time_to_complete_and_confirmed_warnings_are_stored_figures(
    core: Any, make_org: Callable[..., Any]
) -> None:
    organisation = make_org(collections=("core",))
    saved = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    made = [
        # (record date, status, hours from first save to last, confirmed soft warnings)
        (date(2026, 4, 10), "completed", 2, {"rent_high": "t", "vacdays_long.0": "t"}),
        (date(2026, 4, 20), "completed", 4, {"rent_high": "t"}),
        (date(2026, 5, 2), "in_progress", 50, {"rent_high": "t"}),
        (date(2026, 5, 3), "completed", 30, {}),
        (None, "completed", 1000, {}),  # no date: in no month, but completed all the same
    ]
    for record_date, status, hours, confirmations in made:
        record = make_record(organisation, status=status)
        Record.objects.filter(pk=record.pk).update(
            record_date=record_date, confirmations=confirmations, created_at=saved,
            updated_at=saved + timedelta(hours=hours))
    refresh_figures(slug="core", form="lettings", year=2026)
    mine = {"scope": "organisation", "scope_key": str(organisation.pk)}
    assert figures(MONTHS, **mine) == {
        "2026-04:all": (2.0, 2), "2026-04:completed": (2.0, 2), "2026-05:all": (2.0, 2),
        "2026-05:completed": (1.0, 1)}
    assert figures(HOURS_TO_COMPLETE, **mine) == {"": (17.0, 4)}  # median of 2, 4, 30 and 1,000
    assert figures(CONFIRMED, **mine) == {"rent_high": (3.0, 3), "vacdays_long.0": (1.0, 1)}

    assert monthly_trend(organisation=organisation, form="lettings", year=2026) == [
        (date(2026, 4, 1), 2, 2), (date(2026, 5, 1), 2, 1)]
    assert median_hours_to_complete(organisation=organisation, form="lettings", year=2026) == 17.0
    # Keys that name no rule of the definition are shown as they are, most confirmed first.
    assert frequent_soft_warnings(organisation=organisation, form="lettings", year=2026, slug="core") == [
        ("rent_high", 3), ("vacdays_long", 1)]
