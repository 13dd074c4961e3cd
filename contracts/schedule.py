"""The working-time calendar SLA clocks count in, as a pure value: :class:`Schedule`.

Either 7x24, or weekly business hours with several windows a day, minus public
holidays, plus make-up workdays (调休). :func:`day_intervals` turns one local
day's windows into real instants, by this rule: a local window ``(start, end)``
on local date ``D`` covers the instants from the first moment the local clock of
``schedule.tz`` reads ``D start`` (or later) up to, but excluding, the first
moment it reads ``D end`` (or later). That makes the schedule well defined even
on days with a DST transition: a window inside a skipped hour is empty, a window
across a repeated hour counts the real elapsed time.

The arithmetic over schedules (deadlines, working time between two instants)
is in :mod:`contracts.worktime`.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

Window = tuple[time, time]

#: A window end of ``time.max`` means "until the following local midnight".
END_OF_DAY = time.max

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

    def is_holiday(self, day: date) -> bool:
        """Whether the local date is a listed holiday no make-up workday takes back."""
        return day in self.holidays and day not in self._workday_map


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


def day_intervals(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """Non-empty UTC intervals of the windows of local date ``day``, in order."""
    intervals = []
    for start, end in schedule.windows_on(day):
        first = _instant_of(day, start, schedule.tz)
        last = _instant_of(day, end, schedule.tz)
        if first < last:
            intervals.append((first, last))
    return intervals
