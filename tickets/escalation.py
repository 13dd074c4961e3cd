"""The escalation sweep: find clocks whose next step is due, record each step once, notify once.

The database holds every deadline (`SlaClock.next_step_at`, indexed). Beat
runs `sweep_due_steps` every few seconds; `manage.py sla_sweep` runs the same
function. Nothing relies on ETA tasks, whose delivery Redis can duplicate
(celery/celery#2599, celery/kombu#337): if no worker ran for an hour, the next
sweep finds everything that fell due in between and records each step once.

Concurrency: due clocks are taken with `SELECT ... FOR UPDATE SKIP LOCKED`,
so several workers sweep at once without waiting on or repeating each other;
a unique constraint on (clock, rule) makes a repeated step impossible even so.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role, Tier
from core.translatable import Message
from tickets.clockmath import moment_when_used
from tickets.clocks import ScheduleCache, active_rules
from tickets.heartbeats import heartbeat_record
from tickets.models import (
    ClockPause,
    EscalationRule,
    EscalationStep,
    Heartbeat,
    SlaClock,
    Ticket,
    TicketEvent,
)
from tickets.models.records import event_note
from tickets.notify import Notice, notify_all
from tickets.rollups import rollups_refresh_tickets

logger = logging.getLogger(__name__)

RuleKind = EscalationRule.Kind


@dataclass
class SweepResult:
    clocks: int = 0
    steps: int = 0
    notifications: int = 0
    step_ids: list[int] = field(default_factory=list)


class _Staff:
    """Active staff loaded once per sweep: who is in which tier and branch."""

    def __init__(self) -> None:
        self.by_id: dict[int, User] = {}
        self.roles: dict[int, set[str]] = defaultdict(set)
        users = User.objects.filter(is_active=True).exclude(tier="").prefetch_related("groups")
        for user in users:
            self.by_id[user.pk] = user
            self.roles[user.pk] = {g.name for g in user.groups.all()}

    def _with(self, *, tier: str, role: str | None = None, branch_id=None) -> list[User]:
        return [
            u
            for u in self.by_id.values()
            if u.tier == tier
            and (role is None or role in self.roles[u.pk])
            and (branch_id is None or u.branch_id == branch_id)
        ]

    def recipients(self, ticket: Ticket, tier: str) -> list[User]:
        """Who a step of this tier reaches for this ticket.

        Implementation group: the assigned engineer, else the engineers of the
        ticket's branch, else the hotline agents (someone must dispatch).
        Management group: the contract's service manager and the managers of
        the branch, else every manager. Leadership group: all of it.
        """
        if tier == Tier.IMPLEMENTATION:
            engineer = self.by_id.get(ticket.assigned_engineer_id)
            if engineer is not None:
                return [engineer]
            found = self._with(tier=tier, role=Role.ENGINEER, branch_id=ticket.branch_id)
            return found if ticket.branch_id and found else self._with(tier=tier, role=Role.AGENT)
        if tier == Tier.MANAGEMENT:
            found = []
            manager_id = ticket.contract.service_manager_id if ticket.contract_id else None
            if manager_id in self.by_id:
                found.append(self.by_id[manager_id])
            if ticket.branch_id:
                found += [
                    u
                    for u in self._with(tier=tier, branch_id=ticket.branch_id)
                    if u.pk != manager_id
                ]
            return found or self._with(tier=tier)
        return self._with(tier=tier)


def _step_message(ticket: Ticket, clock: SlaClock, rule: EscalationRule) -> Message:
    target = (
        timezone.localtime(clock.target_at).strftime("%Y-%m-%d %H:%M") if clock.target_at else "-"
    )
    params = {
        "number": ticket.number,
        "clock": SlaClock.Kind(clock.kind).label,
        "percent": rule.percent,
        "tier": Tier(rule.tier).label,
        "customer": ticket.customer.name,
        "summary": ticket.summary,
        "priority": ticket.priority,
        "target": target,
    }
    if rule.kind == RuleKind.WARNING:
        title = gettext_lazy(
            "[%(number)s] %(clock)s deadline at risk: %(percent)d%% of the time used"
        )
    elif rule.kind == RuleKind.BREACH:
        title = gettext_lazy("[%(number)s] %(clock)s deadline breached")
    else:
        title = gettext_lazy(
            "[%(number)s] %(clock)s deadline still breached: escalated to %(tier)s"
        )
    body = gettext_lazy("%(customer)s · %(summary)s\nPriority %(priority)s, deadline %(target)s.")
    return Message(title, body, params)


def _due_rules(clock, rules, fired, schedule, pauses, now):
    due = []
    for rule in rules:
        if not rule.applies_to(clock.kind) or rule.pk in fired:
            continue
        seconds = rule.threshold_seconds(clock.budget_seconds)
        moment = moment_when_used(schedule, clock.started_at, timedelta(seconds=seconds), pauses)
        if moment is not None and moment <= now:
            due.append((rule, moment, seconds))
    return due


@dataclass
class _Facts:
    """What a batch of clocks needs besides the clocks, loaded in three queries."""

    fired: dict[int, set[int]]
    pauses: dict[int, list]
    tickets: dict[int, Ticket]


def _facts_load(clocks: list[SlaClock]) -> _Facts:
    ids = [c.pk for c in clocks]
    fired: dict[int, set[int]] = defaultdict(set)
    for clock_id, rule_id in EscalationStep.objects.filter(clock_id__in=ids).values_list(
        "clock_id", "rule_id"
    ):
        fired[clock_id].add(rule_id)
    pauses: dict[int, list] = defaultdict(list)
    for p in ClockPause.objects.filter(clock_id__in=ids).order_by("started_at"):
        pauses[p.clock_id].append((p.started_at, p.ended_at))
    tickets = Ticket.objects.select_related("customer", "contract").in_bulk(
        {c.ticket_id for c in clocks}
    )
    return _Facts(fired=fired, pauses=pauses, tickets=tickets)


def _process_batch(clocks: list[SlaClock], *, now, rules, schedules, staff) -> SweepResult:
    facts = _facts_load(clocks)
    recorded_before = {clock.pk: (clock.warned_at, clock.breached_at) for clock in clocks}
    new_steps: list[EscalationStep] = []
    for clock in clocks:
        schedule = schedules.get(clock.calendar_id)
        new_steps += _clock_advance(clock, facts=facts, rules=rules, schedule=schedule, now=now)
    created = EscalationStep.objects.bulk_create(new_steps)
    notified = _steps_record(created, staff=staff, now=now)
    _clocks_save(clocks, now=now)
    # A first warning or a breach recorded changes the outcome the SLA rollups count the
    # clock under (tickets.rollups): its bucket is recounted. No ticket's measured moment
    # changes here, so the duration histograms stay as they are.
    rollups_refresh_tickets(
        {
            clock.ticket_id: facts.tickets[clock.ticket_id]
            for clock in clocks
            if (clock.warned_at, clock.breached_at) != recorded_before[clock.pk]
        }.values(),
        durations=False,
    )
    return SweepResult(
        clocks=len(clocks),
        steps=len(created),
        notifications=notified,
        step_ids=[s.pk for s in created],
    )


# One statement for the batch, each row matched by its id: Django's bulk_update
# writes a CASE WHEN per row and column, which PostgreSQL evaluates row by row
# (quadratic in the batch; 64 % of a sweep's time at 500 clocks).
_CLOCKS_SAVE_SQL = """UPDATE {table} AS c
SET next_step_at = v.next_step_at, warned_at = v.warned_at, breached_at = v.breached_at,
    status = v.status, updated_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(next)s::timestamptz[], %(warned)s::timestamptz[],
            %(breached)s::timestamptz[], %(status)s::text[])
    AS v(id, next_step_at, warned_at, breached_at, status)
