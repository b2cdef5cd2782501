"""Collection windows: may a record dated D be created or changed today? Used by every channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

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


def check_window(*, year: int, record_date: date | None, action: Action, today: date | None = None) -> WindowDecision:
    """Refuse creating or editing a record outside its collection window, with a message that says why."""
    today = today or timezone.localdate()
    windows = list(CollectionWindowPage.objects.live().filter(year=year).order_by("period_start"))
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


def _last_day(window: CollectionWindowPage, action: Action) -> date:
    return window.submission_deadline if action == "create" else window.edits_close


def _refusal(windows: list[CollectionWindowPage], *, action: Action, today: date) -> WindowDecision:
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
