"""Collection windows: may a record dated D be created or changed today? Used by every channel.

Every write asks, so each process keeps a collection's window dates for a few seconds
(`DCP_WINDOW_CACHE_SECONDS`, default 30): an edit in the CMS applies everywhere within that time (at once in
the process that published it). The decision itself is always made against today's date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dcp_platform.cms.models import CollectionWindowPage

Action = Literal["create", "edit"]


@dataclass(frozen=True)
class WindowDecision:
    allowed: bool
    message: str = ""
    window_label: str = ""


def _fmt(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class WindowDates:
    """What a decision needs from a live window page."""

    title: str
    period_start: date
    period_end: date
    opens: date
    submission_deadline: date
    edits_close: date


# (schema, year) -> (monotonic time read, the year's live windows in period order)
_windows_read: dict[tuple[str, int], tuple[float, tuple[WindowDates, ...]]] = {}


def forget_windows() -> None:
    """Drop this process's copy of the window dates (a window page was published, unpublished or deleted)."""
    _windows_read.clear()


def live_windows(year: int) -> tuple[WindowDates, ...]:
    """The current collection's live windows for a year, oldest period first."""
    ttl = float(getattr(settings, "DCP_WINDOW_CACHE_SECONDS", 30))
    key = (str(connection.schema_name), year)  # type: ignore[attr-defined]
    cached = _windows_read.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < ttl:
        return cached[1]
    windows = tuple(
        WindowDates(w.title, w.period_start, w.period_end, w.opens, w.submission_deadline, w.edits_close)
        for w in CollectionWindowPage.objects.live().filter(year=year).order_by("period_start")
    )
    if ttl > 0:
        _windows_read[key] = (now, windows)
    return windows


def check_window(*, year: int, record_date: date | None, action: Action, today: date | None = None) -> WindowDecision:
    """Refuse creating or editing a record outside its collection window, with a message that says why."""
    today = today or timezone.localdate()
    windows = list(live_windows(year))
    if not windows:
        return WindowDecision(False, f"The {year} to {year + 1} collection is not open: it has no collection window.")
    if record_date is not None:
        windows = [w for w in windows if w.period_start <= record_date <= w.period_end]
        if not windows:
            return WindowDecision(
                False,
                f"The date {_fmt(record_date)} is outside the {year} to {year + 1} collection year.",
            )
    # Without a date yet (a new web record), any window of the year that is open will do.
    for window in windows:
        if window.opens <= today <= _last_day(window, action):
            return WindowDecision(True, window_label=window.title)
    return _refusal(windows, action=action, today=today)


def _last_day(window: WindowDates, action: Action) -> date:
    return window.submission_deadline if action == "create" else window.edits_close


def _refusal(windows: list[WindowDates], *, action: Action, today: date) -> WindowDecision:
    """Say why: the next window to open if there is one, otherwise the one that closed most recently."""
    upcoming = [w for w in windows if today < w.opens]
    if upcoming:
        window = min(upcoming, key=lambda w: w.opens)
        return WindowDecision(
            False, f"{window.title} opens on {_fmt(window.opens)}. You cannot send records for it yet.", window.title
        )
    window = max(windows, key=lambda w: _last_day(w, action))
    if action == "create":
        return WindowDecision(
            False,
            f"The deadline for new records in {window.title} was {_fmt(window.submission_deadline)}.",
            window.title,
        )
    return WindowDecision(False, f"{window.title} closed for changes on {_fmt(window.edits_close)}.", window.title)
