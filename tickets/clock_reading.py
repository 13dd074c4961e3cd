"""Reading an SLA clock: its status as of now, a ticket's clocks in the order they come due,
and why a deadline is what it is (contract, calendar, pauses, the working time counted).
"""

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.schedule import Schedule
from contracts.worktime import explain_addition, skipped_days, working_time_between
from tickets.clockmath import paused_wall_time, used_time
from tickets.clocks import (
    Pauses,
    ScheduleCache,
    clock_pause_spans,
    clock_unconfirmed_years,
    schedules_kept,
)
from tickets.models import SlaClock, Ticket
from tickets.models.clocks import Outcome, clock_outcome

Kinds = SlaClock.Kind
Status = SlaClock.Status


def clock_paused_seconds(clock: SlaClock, *, now: datetime) -> int:
    return int(paused_wall_time(clock_pause_spans(clock), clock.stopped_at or now).total_seconds())


# The stored status a clock's outcome corresponds to (the API's `status` of a clock).
STATUS_OF_OUTCOME = {
    Outcome.MET: Status.MET,
    Outcome.BREACHED: Status.BREACHED,
    Outcome.AT_RISK: Status.RUNNING,
    Outcome.RUNNING: Status.RUNNING,
    Outcome.PAUSED: Status.PAUSED,
    Outcome.NOT_NEEDED: Status.CANCELLED,
}


def clock_status_now(clock: SlaClock, *, now: datetime) -> str:
    """The status as a user would see it now, even before the sweep has run (from the outcome)."""
    return STATUS_OF_OUTCOME[clock_outcome(clock, now)]


CLOCK_ORDER = {
    Kinds.RESPONSE: 0,
    Kinds.ONSITE: 1,
    Kinds.SUBSTITUTE: 2,
    Kinds.RESOLUTION: 3,
    Kinds.REPAIR: 4,
}


def clock_rows(ticket: Ticket, *, now: datetime, explain: bool = False) -> list[dict]:
    """A ticket's clocks in the order promises come due, with their outcome as of now."""
    schedules = schedules_kept() if explain else None
    rows = []
    for clock in sorted(ticket.clocks.all(), key=lambda c: CLOCK_ORDER.get(c.kind, 9)):
        row = {"clock": clock, "outcome": clock_outcome(clock, now)}
        if explain:
            row["explanation"] = clock_explain(clock, schedules=schedules)
        rows.append(row)
    return rows


def _local(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def clock_explain(clock: SlaClock, *, schedules: ScheduleCache) -> dict:
    """Why the deadline is what it is: contract, phase, priority, calendar, pauses, arithmetic."""
    ticket = clock.ticket
    terms = ticket.terms_applied or {}
    schedule = schedules.get(clock.calendar_id)
    calendar_name = clock.calendar.name if clock.calendar_id else _("calendar time (7×24)")
    pauses = clock_pause_spans(clock)
    minutes = clock.budget_seconds // 60
    lines = [
        _("Contract %(contract)s, phase %(phase)s, priority %(priority)s.")
        % {
            "contract": terms.get("contract_number", "-"),
            "phase": ticket.phase_label,
            "priority": ticket.priority,
        },
        _("Promise: %(minutes)d minutes of working time in “%(calendar)s”.")
        % {"minutes": minutes, "calendar": calendar_name},
        _("Counting from %(start)s, when the call came in.") % {"start": _local(clock.started_at)},
    ]
    lines += [_pause_line(start, end) for start, end in pauses]
    intervals = []
    skipped = []
    if clock.target_at is not None:
        intervals = _consumed_intervals(clock, schedule, pauses)
        skipped = (
            [] if schedule.always_on else skipped_days(schedule, clock.started_at, clock.target_at)
        )
        lines += [_skipped_line(day, reason) for day, reason in skipped]
        lines.append(_("Deadline: %(target)s.") % {"target": _local(clock.target_at)})
    else:
        lines.append(_("No deadline while the clock is paused."))
    # A stopped clock's outcome is final: its deadline can no longer move.
    provisional_years = [] if clock.is_stopped else clock_unconfirmed_years(schedule, clock, pauses)
    if provisional_years:
        lines.append(
            _("%(years)s holidays not confirmed yet: this deadline may still move.")
            % {"years": ", ".join(str(year) for year in provisional_years)}
        )
    return {
        "contract": terms.get("contract_number"),
        "phase": terms.get("phase", ticket.phase),
        "priority": ticket.priority,
        "calendar": calendar_name,
        "budget_minutes": minutes,
        "started_at": clock.started_at,
        "pauses": _pause_rows(schedule, pauses),
        "working_intervals": [{"start": a, "end": b} for a, b in intervals[:50]],
        "skipped_days": [{"date": d, "reason": r} for d, r in skipped],
        "target_at": clock.target_at,
        "provisional": bool(provisional_years),
        "unconfirmed_years": provisional_years,
        "text": lines,
    }


def _pause_line(start: datetime, end: datetime | None) -> str:
    return _("Paused %(start)s – %(end)s: the deadline moves by the working time paused.") % {
        "start": _local(start),
        "end": _local(end) or _("still paused"),
    }


def _pause_rows(schedule: Schedule, pauses: Pauses) -> list[dict]:
    """Each pause with the working time it held back (None while it lasts)."""
    rows = []
    for start, end in pauses:
        working = used_time(schedule, start, end, []) if end is not None else None
        rows.append(
            {
                "started_at": start,
                "ended_at": end,
                "working_seconds": None if working is None else int(working.total_seconds()),
            }
        )
    return rows


def _running_stretches(started_at: datetime, pauses: Pauses) -> Pauses:
    """The stretches the clock ran between its ended pauses; the last one has no end."""
    cursor = started_at
    stretches: Pauses = []
    for start, end in sorted(p for p in pauses if p[1] is not None):
        if start > cursor:
            stretches.append((cursor, start))
        cursor = max(cursor, end)
    stretches.append((cursor, None))
    return stretches


def _consumed_intervals(
    clock: SlaClock, schedule: Schedule, pauses: Pauses
) -> list[tuple[datetime, datetime]]:
    """The working intervals the budget used up, stretch by stretch between the pauses."""
    remaining = timedelta(seconds=clock.budget_seconds)
    intervals: list[tuple[datetime, datetime]] = []
    for start, end in _running_stretches(clock.started_at, pauses):
        if remaining <= timedelta(0):
            break
        available = remaining
        if end is not None:
            available = min(remaining, working_time_between(schedule, start, end))
        intervals.extend(explain_addition(schedule, start, available))
        remaining -= available
    return intervals


def _skipped_line(day: date, reason: str) -> str:
    return _("%(day)s is not counted (%(reason)s).") % {
        "day": day.isoformat(),
        "reason": _("holiday") if reason == "holiday" else _("weekend"),
    }
