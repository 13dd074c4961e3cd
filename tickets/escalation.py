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
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, Tier
from tickets.clockmath import moment_when_used
from tickets.clocks import ScheduleCache, active_rules
from tickets.heartbeats import heartbeat_record
from tickets.models import (
    ClockPause,
    EscalationRule,
    EscalationStep,
    Heartbeat,
    Notification,
    SlaClock,
    Ticket,
    TicketEvent,
)

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


def _step_text(ticket: Ticket, clock: SlaClock, rule: EscalationRule) -> tuple[str, str]:
    clock_name = SlaClock.Kind(clock.kind).label
    target = (
        timezone.localtime(clock.target_at).strftime("%Y-%m-%d %H:%M") if clock.target_at else "-"
    )
    if rule.kind == RuleKind.WARNING:
        title = _("[%(number)s] %(clock)s deadline at risk: %(percent)d%% of the time used") % {
            "number": ticket.number,
            "clock": clock_name,
            "percent": rule.percent,
        }
    elif rule.kind == RuleKind.BREACH:
        title = _("[%(number)s] %(clock)s deadline breached") % {
            "number": ticket.number,
            "clock": clock_name,
        }
    else:
        title = _("[%(number)s] %(clock)s deadline still breached: escalated to %(tier)s") % {
            "number": ticket.number,
            "clock": clock_name,
            "tier": Tier(rule.tier).label,
        }
    body = _("%(customer)s · %(summary)s\nPriority %(priority)s, deadline %(target)s.") % {
        "customer": ticket.customer.name,
        "summary": ticket.summary,
        "priority": ticket.priority,
        "target": target,
    }
    return title, body


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


def _process_batch(clocks: list[SlaClock], *, now, rules, schedules, staff) -> SweepResult:
    result = SweepResult(clocks=len(clocks))
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

    new_steps: list[EscalationStep] = []
    texts: list[tuple[str, str]] = []
    for clock in clocks:
        ticket = tickets[clock.ticket_id]
        schedule = schedules.get(clock.calendar_id)
        # A stopped clock still owes the steps that fell due before it stopped.
        horizon = min(now, clock.stopped_at) if clock.stopped_at else now
        try:
            due = _due_rules(clock, rules, fired[clock.pk], schedule, pauses[clock.pk], horizon)
        except ValueError:
            # Its calendar has no working time at all: nothing can fall due.
            logger.exception("clock %s: calendar without working time", clock.pk)
            clock.next_step_at = now + timedelta(hours=1)
            continue
        latest = max((seconds for _, _, seconds in due), default=None)
        for rule, moment, seconds in sorted(due, key=lambda d: d[2]):
            # After an outage several steps can fall due at once: an "at risk"
            # warning for a clock already past a later step is recorded, not sent.
            superseded = rule.kind == RuleKind.WARNING and seconds < latest
            new_steps.append(
                EscalationStep(
                    clock=clock,
                    rule=rule,
                    ticket=ticket,
                    kind=rule.kind,
                    tier=rule.tier,
                    due_at=moment,
                    fired_at=now,
                    superseded=superseded,
                )
            )
            texts.append(_step_text(ticket, clock, rule))
            fired[clock.pk].add(rule.pk)
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
        # Next rung, from the same arithmetic as the ones just taken.
        pending = [
            r.threshold_seconds(clock.budget_seconds)
            for r in rules
            if r.applies_to(clock.kind) and r.pk not in fired[clock.pk]
        ]
        clock.next_step_at = (
            moment_when_used(
                schedule, clock.started_at, timedelta(seconds=min(pending)), pauses[clock.pk]
            )
            if pending and not clock.is_stopped
            else None
        )
        if clock.next_step_at is not None and clock.next_step_at <= now:
            # Cannot happen with consistent data; never spin on one clock.
            logger.error("clock %s: next step %s is already due", clock.pk, clock.next_step_at)
            clock.next_step_at = now + timedelta(minutes=1)

    created = EscalationStep.objects.bulk_create(new_steps)
    notifications: list[Notification] = []
    events: list[TicketEvent] = []
    for step, (title, body) in zip(created, texts, strict=True):
        events.append(
            TicketEvent(
                ticket=step.ticket,
                kind=TicketEvent.Kind.ESCALATION,
                at=now,
                note=title,
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
        if step.superseded:
            continue
        for user in staff.recipients(step.ticket, step.tier):
            notifications.append(
                Notification(user=user, ticket=step.ticket, step=step, title=title, body=body)
            )
    Notification.objects.bulk_create(notifications)
    TicketEvent.objects.bulk_create(events)
    for clock in clocks:
        clock.updated_at = now
    SlaClock.objects.bulk_update(
        clocks, ["next_step_at", "warned_at", "breached_at", "status", "updated_at"]
    )
    result.steps = len(created)
    result.notifications = len(notifications)
    result.step_ids = [s.pk for s in created]
    return result


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
    if total.notifications:
        transaction.on_commit(enqueue_delivery)
    return total


def enqueue_delivery() -> None:
    """Ask a worker to send the pending emails now; the next sweep sends them if this fails."""
    from tickets.tasks import deliver_notifications

    try:
        deliver_notifications.apply_async(retry=False)
    except Exception:  # the broker may be down: email waits for the next sweep
        logger.warning("could not queue notification delivery; the sweep will catch up")


# After this many failed attempts a notification stops being retried by email;
# it stays in the person's in-app list.
MAX_EMAIL_ATTEMPTS = 5


def notifications_deliver(*, limit: int = 200) -> int:
    """Email the notifications not emailed yet, each once; returns how many were sent.

    Each row is locked, sent and marked in its own transaction, so two workers
    never send the same one and one refused address cannot hold back or
    repeat the others. A crash between sending and committing can repeat one
    email, never lose it (at-least-once).
    """
    sent = 0
    tried: list[int] = []
    for _attempt in range(limit):
        with transaction.atomic():
            notification = (
                Notification.objects.filter(
                    emailed_at__isnull=True, email_failures__lt=MAX_EMAIL_ATTEMPTS
                )
                .exclude(pk__in=tried)  # a failure waits for the next run, not this loop
                .select_related("user")
                .order_by("created_at", "pk")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if notification is None:
                break
            tried.append(notification.pk)
            try:
                if notification.user.email:
                    send_mail(
                        notification.title,
                        notification.body,
                        settings.DEFAULT_FROM_EMAIL,
                        [notification.user.email],
                        fail_silently=False,
                    )
                    sent += 1
                notification.emailed_at = timezone.now()
            except Exception as exc:  # any mail failure: count it, go on with the others
                logger.warning("email for notification %s failed: %s", notification.pk, exc)
                notification.email_failures += 1
            notification.save(update_fields=["emailed_at", "email_failures", "updated_at"])
    return sent


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
            note=_("Escalation acknowledged by %(user)s") % {"user": user},
            data={"step": step.pk, "acknowledged": True},
        )
    return step
