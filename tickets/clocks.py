"""SLA clocks: start them from the contract terms, stop, pause, resume, recompute, explain.

Every function here takes `now` or an instant explicitly; none reads the wall clock.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Calendar, ServiceTerms
from contracts.worktime import (
    Schedule,
    explain_addition,
    skipped_days,
    unconfirmed_years,
    working_time_between,
)
from tickets.clockmath import moment_when_used, paused_wall_time, used_time
from tickets.models import ClockPause, EscalationRule, Kind, SlaClock, Ticket
from tickets.models.clocks import Outcome, clock_outcome

Kinds = SlaClock.Kind
Status = SlaClock.Status


class ScheduleCache:
    """Calendars turned into pure schedules, once per calendar per unit of work."""

    def __init__(self) -> None:
        self._schedules: dict[int | None, Schedule] = {}

    def get(self, calendar_id: int | None) -> Schedule:
        if calendar_id not in self._schedules:
            if calendar_id is None:
                schedule = Schedule.around_the_clock(ZoneInfo(settings.TIME_ZONE))
            else:
                calendar = Calendar.objects.get(pk=calendar_id)
                if not calendar.is_always_on:
                    # Only business hours need their windows, holidays, make-up days and years.
                    calendar = Calendar.objects.prefetch_related("windows", "days", "years").get(
                        pk=calendar_id
                    )
                schedule = calendar.schedule()
            self._schedules[calendar_id] = schedule
        return self._schedules[calendar_id]


def active_rules() -> list[EscalationRule]:
    return list(EscalationRule.objects.filter(is_active=True))


def clock_budgets(ticket: Ticket, terms: ServiceTerms | None) -> dict[str, tuple[int, int | None]]:
    """Which clocks a ticket gets under these terms: kind -> (seconds allowed, calendar id).

    Response for every kind; on site only for kinds that may need a visit;
    resolution except for change requests (their work is planned after
    sign-off); repair or replace only for hardware, in calendar days.
    """
    if terms is None:
        return {}
    budgets = {Kinds.RESPONSE: (terms.response_minutes * 60, terms.response_calendar_id)}
    if ticket.kind == Kind.CHANGE_REQUEST:
        return budgets
    if ticket.kind == Kind.FAULT and terms.onsite_minutes:
        budgets[Kinds.ONSITE] = (terms.onsite_minutes * 60, terms.onsite_calendar_id)
    if terms.resolution_minutes:
        budgets[Kinds.RESOLUTION] = (terms.resolution_minutes * 60, terms.resolution_calendar_id)
    item = ticket.covered_item
    if terms.repair_days and item is not None and item.is_hardware and ticket.kind == Kind.FAULT:
        budgets[Kinds.REPAIR] = (terms.repair_days * 86400, None)
    return budgets


def _pauses(clock: SlaClock) -> list[tuple[datetime, datetime | None]]:
    return [(p.started_at, p.ended_at) for p in clock.pauses.all()]


def clock_recompute(
    clock: SlaClock,
    *,
    schedules: ScheduleCache,
    rules: list[EscalationRule],
    fired_rule_ids: Iterable[int],
    pauses: list[tuple[datetime, datetime | None]] | None = None,
) -> SlaClock:
    """Derive target, at-risk moment and next escalation step from start, budget and pauses.

    Also which years of unconfirmed holidays the deadline arithmetic read
    (`unconfirmed_years`: the deadline is provisional). Changes the instance
    only; the caller saves it.
    """
    schedule = schedules.get(clock.calendar_id)
    pauses = _pauses(clock) if pauses is None else pauses
    budget = timedelta(seconds=clock.budget_seconds)
    try:
        clock.target_at = moment_when_used(schedule, clock.started_at, budget, pauses)
    except ValueError as exc:
        raise ValidationError(
            {"contract": _("The calendar of this promise has no working time at all.")}
        ) from exc
    clock.unconfirmed_years = _unconfirmed_years(schedule, clock, pauses)
    thresholds = sorted(
        r.threshold_seconds(clock.budget_seconds)
        for r in rules
        if r.applies_to(clock.kind) and r.kind == EscalationRule.Kind.WARNING
    )
    clock.at_risk_at = (
        moment_when_used(schedule, clock.started_at, timedelta(seconds=thresholds[0]), pauses)
        if thresholds
        else None
    )
    clock.next_step_at = None
    if not clock.is_stopped:
        fired = set(fired_rule_ids)
        pending = [
            r.threshold_seconds(clock.budget_seconds)
            for r in rules
            if r.applies_to(clock.kind) and r.pk not in fired
        ]
        if pending:
            clock.next_step_at = moment_when_used(
                schedule, clock.started_at, timedelta(seconds=min(pending)), pauses
            )
    return clock


def _unconfirmed_years(
    schedule: Schedule, clock: SlaClock, pauses: list[tuple[datetime, datetime | None]]
) -> list[int]:
    # The arithmetic reads the days from the start to the deadline; with an
    # open pause there is no deadline yet, only the days up to the pause.
    end = clock.target_at
    if end is None:
        end = max([clock.started_at, *(start for start, _end in pauses)])
    return unconfirmed_years(schedule, clock.started_at, end)


def clocks_start(
    *,
    ticket: Ticket,
    terms: ServiceTerms | None,
    schedules: ScheduleCache,
    kinds: list[str] | None = None,
) -> list[SlaClock]:
    """Create the ticket's clocks; every promise counts from the moment the call came in."""
    rules = active_rules()
    clocks = []
    for kind, (seconds, calendar_id) in clock_budgets(ticket, terms).items():
        if kinds is not None and kind not in kinds:
            continue
        clock = SlaClock(
            ticket=ticket,
            kind=kind,
            calendar_id=calendar_id,
            budget_seconds=seconds,
            started_at=ticket.reported_at,
        )
        clock_recompute(clock, schedules=schedules, rules=rules, fired_rule_ids=(), pauses=[])
        clocks.append(clock)
    return SlaClock.objects.bulk_create(clocks)