WHERE c.id = v.id
"""


def _clocks_save(clocks: list[SlaClock], *, now: datetime) -> None:
    """Write what the sweep changed on its (locked) clocks."""
    for clock in clocks:
        clock.updated_at = now
    if connection.vendor != "postgresql":
        SlaClock.objects.bulk_update(
            clocks, ["next_step_at", "warned_at", "breached_at", "status", "updated_at"]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _CLOCKS_SAVE_SQL.format(table=connection.ops.quote_name(SlaClock._meta.db_table)),
            {
                "now": now,
                "ids": [c.pk for c in clocks],
                "next": [c.next_step_at for c in clocks],
                "warned": [c.warned_at for c in clocks],
                "breached": [c.breached_at for c in clocks],
                "status": [c.status for c in clocks],
            },
        )


def _clock_advance(clock: SlaClock, *, facts: _Facts, rules, schedule, now) -> list[EscalationStep]:
    """The steps this clock reached by `now`, unsaved; marks the clock, sets its next step."""
    fired, pauses = facts.fired[clock.pk], facts.pauses[clock.pk]
    # A stopped clock still owes the steps that fell due before it stopped.
    horizon = min(now, clock.stopped_at) if clock.stopped_at else now
    try:
        due = _due_rules(clock, rules, fired, schedule, pauses, horizon)
    except ValueError:
        # Its calendar has no working time at all: nothing can fall due.
        logger.exception("clock %s: calendar without working time", clock.pk)
        clock.next_step_at = now + timedelta(hours=1)
        return []
    latest = max((seconds for _, _, seconds in due), default=None)
    steps = []
    for rule, moment, seconds in sorted(due, key=lambda d: d[2]):
        steps.append(
            EscalationStep(
                clock=clock,
                rule=rule,
                ticket=facts.tickets[clock.ticket_id],
                kind=rule.kind,
                tier=rule.tier,
                due_at=moment,
                fired_at=now,
                # After an outage several steps can fall due at once: an "at risk"
                # warning for a clock already past a later step is recorded, not sent.
                superseded=rule.kind == RuleKind.WARNING and seconds < latest,
            )
        )
        fired.add(rule.pk)
        _clock_mark(clock, rule, moment)
    clock.next_step_at = _next_step_at(clock, rules, fired, schedule, pauses, now)
    return steps


def _clock_mark(clock: SlaClock, rule: EscalationRule, moment: datetime) -> None:
    """A step reached: the clock's first warning, or its breach, at the step's moment."""
    if rule.kind == RuleKind.WARNING and clock.warned_at is None:
        clock.warned_at = moment
    if (
        rule.kind in (RuleKind.BREACH, RuleKind.ESCALATION)
        and clock.breached_at is None
        # A breach is the target passing (tickets.models.clocks), not a rung set early.
        and (clock.target_at is None or clock.target_at <= moment)
    ):
        clock.breached_at = clock.target_at or moment
        # A paused clock stays paused (resume must find it); the breach is recorded.
        if clock.status != SlaClock.Status.PAUSED:
            clock.status = SlaClock.Status.BREACHED


def _next_step_at(clock, rules, fired, schedule, pauses, now) -> datetime | None:
    """The next rung, from the same arithmetic as the ones just taken."""
    pending = [
        r.threshold_seconds(clock.budget_seconds)
        for r in rules
        if r.applies_to(clock.kind) and r.pk not in fired
    ]
    if not pending or clock.is_stopped:
        return None
    moment = moment_when_used(schedule, clock.started_at, timedelta(seconds=min(pending)), pauses)
    if moment is not None and moment <= now:
        # Cannot happen with consistent data; never spin on one clock.
        logger.error("clock %s: next step %s is already due", clock.pk, moment)
        return now + timedelta(minutes=1)
    return moment


def _steps_record(steps: list[EscalationStep], *, staff: "_Staff", now) -> int:
    """An event on each step's ticket, and a notification to its tier unless superseded."""
    events: list[TicketEvent] = []
    notices: list[Notice] = []
    for step in steps:
        message = _step_message(step.ticket, step.clock, step.rule)
        events.append(
            TicketEvent(
                ticket=step.ticket,
                kind=TicketEvent.Kind.ESCALATION,
                at=now,
                **event_note(message),
                data={
                    "step": step.pk,
                    "clock": step.clock.kind,
                    "rule": step.rule_id,
                    "kind": step.kind,
                    "tier": step.tier,
                    "due_at": step.due_at.isoformat(),
                    "superseded": step.superseded,
                },
            )
        )
        if not step.superseded:
            recipients = staff.recipients(step.ticket, step.tier)
            notices.append(Notice(recipients, message, ticket=step.ticket, step=step))
    notified = notify_all(notices)
    TicketEvent.objects.bulk_create(events)
    return notified


