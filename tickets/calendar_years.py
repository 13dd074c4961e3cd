"""Calendars that change under running clocks: recompute their deadlines, remind managers.

A manager edits a calendar's days or windows, imports or confirms a year:
every clock still counting on that calendar gets its deadline recomputed in
the background, and each deadline that moved leaves an event on its ticket
(from, to, why) in the reader's language. Stopped clocks never change; the
escalation steps already fired stay.

From 1 November the next year's holidays (the State Council's notice) may
not be confirmed yet: managers are told once per year until it is.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from contracts.models import Calendar
from core.queue import task_send
from core.translatable import Message
from tickets.clocks import ScheduleCache, active_rules, clock_recompute
from tickets.models import SlaClock, TicketEvent
from tickets.notify import Notice, notify_all

logger = logging.getLogger(__name__)

BATCH = 200
RECOMPUTE_TASK = "tickets.tasks.calendar_clocks_recompute"


def calendar_clocks_recompute(
    *, calendar_id: int, changes: list[dict], now: datetime | None = None
) -> int:
    """Recompute the deadlines of the clocks still counting on a calendar; returns how many moved.

    Each clock is locked while it is recomputed (the sweep skips it meanwhile).
    A moved deadline is recorded on its ticket with the calendar's changes;
    the provisional flag follows the years the new arithmetic read.
    """
    now = now or timezone.now()
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return 0
    ids = list(
        _counting(SlaClock.objects.filter(calendar_id=calendar_id))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    schedules, rules = ScheduleCache(), active_rules()
    moved = 0
    for offset in range(0, len(ids), BATCH):
        with transaction.atomic():
            clocks = (
                _counting(SlaClock.objects.filter(pk__in=ids[offset : offset + BATCH]))
                .select_for_update(of=("self",))
                .order_by("pk")
                .prefetch_related("pauses", "steps")
            )
            for clock in clocks:
                moved += _recompute_one(
                    clock,
                    calendar=calendar,
                    changes=changes,
                    now=now,
                    schedules=schedules,
                    rules=rules,
                )
    return moved


def _counting(queryset):
    return queryset.filter(stopped_at__isnull=True).exclude(status=SlaClock.Status.CANCELLED)


def _recompute_one(clock: SlaClock, *, calendar, changes, now, schedules, rules) -> int:
    before_target, before_years = clock.target_at, list(clock.unconfirmed_years)
    clock_recompute(
        clock,
        schedules=schedules,
        rules=rules,
        fired_rule_ids=[step.rule_id for step in clock.steps.all()],
    )
    if clock.target_at == before_target and clock.unconfirmed_years == before_years:
        # at_risk_at and next_step_at derive from the same schedule: unchanged too.
        return 0
    clock.save(
        update_fields=["target_at", "at_risk_at", "next_step_at", "unconfirmed_years", "updated_at"]
    )
    if clock.target_at == before_target:
        return 0
    TicketEvent.objects.create(
        ticket_id=clock.ticket_id,
        kind=TicketEvent.Kind.CLOCK,
        at=now,
        data={
            "clock": clock.kind,
            "from": _iso(before_target),
            "to": _iso(clock.target_at),
            "calendar": calendar.name,
            "changes": changes,
            "unconfirmed_years": clock.unconfirmed_years,
        },
    )
    return 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# Reading the events --------------------------------------------------------------------------


def calendar_change_text(change: dict) -> str:
    """One change of a calendar in the active language."""
    what = change.get("what")
    if what == "holiday":
        return _("%(date)s marked holiday") % {"date": change.get("date")}
    if what == "workday":
        return _("%(date)s marked make-up workday") % {"date": change.get("date")}
    if what == "removed":
        return _("%(date)s back to the weekly pattern") % {"date": change.get("date")}
    if what == "windows":
        return _("working hours changed")
    if what == "imported":
        return _("%(year)s holidays imported") % {"year": change.get("year")}
    if what == "confirmed":
        return _("%(year)s holidays confirmed") % {"year": change.get("year")}
    if what == "recomputed":
        return _("recomputed by hand")
    return _("settings changed")


def _local_text(value: str | None) -> str:
    if not value:
        return _("no deadline")
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")


def clock_moved_text(data: dict) -> str:
    """The history line of a deadline moved by a calendar change, in the reader's language."""
    kind = data.get("clock", "")
    label = SlaClock.Kind(kind).label if kind in SlaClock.Kind.values else kind
    changes = "; ".join(calendar_change_text(c) for c in data.get("changes", []))
    text = _(
        "%(clock)s deadline moved from %(from)s to %(to)s: calendar “%(calendar)s” changed: "
        "%(changes)s."
    ) % {
        "clock": label,
        "from": _local_text(data.get("from")),
        "to": _local_text(data.get("to")),
        "calendar": data.get("calendar", ""),
        "changes": changes,
    }
    years = data.get("unconfirmed_years") or []
    if years:
        text += " " + _("%(years)s holidays not confirmed yet.") % {
            "years": ", ".join(str(y) for y in years)
        }
    return text


# Queueing ------------------------------------------------------------------------------------


def calendar_changed_received(sender, *, calendar_id: int, changes: list[dict], **kwargs) -> None:
    """Recompute after the commit, in the background, and only if a clock counts on it."""
    transaction.on_commit(lambda: enqueue_recompute(calendar_id=calendar_id, changes=changes))


def enqueue_recompute(*, calendar_id: int, changes: list[dict]) -> None:
    if not _counting(SlaClock.objects.filter(calendar_id=calendar_id)).exists():
        return
    if not task_send(RECOMPUTE_TASK, calendar_id, changes):
        # Broker down: do it now rather than leave deadlines wrong.
        logger.warning("running the recompute of calendar %s now", calendar_id)
        calendar_clocks_recompute(calendar_id=calendar_id, changes=changes)


# Reminding managers --------------------------------------------------------------------------

#: From this day of the year the next year's holiday notice is due (it comes out in November).
REMIND_FROM = (11, 1)


def holiday_years_remind(*, now: datetime | None = None) -> int:
    """Tell every manager, once per year, that a year's holidays are not confirmed on some calendar.

    Checked: the current year, and from 1 November the next one. One
    notification per manager and year (its key makes a repeat impossible);
    none once every business-hours calendar has the year confirmed. Returns
    how many notifications were created.
    """
    today = timezone.localdate(now)
    years = [today.year]
    if (today.month, today.day) >= REMIND_FROM:
        years.append(today.year + 1)
    calendars = list(
        Calendar.objects.filter(kind=Calendar.Kind.BUSINESS_HOURS).prefetch_related("years")
    )
    managers = list(User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct())
    notices = []
    for year in years:
        missing = [
            c.name
            for c in calendars
            if not any(y.year == year and y.is_confirmed for y in c.years.all())
        ]
        if missing:
            message = _unconfirmed(year, missing)
            notices.append(Notice(managers, message, key=f"holiday-year-{year}"))
    return notify_all(notices)


def _unconfirmed(year: int, calendars: list[str]) -> Message:
    return Message(
        gettext_lazy("%(year)s holidays not confirmed yet"),
        gettext_lazy(
            "These business-hours calendars do not have %(year)s confirmed: %(calendars)s. "
            "Deadlines that fall in %(year)s are provisional. When the State Council publishes "
            "the %(year)s holiday notice, enter its holidays and make-up workdays (调休) in the "
            "admin and confirm the year."
        ),
        {"year": year, "calendars": ", ".join(calendars)},
    )