def _keep_steps_due_before(clock: SlaClock, at: datetime) -> None:
    # Steps that fell due before the stop are still owed (the sweep may not
    # have run yet); later ones never fall due.
    if clock.next_step_at is not None and clock.next_step_at > at:
        clock.next_step_at = None


def clock_stop(clock: SlaClock, *, at: datetime) -> SlaClock:
    """Stop a clock: met if stopped by its target, otherwise breached at the target.

    The outcome is `clock_outcome`'s; a breach recorded earlier (under other
    terms) stays a breach.
    """
    clock.stopped_at = at
    _keep_steps_due_before(clock, at)
    if clock_outcome(clock, at) == Outcome.BREACHED:
        clock.status = Status.BREACHED
        clock.breached_at = clock.breached_at or clock.target_at
    else:
        clock.status = Status.MET
    clock.save(update_fields=["stopped_at", "next_step_at", "status", "breached_at", "updated_at"])
    return clock


def clock_cancel(clock: SlaClock, *, at: datetime) -> SlaClock:
    """The promise no longer applies (ticket cancelled, no visit needed).

    A breach stays, including a deadline passed before the sweep noticed it.
    """
    clock.pauses.filter(ended_at__isnull=True).update(ended_at=at, updated_at=timezone.now())
    clock.stopped_at = at
    _keep_steps_due_before(clock, at)
    if clock_outcome(clock, at) == Outcome.BREACHED:
        clock.status = Status.BREACHED
        clock.breached_at = clock.breached_at or clock.target_at
    else:
        clock.status = Status.CANCELLED
    clock.save(update_fields=["stopped_at", "next_step_at", "status", "breached_at", "updated_at"])
    return clock


def clock_pause(clock: SlaClock, *, at: datetime, reason: str) -> SlaClock:
    """Pause a clock: no target while paused. A deadline already passed stays a breach."""
    if clock.breached_at is None and clock_outcome(clock, at) == Outcome.BREACHED:
        # Past its target before the sweep noticed: record it before the target goes.
        clock.breached_at = clock.target_at
    ClockPause.objects.create(clock=clock, started_at=at, reason=reason)
    clock.status = Status.PAUSED
    clock.target_at = None
    clock.next_step_at = None
    clock.save(update_fields=["status", "target_at", "next_step_at", "breached_at", "updated_at"])
    return clock


def clock_resume(
    clock: SlaClock, *, at: datetime, schedules: ScheduleCache, rules: list[EscalationRule]
) -> SlaClock:
    clock.pauses.filter(ended_at__isnull=True).update(ended_at=at, updated_at=timezone.now())
    clock.status = Status.BREACHED if clock.breached_at else Status.RUNNING
    clock_save_recomputed(clock, schedules=schedules, rules=rules)
    return clock


