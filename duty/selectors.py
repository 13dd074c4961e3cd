"""Reading the duty roster: a branch's week, the holidays its contracts' calendars know, and
the gaps: holiday and event days ahead that nobody covers.

A holiday is covered when the branch's shifts, together, cover it from 00:00 to 24:00
local time (a make-up workday 调休 is a working day and needs no duty); an event is
covered when they cover it from its start to its end. Who is on duty *now* is
accounts.selectors.shifts_on_duty, which dispatch and the console read too."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, DutyShift, User
from accounts.roles import Role
from contracts.models import Calendar, CalendarDay, ServiceTerms
from duty import permissions as may
from duty.models import DutyEvent
from duty.weeks import uncovered


class GapKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    EVENT = "event", _("Event")


# How far ahead gaps are flagged (the page, the reminder, the API's default).
GAP_DAYS = 14
MAX_GAP_DAYS = 92


@dataclass
class DutyGap:
    """A holiday or an event of a branch not wholly covered by its duty shifts."""

    branch: Branch
    day: date
    kind: str  # "holiday" or "event"
    name: str
    starts_at: datetime
    ends_at: datetime
    uncovered: list[tuple[datetime, datetime]]
    event_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(GapKind(self.kind).label)

    @property
    def key(self) -> str:
        """What the reminder is keyed by: once per gap day (or event)."""
        if self.event_id:
            return f"duty-gap:{self.branch.pk}:event:{self.event_id}"
        return f"duty-gap:{self.branch.pk}:{self.day.isoformat()}"


@dataclass
class RosterDay:
    day: date
    is_today: bool
    shifts: list = field(default_factory=list)
    events: list = field(default_factory=list)
    holiday: str | None = None
    gaps: list = field(default_factory=list)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def branch_engineers(branch):
    """The engineers who may be put on the branch's duty: its active engineers."""
    return User.objects.filter(branch=branch, is_active=True, groups__name=Role.ENGINEER).order_by(
        "username"
    )


def branches_for(user):
    """Every branch, the user's own first (the roster's branch switch)."""
    branches = list(Branch.objects.order_by("name"))
    own = getattr(user, "branch_id", None)
    return sorted(branches, key=lambda b: b.pk != own)


def _calendar_ids(branch: Branch) -> set[int]:
    """The business calendars (the ones that know holidays) of the branch's contracts; none,
    as for a branch whose contracts all count 7×24: every business calendar. A 7×24 calendar
    has no holidays, yet its customers need holiday duty most. One query."""
    terms = ServiceTerms.objects.filter(contract__branch=branch).filter(
        Q(response_calendar=OuterRef("pk"))
        | Q(onsite_calendar=OuterRef("pk"))
        | Q(resolution_calendar=OuterRef("pk"))
    )
    rows = (
        Calendar.objects.exclude(kind=Calendar.Kind.ALWAYS_ON)
        .annotate(used=Exists(terms))
        .values_list("pk", "used")
    )
    rows = list(rows)
    return {pk for pk, used in rows if used} or {pk for pk, _used in rows}


def holidays_between(*, branch: Branch, start: date, end: date) -> dict[date, str]:
    """The public holidays from start up to end (not included) that the calendars of the
    branch's contracts know, with their names; a day any of them marks a make-up workday is
    a working day. Two queries."""
    days = CalendarDay.objects.filter(
        calendar_id__in=_calendar_ids(branch), date__gte=start, date__lt=end
    ).values_list("date", "kind", "name")
    holidays: dict[date, str] = {}
    workdays: set[date] = set()
    for day, kind, name in days.order_by("date"):
        if kind == CalendarDay.Kind.WORKDAY:
            workdays.add(day)
        elif not holidays.get(day):
            holidays[day] = name
    return {day: name for day, name in holidays.items() if day not in workdays}


def _shifts(branch, start: datetime, end: datetime):
    return DutyShift.objects.filter(branch=branch, starts_at__lt=end, ends_at__gt=start)


