from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.schedule import Schedule
from contracts.worktime import working_time_between
from tickets.clockmath import moment_when_used, paused_wall_time, used_time

SH = ZoneInfo("Asia/Shanghai")
ALWAYS = Schedule.around_the_clock(SH)
OFFICE = Schedule(
    tz=SH,
    weekly=(((time(9), time(12)), (time(13, 30), time(18))),) * 5 + ((), ()),
)


def sh(*args):
    return datetime(*args, tzinfo=SH)


def test_a_pause_moves_the_target_by_the_time_paused_on_7x24():
    start = sh(2026, 11, 25, 10, 0)
    pauses = [(sh(2026, 11, 25, 10, 10), sh(2026, 11, 25, 11, 10))]
    target = moment_when_used(ALWAYS, start, timedelta(minutes=30), pauses)
    assert target == sh(2026, 11, 25, 11, 30)
    assert used_time(ALWAYS, start, sh(2026, 11, 25, 11, 0), pauses) == timedelta(minutes=10)


def test_a_pause_over_the_night_costs_no_business_time():
    # Friday 17:00, 2 h of business time; paused from 17:30 to Monday 09:30.
    start = sh(2026, 11, 20, 17, 0)
    pauses = [(sh(2026, 11, 20, 17, 30), sh(2026, 11, 23, 9, 30))]
    # 30 min used on Friday, the pause swallows Monday 09:00-09:30, 90 min left from 09:30.
    assert moment_when_used(OFFICE, start, timedelta(hours=2), pauses) == sh(2026, 11, 23, 11, 0)


def test_an_open_pause_means_no_target_yet():
    start = sh(2026, 11, 25, 10, 0)
    pauses = [(sh(2026, 11, 25, 10, 10), None)]
    assert moment_when_used(ALWAYS, start, timedelta(minutes=30), pauses) is None
    # A threshold reached before the pause still has its moment.
    assert moment_when_used(ALWAYS, start, timedelta(minutes=5), pauses) == sh(2026, 11, 25, 10, 5)
    assert used_time(ALWAYS, start, sh(2026, 11, 25, 12, 0), pauses) == timedelta(minutes=10)
    assert paused_wall_time(pauses, sh(2026, 11, 25, 10, 40)) == timedelta(minutes=30)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(
    start=instants,
    budget=st.integers(min_value=1, max_value=3 * 24 * 60),
    gaps=st.lists(st.tuples(st.integers(0, 600), st.integers(1, 900)), max_size=3),
)
def test_used_time_at_the_target_equals_the_budget(start, budget, gaps):
    """Round trip: the clock has used exactly its budget at the moment it says it would."""
    pauses, cursor = [], start
    for offset, length in gaps:
        pause_start = cursor + timedelta(minutes=offset)
        pauses.append((pause_start, pause_start + timedelta(minutes=length)))
        cursor = pause_start + timedelta(minutes=length)
    for schedule in (ALWAYS, OFFICE):
        target = moment_when_used(schedule, start, timedelta(minutes=budget), pauses)
        assert used_time(schedule, start, target, pauses) == timedelta(minutes=budget)
        # Pauses only ever push the target later.
        plain = moment_when_used(schedule, start, timedelta(minutes=budget), [])
        assert target >= plain
        assert working_time_between(schedule, start, target) >= timedelta(minutes=budget)
