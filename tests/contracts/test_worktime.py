"""Tests for contracts.worktime: SLA working-time arithmetic (pure Python)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.schedule import (
    CHINA_OFFICE_DAY,
    END_OF_DAY,
    SHANGHAI,
    Schedule,
    china_office_schedule,
)
from contracts.worktime import (
    LOOKAHEAD_DAYS,
    add_working_time,
    explain_addition,
    is_working,
    next_working_moment,
    skipped_days,
    working_time_between,
)

NEW_YORK = ZoneInfo("America/New_York")
US = timedelta(microseconds=1)
H = timedelta(hours=1)

OFFICE = china_office_schedule()

# National Day 2026 as given data: 10-01..10-07 off; Sunday 09-20 works like a
# Monday, Saturday 10-10 works like a Friday.
NATIONAL_DAY_2026 = frozenset(date(2026, 10, day) for day in range(1, 8))
MAKE_UP_2026 = ((date(2026, 9, 20), 0), (date(2026, 10, 10), 4))
GOLDEN_WEEK = china_office_schedule(holidays=NATIONAL_DAY_2026, workdays=MAKE_UP_2026)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_utc(value: datetime) -> None:
    assert value.tzinfo is UTC


def elapsed(pieces: list[tuple[datetime, datetime]]) -> timedelta:
    # Via UTC: subtracting two datetimes of the same zone is wall-clock
    # arithmetic in Python and would be off by an hour across a DST change.
    return sum((b.astimezone(UTC) - a.astimezone(UTC) for a, b in pieces), timedelta(0))


# --- hand-computed examples ------------------------------------------------


def test_friday_afternoon_plus_two_hours_lands_monday_ten():
    # Fri 2026-06-05 17:00-18:00 = 1 h, weekend skipped, Mon 09:00-10:00 = 1 h.
    result = add_working_time(OFFICE, sh(2026, 6, 5, 17, 0), 2 * H)
    assert result == sh(2026, 6, 8, 10, 0)
    assert result == utc(2026, 6, 8, 2, 0)
    assert_utc(result)


def test_start_in_lunch_break_counts_from_afternoon_opening():
    # 12:30 is lunch; counting starts 13:30, +1 h = 14:30 local = 06:30 UTC.
    result = add_working_time(OFFICE, sh(2026, 6, 8, 12, 30), H)
    assert result == utc(2026, 6, 8, 6, 30)


def test_around_the_clock_is_exact():
    start = utc(2026, 6, 6, 3, 17, 5, 123456)
    schedule = Schedule.around_the_clock(SHANGHAI)
    assert add_working_time(schedule, start, timedelta(minutes=30)) == start + timedelta(minutes=30)
    assert Schedule.around_the_clock("Asia/Shanghai") == schedule
    assert is_working(schedule, utc(2026, 10, 1, 12))  # holidays do not matter for 7x24


def test_deadline_that_uses_up_a_window_is_its_end():
    assert add_working_time(OFFICE, sh(2026, 6, 8, 17), H) == sh(2026, 6, 8, 18)
    assert add_working_time(OFFICE, sh(2026, 6, 8, 11), H) == sh(2026, 6, 8, 12)
    # The end itself is not working time, the microsecond before is.
    assert not is_working(OFFICE, sh(2026, 6, 8, 18))
    assert is_working(OFFICE, sh(2026, 6, 8, 18) - US)
    assert is_working(OFFICE, sh(2026, 6, 8, 9))


def test_zero_duration_returns_start_even_outside_working_time():
    saturday = sh(2026, 6, 6, 10)
    result = add_working_time(OFFICE, saturday, timedelta(0))
    assert result == saturday
    assert_utc(result)
    assert explain_addition(OFFICE, saturday, timedelta(0)) == []


def test_national_day_week_is_skipped():
    # Wed 09-30 17:00-18:00 = 1 h (3 h left); 10-01..10-07 are holidays (the
    # weekend 10-03/10-04 included); Thu 10-08 09:00-12:00 = 3 h -> 0 h left,
    # exactly at the morning window's end: 2026-10-08 12:00 +08:00 = 04:00 UTC.
    start = sh(2026, 9, 30, 17)
    assert add_working_time(GOLDEN_WEEK, start, 4 * H) == utc(2026, 10, 8, 4, 0)
    # One more hour: afternoon opens 13:30, +1 h = 14:30.
    assert add_working_time(GOLDEN_WEEK, start, 5 * H) == sh(2026, 10, 8, 14, 30)
    # 1 h + 3 h + 4 h from 13:30 = 17:30.
    assert add_working_time(GOLDEN_WEEK, start, 8 * H) == sh(2026, 10, 8, 17, 30)
    assert working_time_between(GOLDEN_WEEK, start, sh(2026, 10, 8, 12)) == 4 * H
    assert explain_addition(GOLDEN_WEEK, start, 4 * H) == [
        (sh(2026, 9, 30, 17), sh(2026, 9, 30, 18)),
        (sh(2026, 10, 8, 9), sh(2026, 10, 8, 12)),
    ]
    assert skipped_days(GOLDEN_WEEK, start, sh(2026, 10, 8, 12)) == [
        (date(2026, 10, day), "holiday") for day in range(1, 8)
    ]


def test_make_up_sunday_counts_with_monday_windows():
    # Sat 09-19 is a weekend; Sun 09-20 works 09:00-12:00: 09:00 + 2 h = 11:00.
    start = sh(2026, 9, 19, 10)
    assert add_working_time(GOLDEN_WEEK, start, 2 * H) == sh(2026, 9, 20, 11)
    assert GOLDEN_WEEK.windows_on(date(2026, 9, 20)) == CHINA_OFFICE_DAY
    # Without the make-up day the ticket waits for Monday.
    assert add_working_time(OFFICE, start, 2 * H) == sh(2026, 9, 21, 11)
    assert skipped_days(GOLDEN_WEEK, start, sh(2026, 9, 20, 11)) == [(date(2026, 9, 19), "weekend")]


def test_make_up_saturday_counts_with_friday_windows():
    # Fri 10-09 17:00-18:00 = 1 h, Sat 10-10 09:00-10:00 = 1 h.
    assert add_working_time(GOLDEN_WEEK, sh(2026, 10, 9, 17), 2 * H) == sh(2026, 10, 10, 10)


def test_explain_and_skipped_days_for_a_weekend():
    start = sh(2026, 6, 5, 17)
    pieces = explain_addition(OFFICE, start, 2 * H)
    assert pieces == [
        (sh(2026, 6, 5, 17), sh(2026, 6, 5, 18)),
        (sh(2026, 6, 8, 9), sh(2026, 6, 8, 10)),
    ]
    assert all(a.tzinfo is SHANGHAI and b.tzinfo is SHANGHAI for a, b in pieces)
    assert skipped_days(OFFICE, start, sh(2026, 6, 8, 10)) == [
        (date(2026, 6, 6), "weekend"),
        (date(2026, 6, 7), "weekend"),
    ]
    # The end is excluded: a range ending at Saturday midnight does not touch Saturday.
    assert skipped_days(OFFICE, start, sh(2026, 6, 6)) == []
    assert skipped_days(OFFICE, sh(2026, 6, 8), start) == []


def test_utc_and_shanghai_inputs_agree_and_results_are_utc():
    local = sh(2026, 9, 30, 17)
    same_in_utc = local.astimezone(UTC)
    assert same_in_utc == utc(2026, 9, 30, 9)
    for duration in (timedelta(0), 30 * timedelta(minutes=1), 4 * H, 40 * H):
        from_local = add_working_time(GOLDEN_WEEK, local, duration)
        from_utc = add_working_time(GOLDEN_WEEK, same_in_utc, duration)
        assert from_local == from_utc
        assert_utc(from_local)
        assert_utc(from_utc)
    end = sh(2026, 10, 12, 15)
    assert working_time_between(GOLDEN_WEEK, local, end) == working_time_between(
        GOLDEN_WEEK, same_in_utc, end.astimezone(UTC)
    )
    assert_utc(next_working_moment(GOLDEN_WEEK, local))
    assert next_working_moment(GOLDEN_WEEK, sh(2026, 10, 1, 10)) == utc(2026, 10, 8, 1)


def test_holiday_alone_is_never_counted():
    # Wednesday 2026-06-10 is a holiday: nothing between Tue 18:00 and Thu 09:00.
    schedule = china_office_schedule(holidays={date(2026, 6, 10)})
    assert working_time_between(schedule, sh(2026, 6, 9, 18), sh(2026, 6, 11, 9)) == timedelta(0)
    assert not is_working(schedule, sh(2026, 6, 10, 10))
    assert schedule.windows_on(date(2026, 6, 10)) == ()
    assert add_working_time(schedule, sh(2026, 6, 9, 17), 2 * H) == sh(2026, 6, 11, 10)


def test_make_up_workday_overrides_a_holiday_on_the_same_date():
    saturday = date(2026, 10, 10)
    schedule = china_office_schedule(holidays={saturday}, workdays=((saturday, 4),))
    assert schedule.windows_on(saturday) == CHINA_OFFICE_DAY
    assert is_working(schedule, sh(2026, 10, 10, 10))
    assert working_time_between(schedule, sh(2026, 10, 10), sh(2026, 10, 11)) == 7.5 * H
    assert skipped_days(schedule, sh(2026, 10, 10), sh(2026, 10, 12)) == [
        (date(2026, 10, 11), "weekend")
    ]


def test_window_to_midnight_joins_the_next_day():
    night_shift = Schedule(
        tz=SHANGHAI,
        weekly=(((time(22), END_OF_DAY),), ((time(0), time(6)),)) + ((),) * 5,
    )
    # Mon 22:00-24:00 then Tue 00:00-06:00 without a gap: 22:00 + 3 h = Tue 01:00.
    assert add_working_time(night_shift, sh(2026, 6, 8, 21), 3 * H) == sh(2026, 6, 9, 1)
    assert add_working_time(night_shift, sh(2026, 6, 8, 21), 2 * H) == sh(2026, 6, 9, 0)
    assert is_working(night_shift, sh(2026, 6, 8, 23, 59, 59, 999999))
    assert is_working(night_shift, sh(2026, 6, 9, 0))
    assert working_time_between(night_shift, sh(2026, 6, 8), sh(2026, 6, 10)) == 8 * H


def test_dst_days_count_real_elapsed_time():
    # Zones with DST must work too: 2026-03-08 (US spring forward) has 23 h,
    # 2026-11-01 (fall back) has 25 h.
    ny = NEW_YORK

    def whole_day(schedule: Schedule, month: int, day: int) -> timedelta:
        midnight = datetime(2026, month, day, tzinfo=ny)
        return working_time_between(schedule, midnight, midnight.replace(day=day + 1))

    always = Schedule.around_the_clock(ny)
    assert whole_day(always, 3, 8) == 23 * H
    assert whole_day(always, 11, 1) == 25 * H
    # Windows 01:00-03:00: the skipped hour shrinks it, the repeated hour grows it.
    night = Schedule(tz=ny, weekly=(((time(1), time(3)),),) * 7)
    assert whole_day(night, 3, 8) == H
    assert whole_day(night, 11, 1) == 3 * H
    assert whole_day(night, 11, 2) == 2 * H
    # A window entirely inside the skipped hour is empty.
    gap = Schedule(tz=ny, weekly=(((time(2, 15), time(2, 45)),),) * 7)
    assert whole_day(gap, 3, 8) == timedelta(0)
    # Sat 03-07 noon: that day's window is over, Sunday's vanished, Mon 03-09
    # 02:15-02:45 gives 30 min, Tue 03-10 02:15-02:45 the other 30 min.
    assert add_working_time(gap, datetime(2026, 3, 7, 12, tzinfo=ny), H) == datetime(
        2026, 3, 10, 2, 45, tzinfo=ny
    )
    assert not is_working(gap, datetime(2026, 3, 8, 7, 30, tzinfo=UTC))


def test_empty_schedule_raises_instead_of_looping():
    empty = Schedule(tz=SHANGHAI)
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(empty, sh(2026, 6, 8), H)
    with pytest.raises(ValueError, match="no working time"):
        next_working_moment(empty, sh(2026, 6, 8))
    with pytest.raises(ValueError, match="no working time"):
        explain_addition(empty, sh(2026, 6, 8), H)
    assert working_time_between(empty, sh(2026, 6, 8), sh(2027, 6, 8)) == timedelta(0)
    assert add_working_time(empty, sh(2026, 6, 8), timedelta(0)) == sh(2026, 6, 8)


def test_lookahead_reaches_a_distant_make_up_day_but_not_beyond():
    # Only Mondays have windows and every Monday for six years is a holiday, so
    # the single make-up day is the only working time there is.
    start = sh(2026, 6, 8)  # a Monday
    mondays = frozenset(start.date() + timedelta(weeks=week) for week in range(6 * 53))
    weekly = (CHINA_OFFICE_DAY,) + ((),) * 6
    near = start.date() + timedelta(days=LOOKAHEAD_DAYS - 10)
    far = start.date() + timedelta(days=LOOKAHEAD_DAYS + 10)
    reachable = Schedule(tz=SHANGHAI, weekly=weekly, holidays=mondays, workdays=((near, 0),))
    assert add_working_time(reachable, start, H) == datetime.combine(
        near, time(10), tzinfo=SHANGHAI
    )
    too_far = Schedule(tz=SHANGHAI, weekly=weekly, holidays=mondays, workdays=((far, 0),))
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(too_far, start, H)
    assert working_time_between(too_far, start, sh(2030, 1, 1)) == timedelta(0)


def test_invalid_input_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(OFFICE, datetime(2026, 6, 8, 9), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_working(OFFICE, datetime(2026, 6, 8, 9))
    with pytest.raises(ValueError, match="negative"):
        add_working_time(OFFICE, sh(2026, 6, 8, 9), -US)
    with pytest.raises(ValueError, match="7 entries"):
        Schedule(tz=SHANGHAI, weekly=(CHINA_OFFICE_DAY,) * 5)
    with pytest.raises(ValueError, match="non-overlapping"):
        Schedule(tz=SHANGHAI, weekly=(((time(9), time(12)), (time(11), time(13))),) * 7)
    with pytest.raises(ValueError, match="start < end"):
        Schedule(tz=SHANGHAI, weekly=(((time(12), time(9)),),) * 7)
    with pytest.raises(ValueError, match="more than once"):
        Schedule(tz=SHANGHAI, workdays=((date(2026, 9, 20), 0), (date(2026, 9, 20), 1)))
    with pytest.raises(ValueError, match=r"weekday 0\.\.6"):
        Schedule(tz=SHANGHAI, workdays=((date(2026, 9, 20), 7),))
    with pytest.raises(TypeError):
        Schedule(tz=SHANGHAI, holidays=frozenset({sh(2026, 10, 1)}))
    with pytest.raises(TypeError):
        OFFICE.windows_on(sh(2026, 10, 1))


# --- property-based --------------------------------------------------------

ZONES = (SHANGHAI, ZoneInfo("UTC"), NEW_YORK, ZoneInfo("Australia/Lord_Howe"))
# Bases near DST changes of the zones above (US 03-08 / 11-01, Lord Howe 04-05 / 10-04).
BASES = (utc(2026, 3, 1), utc(2026, 3, 28), utc(2026, 9, 25), utc(2026, 10, 25))
HORIZON_DAYS = 40


def minute_time(minute: int) -> time:
    return END_OF_DAY if minute == 24 * 60 else time(minute // 60, minute % 60)


@st.composite
def day_windows(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    count = draw(st.integers(0, 3))
    # Sorted points with repeats allowed: equal neighbours give touching windows
    # (or an empty pair, dropped); 1440 stands for "to midnight".
    points = sorted(draw(st.lists(st.integers(0, 24 * 60), min_size=2 * count, max_size=2 * count)))
    windows = []
    for opening, closing in zip(points[::2], points[1::2], strict=True):
        if opening < closing:
            windows.append((minute_time(opening), minute_time(closing)))
    return tuple(windows)


def weekly_minutes(weekly: tuple[tuple[tuple[time, time], ...], ...]) -> int:
    total = 0
    for windows in weekly:
        for opening, closing in windows:
            end = 24 * 60 if closing == END_OF_DAY else closing.hour * 60 + closing.minute
            total += end - (opening.hour * 60 + opening.minute)
    return total


@st.composite
def scenarios(draw: st.DrawFn, zones: tuple[ZoneInfo, ...] = ZONES) -> tuple[Schedule, datetime]:
    """A random schedule and a start instant somewhere in its interesting range."""
    base = draw(st.sampled_from(BASES))
    tz = draw(st.sampled_from(zones))
    weekly = [draw(day_windows()) for _ in range(7)]
    if weekly_minutes(tuple(weekly)) < 4 * 60:
        # Keep durations of a few days' worth of work affordable to compute.
        weekly[draw(st.integers(0, 6))] = ((time(8), time(16)),)
    near_dates = st.dates(
        (base - timedelta(days=3)).date(), (base + timedelta(days=HORIZON_DAYS + 30)).date()
    )
    holidays = draw(st.frozensets(near_dates, max_size=20))
    workday_dates = draw(st.lists(near_dates, unique=True, max_size=6))
    workdays = tuple((day, draw(st.integers(0, 6))) for day in workday_dates)
    schedule = Schedule(tz=tz, weekly=tuple(weekly), holidays=holidays, workdays=workdays)
    start = base + draw(offsets)
    if draw(st.booleans()):
        start = start.astimezone(tz)  # the input zone must not matter
    return schedule, start


offsets = st.one_of(
    st.integers(0, HORIZON_DAYS * 24 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.builds(
        timedelta,
        seconds=st.integers(0, HORIZON_DAYS * 86400),
        microseconds=st.integers(0, 999_999),
    ),
)
durations = st.one_of(
    st.integers(0, 40 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.builds(timedelta, seconds=st.integers(0, 40 * 3600), microseconds=st.integers(0, 999_999)),
)
fuzz = settings(max_examples=200, deadline=None, database=None)


@fuzz
@given(scenarios(), durations)
def test_addition_round_trips_and_ends_in_working_time(scenario, duration):
    schedule, start = scenario
    result = add_working_time(schedule, start, duration)
    assert_utc(result)
    assert result >= start
    assert working_time_between(schedule, start, result) == duration
    if duration > timedelta(0):
        # Inside a window, or exactly at a window's end.
        assert is_working(schedule, result - US)
    pieces = explain_addition(schedule, start, duration)
    assert elapsed(pieces) == duration
    if pieces:
        # Compare as UTC: Python never equates an ambiguous local time with
        # another zone's datetime (PEP 495), even at the same instant.
        assert pieces[-1][1].astimezone(UTC) == result
        assert working_time_between(schedule, start, pieces[0][0]) == timedelta(0)
    for (a, b), following in zip(pieces, [*pieces[1:], None][: len(pieces)], strict=True):
        assert a.tzinfo is schedule.tz
        # As UTC again: in the hour a clock turns back, 01:59 (summer time) comes before
        # 01:01 (winter time), which same-zone comparison gets wrong (PEP 495); and
        # same-zone subtraction is wall-clock arithmetic (03:00 - 1µs lands in the hour
        # a clock skips).
        assert a.astimezone(UTC) < b.astimezone(UTC)
        assert is_working(schedule, a)
        assert is_working(schedule, b.astimezone(UTC) - US)
        if following is not None:
            assert b.astimezone(UTC) <= following[0].astimezone(UTC)


@fuzz
@given(scenarios(), durations, durations)
def test_addition_is_monotonic_and_composes(scenario, first, second):
    schedule, start = scenario
    smaller, larger = sorted((first, second))
    assert add_working_time(schedule, start, smaller) <= add_working_time(schedule, start, larger)
    step = add_working_time(schedule, start, first)
    assert add_working_time(schedule, step, second) == add_working_time(
        schedule, start, first + second
    )


@fuzz
@given(scenarios(), offsets, offsets)
def test_between_is_additive_over_a_split_point(scenario, gap1, gap2):
    schedule, start = scenario
    middle = start + gap1 / 4
    end = middle + gap2 / 4
    whole = working_time_between(schedule, start, end)
    assert whole == working_time_between(schedule, start, middle) + working_time_between(
        schedule, middle, end
    )
    assert timedelta(0) <= whole <= end - start
    assert working_time_between(schedule, end, start) == timedelta(0)


@fuzz
@given(scenarios())
def test_next_working_moment_is_the_first_working_instant(scenario):
    schedule, moment = scenario
    found = next_working_moment(schedule, moment)
    assert_utc(found)
    assert found >= moment
    assert is_working(schedule, found)
    assert working_time_between(schedule, moment, found) == timedelta(0)
    if is_working(schedule, moment):
        assert found == moment


@fuzz
@given(scenarios(), offsets)
def test_pure_holidays_never_count(scenario, offset):
    schedule, start = scenario
    moment = start + offset / 8
    local_day = moment.astimezone(schedule.tz).date()
    if local_day in schedule.holidays and local_day not in dict(schedule.workdays):
        assert not is_working(schedule, moment)
        # skipped_days reports it as a holiday.
        assert (local_day, "holiday") in skipped_days(schedule, moment, moment + US)


@fuzz
@given(scenarios(zones=(SHANGHAI,)), st.integers(0, 2 * 24 * 60))
def test_between_matches_minute_by_minute_count(scenario, minutes):
    # Independent oracle: walk minute by minute over Shanghai wall clock.
    schedule, start = scenario
    start = start.replace(second=0, microsecond=0)
    local = start.astimezone(SHANGHAI)
    counted = 0
    for _ in range(minutes):
        clock = local.time()
        windows = schedule.windows_on(local.date())
        counted += any(a <= clock < b or (b == END_OF_DAY and a <= clock) for a, b in windows)
        local += timedelta(minutes=1)  # Shanghai has no DST: wall arithmetic is exact
    end = start + timedelta(minutes=minutes)
    assert working_time_between(schedule, start, end) == timedelta(minutes=counted)


@fuzz
@given(st.sampled_from(ZONES), st.sampled_from(BASES), offsets, durations)
def test_around_the_clock_adds_plain_elapsed_time(tz, base, offset, duration):
    schedule = Schedule.around_the_clock(tz)
    start = base + offset
    assert add_working_time(schedule, start, duration) == start + duration
    assert working_time_between(schedule, start, start + duration) == duration
    assert elapsed(explain_addition(schedule, start, duration)) == duration
    # Full-day windows every day behave exactly like 7x24.
    full_days = Schedule(tz=tz, weekly=(((time(0), END_OF_DAY),),) * 7)
    assert add_working_time(full_days, start, duration) == start + duration
