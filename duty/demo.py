"""Demo duty (值班): this week's and next week's roster of every branch (a day engineer on
call 08:00–20:00, a night engineer 20:00–08:00 where the branch has two), holiday duty on
the next public holiday at the East China branch, an event with its on-site duty at the
Central branch, and one event at the East China branch left half uncovered, so the gap
shows on the roster and in the manager's notifications.

Loading twice changes nothing: the service refuses a shift for an engineer already on
duty then, and events are found by name first."""

from contextlib import suppress
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Branch, DutyShift, User
from contracts.models import CalendarDay, Site
from duty.models import DutyEvent
from duty.services import event_add, shift_add

# branch code: (day engineer, night engineer or None)
ROSTER = {
    "east": ("engineer", "engineer2"),
    "central": ("engineer3", None),
    "north": ("engineer4", None),
}


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _add(planner, branch, engineer, starts_at, ends_at, **extra) -> None:
    # Refused when already on duty then (loaded before, or the day's 24-hour duty).
    with suppress(ValidationError):
        shift_add(
            user=planner,
            branch=branch,
            engineer=engineer,
            starts_at=starts_at,
            ends_at=ends_at,
            **extra,
        )


def _event(planner, branch, name, starts_at, ends_at, site=None) -> None:
    if not DutyEvent.objects.filter(branch=branch, name=name).exists():
        event_add(
            user=planner, branch=branch, name=name, starts_at=starts_at, ends_at=ends_at, site=site
        )


def demo_duty(*, now: datetime) -> None:
    planner = User.objects.filter(username="leader").first()
    if planner is None:
        return
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    branches = {b.code: b for b in Branch.objects.filter(code__in=ROSTER)}
    users = {u.username: u for u in User.objects.filter(username__in=sum(ROSTER.values(), ()))}
    # Holiday duty: the next public holiday, around the clock, on call and on site.
    holiday = (
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY, date__gt=today)
        .order_by("date")
        .first()
    )
    # East keeps holiday duty that day instead of its regular shifts (they would overlap).
    holiday_day = holiday.date if holiday else None
    for code, (day_engineer, night_engineer) in ROSTER.items():
        branch = branches.get(code)
        if branch is None:
            continue
        for n in range(14):
            day = monday + timedelta(days=n)
            if (
                code == "east"
                and holiday_day
                and day in (holiday_day - timedelta(days=1), holiday_day)
            ):
                if day == holiday_day:
                    continue
                # The night before the holiday ends when holiday duty begins.
                _add(planner, branch, users[day_engineer], _at(day, 8), _at(day, 20), note="白班")
                continue
            _add(planner, branch, users[day_engineer], _at(day, 8), _at(day, 20), note="白班")
            # The East China night engineer is not planned yet for the night before the
            # event (today + 5): its early hours are the demo's gap.
            if night_engineer and day != today + timedelta(days=4):
                _add(
                    planner,
                    branch,
                    users[night_engineer],
                    _at(day, 20),
                    _at(day + timedelta(days=1), 8),
                    note="夜班",
                )
    east, central = branches.get("east"), branches.get("central")
    if holiday and east:
        site = Site.objects.filter(branch=east).order_by("name").first()
        day = holiday.date
        _add(
            planner,
            east,
            users["engineer"],
            _at(day, 0),
            _at(day, 12),
            kind=DutyShift.Kind.HOLIDAY,
            mode=DutyShift.Mode.ON_SITE,
            site=site,
            note="节假日现场值班",
        )
        _add(
            planner,
            east,
            users["engineer2"],
            _at(day, 12),
            _at(day + timedelta(days=1), 0),
            kind=DutyShift.Kind.HOLIDAY,
            note="节假日电话值班",
        )
    # An event covered on site (Central), and one only half covered (East: the gap).
    if central:
        site = Site.objects.filter(branch=central).order_by("name").first()
        day = today + timedelta(days=3)
        name = "汛期调度保障会议"
        _event(planner, central, name, _at(day, 20), _at(day + timedelta(days=1), 2), site)
        _add(
            planner,
            central,
            users["engineer3"],
            _at(day, 20),
            _at(day + timedelta(days=1), 2),
            kind=DutyShift.Kind.EVENT,
            mode=DutyShift.Mode.ON_SITE,
            site=site,
            event=name,
        )
    if east:
        day = today + timedelta(days=5)
        site = Site.objects.filter(branch=east).order_by("name").first()
        # 05:00–10:00: the day shift starts at 08:00 and no night shift runs before it.
        _event(planner, east, "年度系统割接保障", _at(day, 5), _at(day, 10), site)
