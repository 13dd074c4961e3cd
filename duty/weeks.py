"""Pure helpers of the roster: ISO weeks as the pages name them ("2026-W49"), and which
stretches of a period no shift covers. No ORM."""

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from core.inputs import EARLIEST_DATE, LATEST_DATE

_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")


def week_monday(text, *, today: date) -> date | None:
    """The Monday of an ISO week written "2026-W49"; today's week when nothing is given;
    None when the text is not a week (or one outside the supported years)."""
    if text in (None, ""):
        return today - timedelta(days=today.weekday())
    match = _WEEK.fullmatch(str(text).strip())
    if match is None:
        return None
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    if not EARLIEST_DATE <= monday <= LATEST_DATE - timedelta(days=7):
        return None
    return monday


def week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def uncovered(
    start: datetime, end: datetime, shifts: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) that no shift covers, in order; empty when covered.

    Shifts are half-open too: one ending at 08:00 and the next starting at 08:00 leave
    no gap."""
    gaps = []
    cursor = start
    for shift_start, shift_end in sorted(shifts):
        if shift_end <= cursor or shift_start >= end:
            continue
        if shift_start > cursor:
            gaps.append((cursor, shift_start))
        cursor = max(cursor, shift_end)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
