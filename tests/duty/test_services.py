"""The roster's rules: who may plan which branch, one duty at a time per engineer, copying a
week, the holiday and event gaps and the one reminder per gap."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import DutyShift
from accounts.selectors import shifts_on_duty
from core.errors import TransitionForbidden
from duty.models import DutyEvent
from duty.selectors import duty_gaps, holidays_between, roster_week
from duty.services import event_add, gaps_remind, shift_add, shift_change, week_copy
from tests.duty.conftest import MONDAY
from tests.tickets.conftest import shanghai
from tickets.models import Notification

pytestmark = pytest.mark.django_db


def test_a_manager_plans_an_engineer_of_their_own_branch(world, put_on_duty):
    shift = put_on_duty(mode="on_site", site=world["site"], kind="holiday")
    assert (shift.branch, shift.engineer, shift.mode, shift.site) == (
        world["engineer"].branch,
        world["engineer"],
        "on_site",
        world["site"],
    )


def test_only_the_branchs_manager_leaders_and_superusers_plan_it(world, north):
    def plan(user, engineer=world["engineer"]):
        return shift_add(
            user=user,
            branch=world["engineer"].branch,
            engineer=engineer,
            starts_at=MONDAY,
            ends_at=MONDAY + timedelta(hours=8),
        )

    for refused in [north["manager"], world["engineer"], world["agent"], world["customer_user"]]:
        with pytest.raises(TransitionForbidden):
            plan(refused)
    assert plan(world["leader"]).pk
    with pytest.raises(ValidationError) as refusal:
        plan(world["manager"], engineer=north["engineer"])
    assert "engineer" in refusal.value.message_dict


def test_an_engineer_is_never_on_two_duties_at_once(world, put_on_duty, engineer2):
    put_on_duty(hours=12)  # Monday 08:00–20:00
    with pytest.raises(ValidationError) as refusal, translation.override("en"):
        put_on_duty(starts_at=MONDAY + timedelta(hours=19), hours=4)
    assert "already on duty from 2026-09-28 08:00 to 2026-09-28 20:00" in str(
        refusal.value.message_dict["starts_at"]
    )
    # Back to back is no overlap; another engineer at the same time is fine.
    put_on_duty(starts_at=MONDAY + timedelta(hours=20), hours=4)
    put_on_duty(engineer=engineer2, hours=12)
    # The database holds the rule too, whatever bypasses the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyShift.objects.create(
            engineer=world["engineer"],
            branch=world["engineer"].branch,
            starts_at=MONDAY + timedelta(hours=9),
            ends_at=MONDAY + timedelta(hours=10),
        )


def test_a_change_is_checked_against_the_other_shifts_only(world, put_on_duty):
    first = put_on_duty(hours=12)
    put_on_duty(starts_at=MONDAY + timedelta(days=1, hours=8), hours=12)
    changed = shift_change(
        user=world["manager"],
        shift=first,
        engineer=world["engineer"],
        starts_at=first.starts_at,
        ends_at=first.ends_at + timedelta(hours=2),
        kind="regular",
        mode="on_call",
    )
    assert changed.ends_at == first.ends_at + timedelta(hours=2)
    with pytest.raises(ValidationError):
        shift_change(
            user=world["manager"],
            shift=first,
            engineer=world["engineer"],
            starts_at=first.starts_at,
            ends_at=MONDAY + timedelta(days=1, hours=9),
            kind="regular",
            mode="on_call",
        )


def test_bad_input_is_refused_by_field(world):
    with pytest.raises(ValidationError) as refusal:
        shift_add(
            user=world["manager"],
            branch=world["engineer"].branch,
            engineer=world["engineer"],
            starts_at=MONDAY,
            ends_at=MONDAY - timedelta(hours=1),
            kind="nonsense",
            mode="on_call",
            site=world["site"],
            event="\x00",
        )
    assert set(refusal.value.message_dict) == {"ends_at", "kind", "site", "event"}


def test_last_weeks_roster_is_copied_once(world, put_on_duty, engineer2):
    put_on_duty(hours=12, mode="on_site", site=world["site"], note="白班")
    put_on_duty(engineer=engineer2, starts_at=MONDAY + timedelta(days=6, hours=20), hours=12)
    next_monday = date(2026, 10, 5)
    # The night shift from Sunday reaches into Monday 08:00 of the new week: no clash.
    assert week_copy(
        user=world["manager"], branch=world["engineer"].branch, monday=next_monday
    ) == (2, 0)
    copied = DutyShift.objects.filter(starts_at__gte=MONDAY + timedelta(days=7)).order_by(
        "starts_at"
    )
    assert [(s.engineer.username, s.starts_at, s.mode, s.note) for s in copied] == [
        ("engineer", MONDAY + timedelta(days=7, hours=8), "on_site", "白班"),
        ("engineer2", MONDAY + timedelta(days=13, hours=20), "on_call", ""),
    ]
    # A second click copies nothing (every engineer is on duty then already).
    assert week_copy(
        user=world["manager"], branch=world["engineer"].branch, monday=next_monday
    ) == (0, 2)


def test_holidays_need_the_whole_day_covered_and_make_up_workdays_none(world, put_on_duty):
    """National Day 2026 (the weekdays 1, 2, 5, 6, 7 October) and Saturday 10 October, a
    make-up workday, on the world's business calendar."""
    start, end = date(2026, 10, 1), date(2026, 10, 12)
    assert sorted(holidays_between(branch=world["engineer"].branch, start=start, end=end)) == [
        date(2026, 10, d) for d in (1, 2, 5, 6, 7)
    ]
    # 1 October covered around the clock by two shifts; 2 October from 08:00 only.
    put_on_duty(starts_at=shanghai(2026, 10, 1, 0, 0), hours=12)
    put_on_duty(starts_at=shanghai(2026, 10, 1, 12, 0), hours=12, kind="holiday")
    put_on_duty(starts_at=shanghai(2026, 10, 2, 8, 0), hours=16)
    gaps = duty_gaps(branch=world["engineer"].branch, start=start, end=end)
    assert [g.day for g in gaps] == [date(2026, 10, d) for d in (2, 5, 6, 7)]
    assert gaps[0].kind == "holiday"
    assert gaps[0].uncovered == [(shanghai(2026, 10, 2, 0, 0), shanghai(2026, 10, 2, 8, 0))]
    assert date(2026, 10, 10) not in {g.day for g in gaps}


