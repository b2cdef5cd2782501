"""check_window: the one server-side rule every channel (web form, upload, API) asks before saving a record.

Windows are Wagtail content, so the tests create window pages the way an editor would (published or not),
in a year no seeded window uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dcp_platform.cms.models import CollectionWindowIndexPage, CollectionWindowPage
from dcp_platform.cms.windows import check_window, forget_windows
from django.core.exceptions import ValidationError

YEAR = 2031  # no plugin seeds windows this far ahead
DAY = timedelta(days=1)

# An annual window like CORE's: records dated April to March, deadline in June, edits until July.
ANNUAL = {
    "period_start": date(2031, 4, 1),
    "period_end": date(2032, 3, 31),
    "opens": date(2031, 4, 1),
    "submission_deadline": date(2032, 6, 4),
    "edits_close": date(2032, 7, 31),
}


@pytest.fixture(autouse=True, params=[0, 30], ids=["no-cache", "cached"])
def window_cache(request: pytest.FixtureRequest, settings: Any) -> Any:
    """Every test runs with and without the per-process copy of window dates: the decisions must not differ."""
    settings.DCP_WINDOW_CACHE_SECONDS = request.param
    forget_windows()
    yield request.param
    forget_windows()


def add_window(title: str, *, year: int = YEAR, publish: bool = True, **dates: date) -> CollectionWindowPage:
    index = CollectionWindowIndexPage.objects.get()
    window = CollectionWindowPage(title=title, slug=title.lower().replace(" ", "-"), year=year, live=publish, **dates)
    index.add_child(instance=window)
    revision = window.save_revision()
    if publish:
        revision.publish()
    return window


def quarter(number: int, start: date, end: date, deadline: date) -> dict[str, Any]:
    """H-CLIC style: each quarter opens when it starts and closes, for new records and changes, at its deadline."""
    return {
        "title": f"Quarter {number} {YEAR} to {YEAR + 1}",
        "period_start": start,
        "period_end": end,
        "opens": start,
        "submission_deadline": deadline,
        "edits_close": deadline,
    }


QUARTERS = [
    quarter(1, date(2031, 4, 1), date(2031, 6, 30), date(2031, 8, 31)),
    quarter(2, date(2031, 7, 1), date(2031, 9, 30), date(2031, 11, 30)),
    quarter(3, date(2031, 10, 1), date(2031, 12, 31), date(2032, 2, 29)),
    quarter(4, date(2032, 1, 1), date(2032, 3, 31), date(2032, 5, 31)),
]


@pytest.fixture
def annual(core: Any) -> CollectionWindowPage:
    return add_window("Annual window", **ANNUAL)


@pytest.fixture
def quarters(hclic: Any) -> list[CollectionWindowPage]:
    return [add_window(**spec) for spec in QUARTERS]


# No window --------------------------------------------------------------------------------------------------


def test_a_year_without_any_window_is_closed(core: Any) -> None:
    decision = check_window(year=YEAR, record_date=date(2031, 5, 1), action="create", today=date(2031, 5, 1))
    assert not decision.allowed
    assert "2031 to 2032" in decision.message
    assert "no collection window" in decision.message


# Annual window: opening, deadline, edits close ---------------------------------------------------------------


def test_before_opening_nothing_can_be_created(annual: CollectionWindowPage) -> None:
    decision = check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=ANNUAL["opens"] - DAY)
    assert not decision.allowed
    assert decision.message == "Annual window opens on 1 April 2031. You cannot send records for it yet."
    assert decision.window_label == "Annual window"


def test_before_opening_nothing_can_be_edited(annual: CollectionWindowPage) -> None:
    decision = check_window(year=YEAR, record_date=date(2031, 4, 10), action="edit", today=ANNUAL["opens"] - DAY)
    assert not decision.allowed
    assert "opens on 1 April 2031" in decision.message


def test_opening_day_and_deadline_day_are_inside_the_window(annual: CollectionWindowPage) -> None:
    for today in (ANNUAL["opens"], ANNUAL["submission_deadline"]):
        decision = check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=today)
        assert decision.allowed, today
        assert decision.window_label == "Annual window"


def test_after_the_deadline_new_records_are_refused(annual: CollectionWindowPage) -> None:
    decision = check_window(
        year=YEAR, record_date=date(2031, 4, 10), action="create", today=ANNUAL["submission_deadline"] + DAY
    )
    assert not decision.allowed
    assert decision.message == "The deadline for new records in Annual window was 4 June 2032."


def test_after_the_deadline_existing_records_can_still_be_changed(annual: CollectionWindowPage) -> None:
    decision = check_window(
        year=YEAR, record_date=date(2031, 4, 10), action="edit", today=ANNUAL["submission_deadline"] + DAY
    )
    assert decision.allowed


def test_edits_close_day_is_the_last_day_for_changes(annual: CollectionWindowPage) -> None:
    last = check_window(year=YEAR, record_date=date(2031, 4, 10), action="edit", today=ANNUAL["edits_close"])
    after = check_window(year=YEAR, record_date=date(2031, 4, 10), action="edit", today=ANNUAL["edits_close"] + DAY)
    assert last.allowed
    assert not after.allowed
    assert after.message == "Annual window closed for changes on 31 July 2032."


# Record dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("record_date", [ANNUAL["period_start"], ANNUAL["period_end"]])
def test_first_and_last_day_of_the_period_belong_to_the_window(
    annual: CollectionWindowPage, record_date: date
) -> None:
    assert check_window(year=YEAR, record_date=record_date, action="create", today=date(2031, 6, 1)).allowed


@pytest.mark.parametrize("record_date", [ANNUAL["period_start"] - DAY, ANNUAL["period_end"] + DAY])
def test_a_record_date_outside_every_window_is_refused(annual: CollectionWindowPage, record_date: date) -> None:
    decision = check_window(year=YEAR, record_date=record_date, action="create", today=date(2031, 6, 1))
    assert not decision.allowed
    assert decision.message == f"The date {record_date.day} {record_date:%B %Y} is outside the 2031 to 2032 collection year."


def test_a_record_without_a_date_yet_needs_any_open_window(annual: CollectionWindowPage) -> None:
    assert check_window(year=YEAR, record_date=None, action="create", today=date(2031, 6, 1)).allowed
    assert not check_window(year=YEAR, record_date=None, action="create", today=date(2031, 3, 1)).allowed


def test_a_window_of_another_year_does_not_count(annual: CollectionWindowPage) -> None:
    decision = check_window(year=YEAR + 1, record_date=date(2031, 4, 10), action="create", today=date(2031, 6, 1))
    assert not decision.allowed


# Quarterly windows (H-CLIC) --------------------------------------------------------------------------------


def test_each_quarter_has_its_own_deadline(quarters: list[CollectionWindowPage]) -> None:
    today = date(2031, 9, 1)  # the day after quarter 1's deadline; quarter 2 is open
    q1 = check_window(year=YEAR, record_date=date(2031, 5, 15), action="create", today=today)
    q2 = check_window(year=YEAR, record_date=date(2031, 8, 15), action="create", today=today)
    assert not q1.allowed
    assert q1.message == "The deadline for new records in Quarter 1 2031 to 2032 was 31 August 2031."
    assert q2.allowed
    assert q2.window_label == "Quarter 2 2031 to 2032"


def test_a_quarter_that_has_not_started_is_not_open(quarters: list[CollectionWindowPage]) -> None:
    decision = check_window(year=YEAR, record_date=date(2031, 10, 5), action="create", today=date(2031, 9, 1))
    assert not decision.allowed
    assert decision.message == "Quarter 3 2031 to 2032 opens on 1 October 2031. You cannot send records for it yet."


def test_quarterly_edits_close_with_the_quarter(quarters: list[CollectionWindowPage]) -> None:
    in_q1 = date(2031, 5, 15)
    assert check_window(year=YEAR, record_date=in_q1, action="edit", today=date(2031, 8, 31)).allowed
    decision = check_window(year=YEAR, record_date=in_q1, action="edit", today=date(2031, 9, 1))
    assert not decision.allowed
    assert decision.message == "Quarter 1 2031 to 2032 closed for changes on 31 August 2031."


def test_overlapping_quarters_use_the_one_that_holds_the_record_date(quarters: list[CollectionWindowPage]) -> None:
    # On 15 August both quarter 1 (until its deadline) and quarter 2 accept records: the date decides.
    today = date(2031, 8, 15)
    assert check_window(year=YEAR, record_date=date(2031, 6, 30), action="create", today=today).window_label == (
        "Quarter 1 2031 to 2032"
    )
    assert check_window(year=YEAR, record_date=date(2031, 7, 1), action="create", today=today).window_label == (
        "Quarter 2 2031 to 2032"
    )


def test_without_a_record_date_the_most_recently_closed_quarter_is_named(
    quarters: list[CollectionWindowPage],
) -> None:
    decision = check_window(year=YEAR, record_date=None, action="create", today=date(2032, 6, 1))
    assert not decision.allowed
    assert decision.window_label == "Quarter 4 2031 to 2032"


# Content states: unpublished windows, drafts, other collections -----------------------------------------------


def test_an_unpublished_window_is_ignored(core: Any) -> None:
    add_window("Draft window", publish=False, **ANNUAL)
    decision = check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=date(2031, 6, 1))
    assert not decision.allowed
    assert "no collection window" in decision.message


def test_an_unpublished_change_to_a_window_has_no_effect_until_published(annual: CollectionWindowPage) -> None:
    day_after_deadline = ANNUAL["submission_deadline"] + DAY
    window = CollectionWindowPage.objects.get(pk=annual.pk)
    window.submission_deadline = day_after_deadline + 30 * DAY
    window.edits_close = day_after_deadline + 60 * DAY
    revision = window.save_revision()  # a draft: the live window keeps its dates
    assert not check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=day_after_deadline).allowed
    revision.publish()
    assert check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=day_after_deadline).allowed


def test_an_unpublished_window_that_was_live_stops_counting(annual: CollectionWindowPage) -> None:
    CollectionWindowPage.objects.get(pk=annual.pk).unpublish()
    assert not check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=date(2031, 6, 1)).allowed


def test_windows_belong_to_their_collection(annual: CollectionWindowPage) -> None:
    from django_tenants.utils import schema_context

    with schema_context("hclic"):
        decision = check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=date(2031, 6, 1))
    assert not decision.allowed


def test_the_seeded_hclic_quarters_are_enforced(hclic: Any) -> None:
    # The plugin's default windows become content when the collection is created.
    assert CollectionWindowPage.objects.live().filter(year=2026).count() == 4
    assert check_window(year=2026, record_date=date(2026, 5, 1), action="create", today=date(2026, 8, 31)).allowed
    assert not check_window(year=2026, record_date=date(2026, 5, 1), action="create", today=date(2026, 9, 1)).allowed


def test_kept_window_dates_are_read_again_after_a_change_without_signals(annual: CollectionWindowPage,
                                                                         window_cache: int) -> None:
    """A bulk update sends no signal: the process keeps its copy until it expires or is forgotten."""
    day_after_deadline = ANNUAL["submission_deadline"] + DAY
    assert not check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=day_after_deadline).allowed
    CollectionWindowPage.objects.filter(pk=annual.pk).update(submission_deadline=day_after_deadline)
    seen = check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=day_after_deadline).allowed
    assert seen is (window_cache == 0)
    forget_windows()
    assert check_window(year=YEAR, record_date=date(2031, 4, 10), action="create", today=day_after_deadline).allowed


# Page validation (clean) ---------------------------------------------------------------------------------------


def unsaved_window(**changes: Any) -> CollectionWindowPage:
    fields: dict[str, Any] = {"title": "Window", "slug": "window", "year": YEAR, **ANNUAL, **changes}
    return CollectionWindowPage(**fields)


def errors_of(window: CollectionWindowPage) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        window.clean()
    return raised.value.message_dict


def test_valid_dates_pass(core: Any) -> None:
    unsaved_window().clean()


def test_the_period_must_end_after_it_starts(core: Any) -> None:
    errors = errors_of(unsaved_window(period_end=ANNUAL["period_start"] - DAY))
    assert list(errors) == ["period_end"]


def test_the_deadline_must_be_after_the_window_opens(core: Any) -> None:
    errors = errors_of(unsaved_window(submission_deadline=ANNUAL["opens"] - DAY))
    assert list(errors) == ["submission_deadline"]


def test_edits_cannot_close_before_the_deadline(core: Any) -> None:
    errors = errors_of(unsaved_window(edits_close=ANNUAL["submission_deadline"] - DAY))
    assert list(errors) == ["edits_close"]


def test_windows_of_the_same_year_cannot_overlap(annual: CollectionWindowPage) -> None:
    errors = errors_of(unsaved_window(period_start=date(2032, 3, 31), period_end=date(2032, 4, 30)))
    assert list(errors) == ["period_start"]
    assert "Annual window" in errors["period_start"][0]


def test_a_window_does_not_overlap_itself_or_other_years(annual: CollectionWindowPage) -> None:
    CollectionWindowPage.objects.get(pk=annual.pk).clean()
    unsaved_window(year=YEAR + 1).clean()


def test_the_editor_form_shows_the_date_error(annual: CollectionWindowPage) -> None:
    # The Wagtail edit form runs the model's clean, so an editor sees the message instead of a broken window.
    form_class = CollectionWindowPage.get_edit_handler().get_form_class()
    page = CollectionWindowPage.objects.get(pk=annual.pk)
    data = {
        "title": page.title, "slug": page.slug, "year": str(YEAR),
        "period_start": "2031-04-01", "period_end": "2032-03-31", "opens": "2031-04-01",
        "submission_deadline": "2031-03-01", "edits_close": "2032-07-31",
    }
    form = form_class(data, instance=page, parent_page=page.get_parent(), for_user=None)
    assert not form.is_valid()
    assert "submission_deadline" in form.errors
