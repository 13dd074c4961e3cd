"""Working-time arithmetic for SLA clocks, over a :class:`~contracts.schedule.Schedule`.

Rules shared by every function here:

* All inputs are timezone-aware datetimes in any zone; a naive datetime is a
  ``ValueError``. Instants are returned in UTC, except :func:`explain_addition`
  which returns local datetimes in ``schedule.tz`` for display.
* Working time is real elapsed time, microsecond exact, in the windows of the
  schedule as :func:`~contracts.schedule.day_intervals` places them in time
  (on DST days too).
* Intervals are half-open: ``[start, end)``. The instant at which a window
  closes is not working time, but it is a valid *result* of
  :func:`add_working_time`: a deadline that uses up a window exactly is that
  window's end ("18:00"), not the next opening.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo

from contracts.schedule import Schedule, day_intervals

#: How many consecutive local days without any working time the forward
#: searches accept before deciding the schedule is unusable.
LOOKAHEAD_DAYS = 366 * 5

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


def is_working(schedule: Schedule, moment: datetime) -> bool:
    """Whether ``moment`` lies inside a working window (window ends excluded)."""
    instant = _as_utc(moment, "moment")
    if schedule.always_on:
        return True
    local_day = instant.astimezone(schedule.tz).date()
    # Neighbouring dates too: around a DST change at midnight an instant's
    # local date and the local day whose windows cover it can differ.
    for offset in (-1, 0, 1):
        for start, end in day_intervals(schedule, local_day + offset * _ONE_DAY):
            if start <= instant < end:
                return True
    return False


def next_working_moment(schedule: Schedule, moment: datetime) -> datetime:
    """``moment`` itself (in UTC) if it is working time, else the next window
    opening. ``ValueError`` if there is none within ``LOOKAHEAD_DAYS``."""
    instant = _as_utc(moment, "moment")
    if schedule.always_on:
        return instant
    start, _end = next(_intervals_from(schedule, instant))
    return start


def add_working_time(schedule: Schedule, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant ``T >= start`` with ``duration`` of working time in
    ``[start, T)``, in UTC.

    * ``duration == 0`` returns ``start`` itself (as UTC), even outside
      working time: nothing has to elapse.
    * Outside working time the count starts at the next window opening.
    * For ``duration > 0`` the result is either inside a window or exactly the
      end of one (when the duration uses that window up), never the opening of
      the next window; so ``T - 1µs`` is always working time.
    * ``ValueError`` for a negative duration, or when more than
      ``LOOKAHEAD_DAYS`` consecutive days have no working time.
    """
    instant = _as_utc(start, "start")
    _check_duration(duration)
    if schedule.always_on:
        return instant + duration
    deadline, _pieces = _consume(schedule, instant, duration)
    return deadline


def explain_addition(
    schedule: Schedule, start: datetime, duration: timedelta
) -> list[tuple[datetime, datetime]]:
    """The working intervals :func:`add_working_time` consumed, in order, as
    ``(from, to)`` pairs of aware datetimes in ``schedule.tz``.

    One pair per window and local day (7x24 schedules give one pair per local
    day); the first pair starts at ``start`` when that is inside a window, the
    last pair ends at the deadline. Their lengths add up to ``duration``; an
    empty list for a zero duration. Measure a pair's length after converting
    to UTC: Python subtracts two datetimes of the same zone by wall clock,
    which is off by the DST shift on transition days.
    """
    instant = _as_utc(start, "start")
    _check_duration(duration)
    _deadline, pieces = _consume(schedule, instant, duration)
    return [(a.astimezone(schedule.tz), b.astimezone(schedule.tz)) for a, b in pieces]