def sweep_due_steps(*, now: datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Record and notify every escalation step due by `now`; safe to run anywhere, any time.

    Messages are written in the site's language, whatever process runs the
    sweep (management commands run with translations off). Each completed run
    writes the `sla_sweep` heartbeat, whoever ran it (beat's task or the command).
    """
    with translation.override(settings.LANGUAGE_CODE):
        result = _sweep(now=now or timezone.now(), batch_size=batch_size)
    # Only a completed run counts: /healthz and the staff banner read this.
    heartbeat_record(name=Heartbeat.Name.SLA_SWEEP)
    return result


def _sweep(*, now: datetime, batch_size: int) -> SweepResult:
    total = SweepResult()
    rules = active_rules()
    if not rules:
        return total
    schedules = ScheduleCache()
    staff = None
    for _attempt in range(10_000):
        try:
            with transaction.atomic():
                clocks = list(
                    SlaClock.objects.filter(next_step_at__lte=now)
                    .order_by("next_step_at")
                    .select_for_update(skip_locked=True)[:batch_size]
                )
                if not clocks:
                    break
                staff = staff or _Staff()
                result = _process_batch(
                    clocks, now=now, rules=rules, schedules=schedules, staff=staff
                )
        except IntegrityError:
            # Another sweeper recorded one of these steps first (possible only
            # where the database has no row locks, e.g. SQLite): the unique
            # constraint refused the repeat and the batch rolled back whole.
            logger.info("sweep batch lost a race; taking the next batch")
            continue
        total.clocks += result.clocks
        total.steps += result.steps
        total.notifications += result.notifications
        total.step_ids += result.step_ids
        if len(clocks) < batch_size:
            break
    return total


@transaction.atomic
def escalation_acknowledge(*, step: EscalationStep, user: User, now: datetime | None = None):
    """Someone of the step's tier takes it on; the step leaves the unacknowledged list."""
    now = now or timezone.now()
    step = EscalationStep.objects.select_for_update().get(pk=step.pk)
    if not (user.is_superuser or user.tier == step.tier):
        raise PermissionDenied(
            _("Only the %(tier)s can acknowledge this escalation.")
            % {"tier": Tier(step.tier).label}
        )
    if step.acknowledged_at is None:
        step.acknowledged_at = now
        step.acknowledged_by = user
        step.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
        TicketEvent.objects.create(
            ticket_id=step.ticket_id,
            kind=TicketEvent.Kind.ESCALATION,
            at=now,
            actor=user,
            **event_note(
                Message(
                    gettext_lazy("Escalation acknowledged by %(user)s"), params={"user": str(user)}
                )
            ),
            data={"step": step.pk, "acknowledged": True},
        )
    return step