def test_an_event_is_a_gap_until_its_whole_time_is_covered(world, put_on_duty):
    event = event_add(
        user=world["manager"],
        branch=world["engineer"].branch,
        name="重要会议保障",
        starts_at=shanghai(2026, 11, 3, 9, 0),
        ends_at=shanghai(2026, 11, 3, 17, 0),
        site=world["site"],
    )
    start, end = date(2026, 11, 1), date(2026, 11, 8)
    gaps = duty_gaps(branch=world["engineer"].branch, start=start, end=end)
    assert [(g.kind, g.event_id, g.name) for g in gaps] == [("event", event.pk, "重要会议保障")]
    put_on_duty(
        starts_at=shanghai(2026, 11, 3, 8, 0),
        hours=10,
        kind="event",
        mode="on_site",
        site=world["site"],
        event="重要会议保障",
    )
    assert duty_gaps(branch=world["engineer"].branch, start=start, end=end) == []
    assert DutyEvent.objects.count() == 1


def test_the_managers_are_told_once_per_gap_day_and_reminded_before(world, put_on_duty, north):
    now = shanghai(2026, 9, 30, 9, 0)  # the holidays of 1 to 7 October are ahead
    put_on_duty(starts_at=shanghai(2026, 10, 1, 0, 0), hours=24)
    written = gaps_remind(now=now, days=14)
    told = Notification.objects.filter(user=world["manager"]).order_by("key")
    branch = world["engineer"].branch.pk
    # 2 October is 2 days ahead: already at the "3 days before" reminder.
    assert [n.key for n in told] == [f"duty-gap:{branch}:2026-10-02:3"] + [
        f"duty-gap:{branch}:2026-10-0{d}:0" for d in (5, 6, 7)
    ]
    # North has no contract of its own: every calendar's holidays count, its manager is told.
    assert written == 4 + 5
    assert "2026-10-02" in told[0].title
    assert gaps_remind(now=now, days=14) == 0
    # The day before, the gap of 2 October is told again; the others not yet.
    gaps_remind(now=shanghai(2026, 10, 1, 9, 0), days=14)
    again = Notification.objects.filter(user=world["manager"], key__endswith=":1")
    assert [n.key for n in again] == [f"duty-gap:{branch}:2026-10-02:1"]
    # Each branch's manager hears of their own branch only.
    keys = Notification.objects.filter(user=north["manager"]).values_list("key", flat=True)
    assert {key.split(":")[1] for key in keys} == {str(north["branch"].pk)}


def test_who_is_on_duty_now_is_one_rule(world, put_on_duty, north):
    shift = put_on_duty(mode="on_site", site=world["site"])
    at = shift.starts_at + timedelta(hours=1)
    assert list(shifts_on_duty(now=at)) == [shift]
    assert list(shifts_on_duty(now=at, branch_ids=[north["branch"].pk])) == []
    assert list(shifts_on_duty(now=shift.ends_at)) == []


def test_the_week_lists_a_night_shift_on_both_days(world, put_on_duty, django_assert_num_queries):
    night = put_on_duty(starts_at=MONDAY + timedelta(hours=20), hours=12)
    with django_assert_num_queries(8):
        days = roster_week(
            branch=world["engineer"].branch, monday=date(2026, 9, 28), today=date(2026, 9, 29)
        )
    assert days[0].day.isoformat() == "2026-09-28"
    assert [bool(d.shifts) for d in days] == [True, True, False, False, False, False, False]
    assert days[1].is_today and days[0].shifts[0] == night
    assert days[3].holiday is not None  # 1 October


def test_an_uncovered_event_over_midnight_is_a_gap_on_both_days(world, put_on_duty):
    branch = world["engineer"].branch
    DutyEvent.objects.create(
        branch=branch,
        name="系统割接",
        starts_at=MONDAY + timedelta(hours=22),
        ends_at=MONDAY + timedelta(hours=28),
    )
    # Covered until midnight only: the small hours of Tuesday are the gap.
    put_on_duty(starts_at=MONDAY + timedelta(hours=22), hours=2)
    days = roster_week(branch=branch, monday=date(2026, 9, 28), today=date(2026, 9, 28))
    assert days[0].gaps == []
    assert days[1].gaps[0].uncovered == [
        (MONDAY + timedelta(hours=24), MONDAY + timedelta(hours=28))
    ]
