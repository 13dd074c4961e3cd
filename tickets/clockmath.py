"""Working time of an SLA clock with pauses: pure functions, no ORM.

A clock starts at a moment and has a budget of working time in its calendar.
While it is paused (waiting on the customer, where the terms allow) no time
is used, so every pause pushes the target back by the working time it
covered. A pause still open has no end: the clock has no target until it
resumes.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from contracts.schedule import Schedule
from contracts.worktime import add_working_time, working_time_between

Pause = tuple[datetime, datetime | None]


def used_time(
    schedule: Schedule, started_at: datetime, now: datetime, pauses: Sequence[Pause]
) -> timedelta:
    """Working time the clock has used between its start and `now`, pauses excluded."""
    total = working_time_between(schedule, started_at, now)
    for pause_start, pause_end in pauses:
        end = now if pause_end is None else min(pause_end, now)
        start = max(pause_start, started_at)
        if end > start:
            total -= working_time_between(schedule, start, end)
    return max(total, timedelta(0))


def moment_when_used(
    schedule: Schedule, started_at: datetime, used: timedelta, pauses: Sequence[Pause]
) -> datetime | None:
    """The instant the clock will have used `used` working time, or None.

    None when an open pause comes before that instant: until the customer
    answers, nobody can say when the time runs out. Pauses must not overlap.
    """
    cursor = started_at
    remaining = used
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_end is not None and pause_end <= cursor:
            continue
        start = max(pause_start, cursor)
        available = working_time_between(schedule, cursor, start)
        if remaining <= available:
            return add_working_time(schedule, cursor, remaining)
        remaining -= available
        if pause_end is None:
            return None
        cursor = pause_end
    return add_working_time(schedule, cursor, remaining)


def paused_wall_time(pauses: Sequence[Pause], now: datetime) -> timedelta:
    """Wall-clock time spent paused, counting an open pause up to `now`."""
    total = timedelta(0)
    for start, end in pauses:
        total += (now if end is None else end) - start
    return total
