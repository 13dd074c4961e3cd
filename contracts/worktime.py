"""Working-time arithmetic for SLA clocks.

An SLA clock only runs during the working time of a :class:`Schedule`: either
7x24, or weekly business hours with several windows a day, minus public
holidays, plus make-up workdays (调休).

Rules shared by every function here:

* All inputs are timezone-aware datetimes in any zone; a naive datetime is a
  ``ValueError``. Instants are returned in UTC, except :func:`explain_addition`
  which returns local datetimes in ``schedule.tz`` for display.
* Working time is real elapsed time, microsecond exact. A local window
  ``(start, end)`` on local date ``D`` covers the instants from the first moment
  the local clock of ``schedule.tz`` reads ``D start`` (or later) up to, but
  excluding, the first moment it reads ``D end`` (or later). That conversion
  rule makes the schedule well defined even on days with a DST transition: a
  window inside a skipped hour is empty, a window across a repeated hour counts
  the real elapsed time.
* Intervals are half-open: ``[start, end)``. The instant at which a window
  closes is not working time, but it is a valid *result* of
  :func:`add_working_time`: a deadline that uses up a window exactly is that
  window's end ("18:00"), not the next opening.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

Window = tuple[time, time]

#: A window end of ``time.max`` means "until the following local midnight".
END_OF_DAY = time.max

#: How many consecutive local days without any working time the forward
#: searches accept before deciding the schedule is unusable.
LOOKAHEAD_DAYS = 366 * 5

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Standard mainland-China office day: 09:00-12:00, lunch, 13:30-18:00.
CHINA_OFFICE_DAY: tuple[Window, ...] = ((time(9), time(12)), (time(13, 30), time(18)))

#: Monday-Friday office days, Saturday and Sunday off.
CHINA_OFFICE_WEEK: tuple[tuple[Window, ...], ...] = (CHINA_OFFICE_DAY,) * 5 + ((),) * 2

_FULL_DAY: tuple[Window, ...] = ((time(0), END_OF_DAY),)
_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Schedule:
    """A working-time calendar.

    * ``tz``: the zone in which all windows, holidays and workdays are local.
    * ``always_on``: 7x24, every second counts; ``weekly``, ``holidays`` and
      ``workdays`` are then ignored.
    * ``weekly``: seven entries, index 0 = Monday .. 6 = Sunday, each a tuple
      of local ``(start, end)`` windows, sorted, non-overlapping (touching is
      allowed) and with ``start < end``. ``end == END_OF_DAY`` (``time.max``)
      means the window runs to the following midnight. Times must be naive
      (the zone is ``tz``).
    * ``holidays``: local dates with no working time at all; they override
      ``weekly``.
    * ``workdays``: make-up workdays as ``(local date, weekday)``; that date
      follows the windows of ``weekly[weekday]``. They override both
      ``weekly`` and ``holidays``. A date may appear only once.
    * ``confirmed_years``: the local years whose holidays and make-up
      workdays are known for certain (the State Council's notice is in).
      ``None`` means every year counts as confirmed; a 7x24 schedule never
      depends on holidays, so it has no unconfirmed years either.

    Iterables given for the collection fields are normalised to tuples and
    frozensets so that a schedule stays hashable.
    """

    tz: ZoneInfo
    always_on: bool = False
    weekly: tuple[tuple[Window, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    workdays: tuple[tuple[date, int], ...] = ()
    confirmed_years: frozenset[int] | None = None
    _workday_map: dict[date, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise TypeError(f"tz must be a tzinfo such as ZoneInfo, got {self.tz!r}")
        weekly = tuple(tuple((start, end) for start, end in day) for day in self.weekly)
        if len(weekly) != 7:
            raise ValueError(f"weekly needs 7 entries (Monday..Sunday), got {len(weekly)}")
        for weekday, windows in enumerate(weekly):
            _check_windows(weekday, windows)
        holidays = frozenset(self.holidays)
        for day in holidays:
            _check_date(day, "holiday")
        workdays = tuple((day, weekday) for day, weekday in self.workdays)
        workday_map: dict[date, int] = {}
        for day, weekday in workdays:
            _check_date(day, "workday")
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"workday {day} must name a weekday 0..6, got {weekday!r}")
            if day in workday_map:
                raise ValueError(f"workday {day} is listed more than once")
            workday_map[day] = weekday
        # Frozen dataclass: normalised values have to bypass __setattr__.
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "_workday_map", workday_map)
        if self.confirmed_years is not None:
            object.__setattr__(self, "confirmed_years", frozenset(self.confirmed_years))

    @classmethod
    def around_the_clock(cls, tz: ZoneInfo | str) -> "Schedule":
        """A 7x24 schedule in ``tz`` (a ZoneInfo or an IANA name)."""
        return cls(tz=ZoneInfo(tz) if isinstance(tz, str) else tz, always_on=True)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """Effective local windows of the local date ``day``.

        Precedence: 7x24 > make-up workday > holiday > weekly pattern.
        """
        # datetime is a date subclass but never equal to one, so it would
        # silently miss every holiday and workday.
        _check_date(day, "day")
        if self.always_on:
            return _FULL_DAY
        weekday = self._workday_map.get(day)
        if weekday is not None:
            return self.weekly[weekday]
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]


def china_office_schedule(
    holidays: frozenset[date] | set[date] | tuple[date, ...] = frozenset(),
    workdays: tuple[tuple[date, int], ...] = (),
    tz: ZoneInfo = SHANGHAI,
) -> Schedule:
    """Mon-Fri 09:00-12:00 and 13:30-18:00 in Asia/Shanghai, with the given
    holidays and make-up workdays."""
    return Schedule(
        tz=tz, weekly=CHINA_OFFICE_WEEK, holidays=frozenset(holidays), workdays=workdays
    )


def is_working(schedule: Schedule, moment: datetime) -> bool:
    """Whether ``moment`` lies inside a working window (window ends excluded)."""
    instant = _as_utc(moment, "moment")
    if schedule.always_on:
        return True
    local_day = instant.astimezone(schedule.tz).date()
    # Neighbouring dates too: around a DST change at midnight an instant's
    # local date and the local day whose windows cover it can differ.
    for offset in (-1, 0, 1):
        for start, end in _day_intervals(schedule, local_day + offset * _ONE_DAY):
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
        for window_start, window_end in _day_intervals(schedule, day):
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
        if not _day_intervals(schedule, day):
            is_holiday = day in schedule.holidays and day not in schedule._workday_map
            skipped.append((day, "holiday" if is_holiday else "weekend"))
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


def _check_windows(weekday: int, windows: tuple[Window, ...]) -> None:
    previous_end: time | None = None
    for start, end in windows:
        for value in (start, end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"weekday {weekday}: window bounds must be naive times")
        if not start < end:
            raise ValueError(f"weekday {weekday}: window {start}-{end} must have start < end")
        if previous_end is not None and start < previous_end:
            raise ValueError(f"weekday {weekday}: windows must be sorted and non-overlapping")
        previous_end = end


def _check_date(value: object, what: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime.date, got {value!r}")


def _check_duration(duration: timedelta) -> None:
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")


def _as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _wall_clock(instant: datetime, tz: tzinfo) -> tuple[date, time]:
    local = instant.astimezone(tz)
    return local.date(), local.time()


def _instant_of(day: date, clock: time, tz: tzinfo) -> datetime:
    """First UTC instant at which the local clock in ``tz`` reads ``day clock``
    or later.

    For a normal local time that is its only instant; for a repeated one
    (clocks going back) the first occurrence; for a skipped one (clocks going
    forward) the transition itself. Unlike plain ``fold=0`` conversion this is
    monotonic in the local time, which keeps windows from overlapping or
    turning negative on DST days.
    """
    if clock == END_OF_DAY:
        day, clock = day + _ONE_DAY, time(0)
    target = (day, clock)
    candidates = [
        datetime.combine(day, clock, tzinfo=tz).replace(fold=fold).astimezone(UTC)
        for fold in (0, 1)
    ]
    exact = [c for c in candidates if _wall_clock(c, tz) == target]
    if exact:
        return min(exact)
    # Skipped local time: the two folds straddle the transition, the clock
    # reads before the target at one end and after it at the other.
    low, high = min(candidates), max(candidates)
    while high - low > _ONE_MICROSECOND:
        middle = low + (high - low) // 2
        if _wall_clock(middle, tz) >= target:
            high = middle
        else:
            low = middle
    return high


def _day_intervals(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """Non-empty UTC intervals of the windows of local date ``day``, in order."""
    intervals = []
    for start, end in schedule.windows_on(day):
        first = _instant_of(day, start, schedule.tz)
        last = _instant_of(day, end, schedule.tz)
        if first < last:
            intervals.append((first, last))
    return intervals


def _intervals_from(schedule: Schedule, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
    """UTC working intervals ending after ``instant``, clipped to start no
    earlier than it, in order, one day at a time (never minute by minute)."""
    # Start a day early: a window of the previous local date can still be
    # open at ``instant`` when a DST change moves midnight.
    day = instant.astimezone(schedule.tz).date() - _ONE_DAY
    idle_days = 0
    while True:
        found = False
        for start, end in _day_intervals(schedule, day):
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