def duty_gaps(*, branch: Branch, start: date, end: date) -> list[DutyGap]:
    """Holiday days and events from start up to end (not included) the branch's shifts
    leave uncovered, in order of time. Four queries."""
    holidays = holidays_between(branch=branch, start=start, end=end)
    events = list(
        DutyEvent.objects.filter(
            branch=branch, starts_at__lt=_midnight(end), ends_at__gt=_midnight(start)
        )
    )
    periods = [
        (
            "holiday",
            day,
            name or str(GapKind.HOLIDAY.label),
            _midnight(day),
            _midnight(day + timedelta(days=1)),
            None,
        )
        for day, name in holidays.items()
    ] + [
        ("event", timezone.localdate(e.starts_at), e.name, e.starts_at, e.ends_at, e.pk)
        for e in events
    ]
    if not periods:
        return []
    first = min(p[3] for p in periods)
    last = max(p[4] for p in periods)
    shifts = list(_shifts(branch, first, last).values_list("starts_at", "ends_at"))
    gaps = []
    for kind, day, name, begins, ends, event_id in periods:
        missing = uncovered(begins, ends, shifts)
        if missing:
            gaps.append(DutyGap(branch, day, kind, name, begins, ends, missing, event_id=event_id))
    return sorted(gaps, key=lambda g: (g.starts_at, g.kind))


def gaps_ahead(*, branch: Branch, today: date, days: int = GAP_DAYS) -> list[DutyGap]:
    """The gaps of the next `days` days, today included."""
    return duty_gaps(branch=branch, start=today, end=today + timedelta(days=days))


def roster_week(*, branch: Branch, monday: date, today: date) -> list[RosterDay]:
    """The seven days of a week from Monday: each day's shifts (a shift over midnight on
    both days), events, holiday and gaps. Five queries."""
    days = [monday + timedelta(days=n) for n in range(7)]
    start, end = _midnight(days[0]), _midnight(days[-1] + timedelta(days=1))
    shifts = list(
        _shifts(branch, start, end)
        .select_related("engineer", "site")
        .order_by("starts_at", "engineer__username")
    )
    events = list(
        DutyEvent.objects.filter(
            branch=branch, starts_at__lt=end, ends_at__gt=start
        ).select_related("site")
    )
    holidays = holidays_between(branch=branch, start=days[0], end=days[-1] + timedelta(days=1))
    gaps = duty_gaps(branch=branch, start=days[0], end=days[-1] + timedelta(days=1))
    roster = []
    for day in days:
        begins, ends = _midnight(day), _midnight(day + timedelta(days=1))
        roster.append(
            RosterDay(
                day=day,
                is_today=day == today,
                shifts=[s for s in shifts if s.starts_at < ends and s.ends_at > begins],
                events=[e for e in events if e.starts_at < ends and e.ends_at > begins],
                holiday=holidays.get(day) if day in holidays else None,
                gaps=_gaps_on(gaps, begins, ends),
            )
        )
    return roster


def _gaps_on(gaps: list[DutyGap], begins: datetime, ends: datetime) -> list[DutyGap]:
    """The gaps uncovered during this day, their stretches cut to it: an event running
    over midnight is a gap on each day it leaves uncovered, not on its first only."""
    on_day = []
    for gap in gaps:
        stretches = [
            (max(a, begins), min(b, ends)) for a, b in gap.uncovered if a < ends and b > begins
        ]
        if stretches:
            on_day.append(replace(gap, uncovered=stretches))
    return on_day


def shifts_for(user, *, branch_id=None, start: datetime | None = None, end: datetime | None = None):
    """The shifts the API lists: of a branch and a period when asked, to the staff only."""
    if not may.see_roster(user):
        return DutyShift.objects.none()
    condition = Q()
    if branch_id is not None:
        condition &= Q(branch_id=branch_id)
    if start is not None:
        condition &= Q(ends_at__gt=start)
    if end is not None:
        condition &= Q(starts_at__lt=end)
    return (
        DutyShift.objects.filter(condition)
        .select_related("engineer", "branch", "site")
        .order_by("starts_at", "pk")
    )
