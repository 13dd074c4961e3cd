"""SLA clocks: start them from the contract terms, stop, pause, resume, recompute.

How a clock reads to a person (its status now, why its deadline is what it is) is in
tickets.clock_reading.

Every function here takes `now` or an instant explicitly; none reads the wall clock.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.cache import kept, reference_stamp
from contracts.models import Calendar, ServiceTerms
from contracts.phases import Phase
from contracts.schedule import Schedule
from contracts.worktime import unconfirmed_years
from tickets.clockmath import moment_when_used
from tickets.models import (
    ClockPause,
    EscalationRule,
    Kind,
    SlaClock,
    Ticket,
    trial_answer_of,
    trial_fix_hours,
)
from tickets.models.clocks import Outcome, clock_outcome

Kinds = SlaClock.Kind
Status = SlaClock.Status
# The phases in which a contract's substitute-device promise holds (seed 002, 4.5.2: 质保期内).
SUBSTITUTE_PHASES = (Phase.TRIAL, Phase.WARRANTY)
# (start, end) of a clock's pauses; end is None while the pause lasts.
Pauses = list[tuple[datetime, datetime | None]]


class ScheduleCache:
    """Calendars turned into pure schedules, once per calendar per unit of work.

    Given the reference stamp (contracts.cache.reference_stamp), schedules are also kept
    across units of work in this process until a contract or calendar changes.
    """

    def __init__(self, *, stamp: object = None) -> None:
        self._schedules: dict[int | None, Schedule] = {}
        self._stamp = stamp

    def get(self, calendar_id: int | None) -> Schedule:
        if calendar_id not in self._schedules:
            if self._stamp is None:
                self._schedules[calendar_id] = _schedule_read(calendar_id)
            else:
                self._schedules[calendar_id] = kept(
                    ("schedule", calendar_id), self._stamp, lambda: _schedule_read(calendar_id)
                )
        return self._schedules[calendar_id]


def schedules_kept() -> ScheduleCache:
    """Schedules for reading clocks (the ticket page, the API, the admin): kept in the
    process until a contract or calendar changes, for one stamp read per unit of work
    instead of a calendar's four queries and its schedule built again each time."""
    return ScheduleCache(stamp=reference_stamp())


def _schedule_read(calendar_id: int | None) -> Schedule:
    if calendar_id is None:
        return Schedule.around_the_clock(ZoneInfo(settings.TIME_ZONE))
    calendar = Calendar.objects.get(pk=calendar_id)
    if not calendar.is_always_on:
        # Only business hours need their windows, holidays, make-up days and years.
        calendar = Calendar.objects.prefetch_related("windows", "days", "years").get(pk=calendar_id)
    return calendar.schedule()


def active_rules() -> list[EscalationRule]:
    return list(EscalationRule.objects.filter(is_active=True))


def clock_budgets(ticket: Ticket, terms: ServiceTerms | None) -> dict[str, tuple[int, int | None]]:
    """Which clocks a ticket gets under these terms: kind -> (seconds allowed, calendar id).

    Response for every kind; on site only for kinds that may need a visit;
    resolution except for change requests (their work is planned after
    sign-off); repair or replace and the substitute device only for faults of hardware,
    in calendar time.
    """
    answer = _complaint_answer(ticket)
    if terms is None:
        return answer
    budgets = {Kinds.RESPONSE: (terms.response_minutes * 60, terms.response_calendar_id), **answer}
    if ticket.kind == Kind.CHANGE_REQUEST:
        return budgets
    if ticket.kind == Kind.FAULT and terms.onsite_minutes:
        budgets[Kinds.ONSITE] = (terms.onsite_minutes * 60, terms.onsite_calendar_id)
    if terms.resolution_minutes:
        budgets[Kinds.RESOLUTION] = (terms.resolution_minutes * 60, terms.resolution_calendar_id)
    trial = trial_resolution_budget(ticket)
    if trial is not None:
        budgets[Kinds.RESOLUTION] = trial
    item = ticket.covered_item
    if item is None or not item.is_hardware or ticket.kind != Kind.FAULT:
        return budgets
    if terms.repair_days:
        budgets[Kinds.REPAIR] = (terms.repair_days * 86400, None)
    # The contract's promise for its trial and warranty (seed 002, 4.5.2), as the ticket's
    # terms snapshot holds it: not fixed within these hours, a device of the same class
    # stands in; counted in calendar hours.
    snapshot = ticket.terms_applied or {}
    substitute_hours = snapshot.get("substitute_device_hours")
    if substitute_hours and snapshot.get("phase") in SUBSTITUTE_PHASES:
        budgets[Kinds.SUBSTITUTE] = (substitute_hours * 3600, None)
    return budgets


def trial_resolution_budget(ticket: Ticket) -> tuple[int, None] | None:
    """In trial operation the answer's size picks the resolution time (seed 000, 1.4.1:
    "小问题的处理时间不超过 1天，大问题的处理不超过 2天"), in calendar hours from the report;
    None until the answer is complete (the terms' resolution time holds, if any)."""
    hours = trial_fix_hours(ticket)
    answer = trial_answer_of(ticket) if hours else None
    if answer is None or answer.answered_at is None:
        return None
    return (hours[answer.size] * 3600, None)


def _complaint_answer(ticket: Ticket) -> dict[str, tuple[int, int | None]]:
    """A complaint is answered by the service manager within the contract's hours (seed 004,
    7.1.2.2: "在规定时限内答复用户"), in calendar time, covered or not."""
    hours = (ticket.terms_applied or {}).get("complaint_answer_hours")
    if ticket.kind != Kind.COMPLAINT or not hours:
        return {}
    return {Kinds.ANSWER: (hours * 3600, None)}


def clock_pause_spans(clock: SlaClock) -> Pauses:
    return [(p.started_at, p.ended_at) for p in clock.pauses.all()]


def clock_recompute(
    clock: SlaClock,
    *,
    schedules: ScheduleCache,
    rules: list[EscalationRule],
    fired_rule_ids: Iterable[int],
    pauses: Pauses | None = None,
) -> SlaClock:
    """Derive target, at-risk moment and next escalation step from start, budget and pauses.

    Also which years of unconfirmed holidays the deadline arithmetic read
    (`unconfirmed_years`: the deadline is provisional). Changes the instance
    only; the caller saves it.
    """
    schedule = schedules.get(clock.calendar_id)
    pauses = clock_pause_spans(clock) if pauses is None else pauses
    budget = timedelta(seconds=clock.budget_seconds)
    try:
        clock.target_at = moment_when_used(schedule, clock.started_at, budget, pauses)
    except ValueError as exc:
        raise ValidationError(
            {"contract": _("The calendar of this promise has no working time at all.")}
        ) from exc
    clock.unconfirmed_years = clock_unconfirmed_years(schedule, clock, pauses)
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


def clock_unconfirmed_years(schedule: Schedule, clock: SlaClock, pauses: Pauses) -> list[int]:
    """The years of unconfirmed holidays the clock's deadline arithmetic reads."""
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