def working_time_between(schedule: Schedule, start: datetime, end: datetime) -> timedelta:
    """Working time in ``[start, end)``; zero when ``end <= start``."""
    first = _as_utc(start, "start")
    last = _as_utc(end, "end")
    if last <= first:
        return timedelta(0)
    if schedule.always_on:
        return last - first
    total = timedelta(0)
    day = first.astimezone(schedule.tz).date() - _ONE_DAY
    final_day = last.astimezone(schedule.tz).date() + _ONE_DAY
    # A bounded walk, no lookahead limit: an empty schedule simply has zero.
    while day <= final_day:
        for window_start, window_end in day_intervals(schedule, day):
            overlap = min(window_end, last) - max(window_start, first)
            if overlap > timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def skipped_days(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[date, str]]:
    """Local dates touched by ``[start, end)`` that have no working time at all.

    The reason is ``"holiday"`` for a listed holiday (not rescued by a make-up
    workday), otherwise ``"weekend"``: the weekly pattern has no window that
    weekday. Days with some working time are never listed, even if the range
    only covers their closed hours. Empty when ``end <= start`` or 7x24.
    """
    first = _as_utc(start, "start")
    last = _as_utc(end, "end")
    if last <= first or schedule.always_on:
        return []
    day = first.astimezone(schedule.tz).date()
    # end is excluded: a range ending at midnight does not touch the next day.
    final_day = (last - _ONE_MICROSECOND).astimezone(schedule.tz).date()
    skipped: list[tuple[date, str]] = []
    while day <= final_day:
        if not day_intervals(schedule, day):
            skipped.append((day, "holiday" if schedule.is_holiday(day) else "weekend"))
        day += _ONE_DAY
    return skipped


def years_read(start: datetime, end: datetime, tz: tzinfo) -> list[int]:
    """The local years whose days arithmetic over ``[start, end)`` reads, ascending.

    ``end`` is excluded, as everywhere here: a deadline at 18:00 on 31
    December read nothing of the next year. For ``end <= start`` only the
    year of ``start`` (the day the count begins on).
    """
    first = _as_utc(start, "start")
    last = _as_utc(end, "end")
    first_year = first.astimezone(tz).year
    if last <= first:
        return [first_year]
    last_year = (last - _ONE_MICROSECOND).astimezone(tz).year
    return list(range(first_year, last_year + 1))


def unconfirmed_years(schedule: Schedule, start: datetime, end: datetime) -> list[int]:
    """Years read by arithmetic over ``[start, end)`` whose holidays are not confirmed.

    A deadline computed over one of them is provisional: when the year's
    holidays and make-up workdays are published it may move. Empty for 7x24
    schedules and for schedules that do not track years.
    """
    if schedule.always_on or schedule.confirmed_years is None:
        return []
    return [y for y in years_read(start, end, schedule.tz) if y not in schedule.confirmed_years]


# --- internals -------------------------------------------------------------


def _check_duration(duration: timedelta) -> None:
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")


def _as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _intervals_from(schedule: Schedule, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
    """UTC working intervals ending after ``instant``, clipped to start no
    earlier than it, in order, one day at a time (never minute by minute)."""
    # Start a day early: a window of the previous local date can still be
    # open at ``instant`` when a DST change moves midnight.
    day = instant.astimezone(schedule.tz).date() - _ONE_DAY
    idle_days = 0
    while True:
        found = False
        for start, end in day_intervals(schedule, day):
            if end > instant:
                found = True
                yield max(start, instant), end
        idle_days = 0 if found else idle_days + 1
        if idle_days > LOOKAHEAD_DAYS:
            raise ValueError(
                f"schedule has no working time in {LOOKAHEAD_DAYS} consecutive days "
                f"up to {day.isoformat()} (searching from {instant.isoformat()})"
            )
        day += _ONE_DAY


def _consume(
    schedule: Schedule, instant: datetime, duration: timedelta
) -> tuple[datetime, list[tuple[datetime, datetime]]]:
    """Deadline and the UTC pieces of working time used to reach it."""
    if duration == timedelta(0):
        return instant, []
    remaining = duration
    pieces: list[tuple[datetime, datetime]] = []
    for start, end in _intervals_from(schedule, instant):
        available = end - start
        # "<=" so that a duration using a window up ends at that window's end
        # rather than at the next opening.
        if remaining <= available:
            pieces.append((start, start + remaining))
            return start + remaining, pieces
        pieces.append((start, end))
        remaining -= available
    raise AssertionError("unreachable: _intervals_from is infinite or raises")
