"""Which years a deadline computation read, and which of them are not confirmed (pure)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from contracts.schedule import SHANGHAI, Schedule, china_office_schedule
from contracts.worktime import (
    add_working_time,
    unconfirmed_years,
    years_read,
)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_a_deadline_on_new_years_eve_reads_only_that_year():
    # 16:00 + 2 h of office time uses up 31 December exactly: 18:00, nothing of 2027 read.
    schedule = china_office_schedule()
    deadline = add_working_time(schedule, sh(2026, 12, 31, 16), timedelta(hours=2))
    assert deadline == sh(2026, 12, 31, 18)
    assert years_read(sh(2026, 12, 31, 16), deadline, SHANGHAI) == [2026]


def test_years_are_local_to_the_schedule():
    # 16:30 UTC on 31 December is already 00:30 on 1 January in Shanghai.
    start = datetime(2026, 12, 31, 10, tzinfo=UTC)
    end = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert years_read(start, end, SHANGHAI) == [2026, 2027]
    assert years_read(start, end, ZoneInfo("UTC")) == [2026]


def test_a_deadline_past_new_year_is_provisional_until_that_year_is_confirmed():
    start = sh(2026, 12, 31, 16)
    known_2026 = china_office_schedule(holidays={date(2027, 1, 1)})
    tracked = Schedule(
        tz=SHANGHAI,
        weekly=known_2026.weekly,
        holidays=known_2026.holidays,
        confirmed_years={2026},
    )
    deadline = add_working_time(tracked, start, timedelta(hours=4))
    # 2 h on 31 December, New Year's Day off, the weekend, 2 h on Monday 4 January.
    assert deadline == sh(2027, 1, 4, 11)
    assert unconfirmed_years(tracked, start, deadline) == [2027]
    confirmed = Schedule(
        tz=SHANGHAI, weekly=tracked.weekly, holidays=tracked.holidays, confirmed_years={2026, 2027}
    )
    assert unconfirmed_years(confirmed, start, deadline) == []


def test_seven_by_twenty_four_and_untracked_schedules_are_never_provisional():
    start, end = sh(2026, 12, 31, 23), sh(2027, 1, 1, 23)
    assert (
        unconfirmed_years(Schedule(tz=SHANGHAI, always_on=True, confirmed_years=()), start, end)
        == []
    )
    assert unconfirmed_years(china_office_schedule(), start, end) == []


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    hours=st.integers(min_value=0, max_value=24 * 800),
)
def test_years_read_cover_start_to_end_without_gaps(start, hours):
    first = start.replace(tzinfo=SHANGHAI)
    last = first + timedelta(hours=hours)
    years = years_read(first, last, SHANGHAI)
    assert years[0] == first.year
    assert years == list(range(years[0], years[-1] + 1))
    expected_last = (last - timedelta(microseconds=1)).year if hours else first.year
    assert years[-1] == expected_last