def clock_reopen(
    clock: SlaClock, *, at: datetime, schedules: ScheduleCache, rules: list[EscalationRule]
) -> SlaClock:
    """Run a stopped clock again; the time the ticket stood resolved does not count."""
    if clock.stopped_at is not None and clock.stopped_at < at:
        ClockPause.objects.create(
            clock=clock, started_at=clock.stopped_at, ended_at=at, reason="reopened"
        )
    clock.stopped_at = None
    clock.status = Status.BREACHED if clock.breached_at else Status.RUNNING
    clock_save_recomputed(clock, schedules=schedules, rules=rules)
    return clock


def clock_save_recomputed(
    clock: SlaClock, *, schedules: ScheduleCache, rules: list[EscalationRule]
) -> SlaClock:
    fired = clock.steps.values_list("rule_id", flat=True)
    clock_recompute(clock, schedules=schedules, rules=rules, fired_rule_ids=list(fired))
    clock.save()
    return clock


def clock_paused_seconds(clock: SlaClock, *, now: datetime) -> int:
    return int(paused_wall_time(_pauses(clock), clock.stopped_at or now).total_seconds())


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


CLOCK_ORDER = {Kinds.RESPONSE: 0, Kinds.ONSITE: 1, Kinds.RESOLUTION: 2, Kinds.REPAIR: 3}


def clock_rows(ticket: Ticket, *, now: datetime, explain: bool = False) -> list[dict]:
    """A ticket's clocks in the order promises come due, with their outcome as of now."""
    schedules = ScheduleCache() if explain else None
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
    pauses = _pauses(clock)
    minutes = clock.budget_seconds // 60
    lines = [
        _("Contract %(contract)s, phase %(phase)s, priority %(priority)s.")
        % {
            "contract": terms.get("contract_number", "-"),
            "phase": terms.get("phase_label", ticket.phase),
            "priority": ticket.priority,
        },
        _("Promise: %(minutes)d minutes of working time in “%(calendar)s”.")
        % {"minutes": minutes, "calendar": calendar_name},
        _("Counting from %(start)s, when the call came in.") % {"start": _local(clock.started_at)},
    ]
    pause_rows = []
    for start, end in pauses:
        working = used_time(schedule, start, end, []) if end is not None else None
        pause_rows.append(
            {
                "started_at": start,
                "ended_at": end,
                "working_seconds": None if working is None else int(working.total_seconds()),
            }
        )
        lines.append(
            _("Paused %(start)s – %(end)s: the deadline moves by the working time paused.")
            % {"start": _local(start), "end": _local(end) or _("still paused")}
        )
    intervals = []
    skipped = []
    if clock.target_at is not None:
        # The budget is consumed segment by segment between the pauses.
        remaining = timedelta(seconds=clock.budget_seconds)
        cursor = clock.started_at
        segments: list[tuple[datetime, datetime | None]] = []
        for start, end in sorted(p for p in pauses if p[1] is not None):
            if start > cursor:
                segments.append((cursor, start))
            cursor = max(cursor, end)
        segments.append((cursor, None))
        for seg_start, seg_end in segments:
            if remaining <= timedelta(0):
                break
            available = remaining
            if seg_end is not None:
                available = min(remaining, working_time_between(schedule, seg_start, seg_end))
            intervals.extend(explain_addition(schedule, seg_start, available))
            remaining -= available
        skipped = (
            [] if schedule.always_on else skipped_days(schedule, clock.started_at, clock.target_at)
        )
        for day, reason in skipped:
            lines.append(
                _("%(day)s is not counted (%(reason)s).")
                % {
                    "day": day.isoformat(),
                    "reason": _("holiday") if reason == "holiday" else _("weekend"),
                }
            )
    if clock.target_at is not None:
        lines.append(_("Deadline: %(target)s.") % {"target": _local(clock.target_at)})
    else:
        lines.append(_("No deadline while the clock is paused."))
    # A stopped clock's outcome is final: its deadline can no longer move.
    provisional_years = [] if clock.is_stopped else _unconfirmed_years(schedule, clock, pauses)
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
        "pauses": pause_rows,
        "working_intervals": [{"start": a, "end": b} for a, b in intervals[:50]],
        "skipped_days": [{"date": d, "reason": r} for d, r in skipped],
        "target_at": clock.target_at,
        "provisional": bool(provisional_years),
        "unconfirmed_years": provisional_years,
        "text": lines,
    }
