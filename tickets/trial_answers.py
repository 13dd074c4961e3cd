"""The trial-phase answer and its 小一大二 clock (seed 000, 1.4.1: "项目实施组会在 2 个小时内
给予明确答复，包括问题修复完成时间，问题出现的原因等 … 小问题的处理时间不超过 1天，
大问题的处理不超过 2天 … 问题处理完成后，通过项目实施组严格的内测后，将部署更新系统，
然后提交到企业用户，请其确认").

A fault reported while its contract is in trial operation (tickets.models.trial_fix_hours)
is answered with a structured record: the cause, when the fix will be done, and whether
the problem is small or large. The record may be filled in steps; the response clock stops
only when all three are given, met or breached by the terms' answer time. The size then
sets the resolution clock (tickets.clocks.clock_budgets): one day for a small problem, two
for a large one, the contract's hours, counted from the report. Once the answer is given
only a service manager may reclassify it, with a reason. The fix is deployed after our
internal test before the ticket may be resolved; the resolved ticket goes to the customer
to confirm (the `confirm` step of the workflow, in the portal).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import has_any_role
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from core.translatable import Message
from tickets import permissions as may
from tickets.clocks import (
    ScheduleCache,
    active_rules,
    clock_pause,
    clock_recompute,
    clock_save_recomputed,
    trial_resolution_budget,
)
from tickets.models import (
    Size,
    SlaClock,
    State,
    Ticket,
    TicketEvent,
    TrialAnswer,
    trial_answer_of,
    trial_fix_hours,
)
from tickets.models.records import event_note
from tickets.notify import notifications_withdrawn_refresh, notify
from tickets.rollups import rollups_refresh_tickets
from tickets.selectors import ticket_contact_user
from tickets.services.transitions import (
    ticket_clocks_locked,
    ticket_lock,
    ticket_promise_kept,
    ticket_transition,
)

TEXT_LIMIT = 5000
# A promised fix date further out than this is a typing mistake, not a promise.
FURTHEST_PROMISE = timedelta(days=366)


def may_answer_trial(ticket: Ticket, user) -> bool:
    """The implementation team answers: the desk, and the engineers who may take the call."""
    return may.acknowledge(ticket, user)


def may_reclassify(user) -> bool:
    """Once the answer is given, its size (and so the resolution clock) is the service
    manager's to change."""
    return has_any_role(user, Role.MANAGER)


@dataclass
class TrialState:
    """Where a ticket's trial-phase answer stands, for the pages and the API."""

    ticket: Ticket
    hours: dict[str, int]
    answer: TrialAnswer | None
    response_clock: SlaClock | None
    resolution_clock: SlaClock | None

    @property
    def complete(self) -> bool:
        return self.answer is not None and self.answer.answered_at is not None

    def answer_for(self, *, staff: bool) -> TrialAnswer | None:
        """The answer as this reader may see it: staff as it is being written, the customer
        only once it is given (the portal and the API ask this)."""
        return self.answer if staff or self.complete else None

    @property
    def deployed(self) -> bool:
        return self.answer is not None and self.answer.deployed_at is not None

    def size_deadline(self, size: str) -> datetime:
        """When a problem of this size is due, by the rule, counted from the report."""
        return self.ticket.reported_at + timedelta(hours=self.hours[size])

    @property
    def rule_deadline(self) -> datetime | None:
        """When the problem is due by its size: the resolution clock's target once the
        answer set it (time waiting on the customer is not counted), else the hours from
        the report (a size chosen, the answer not yet complete)."""
        if self.answer is None or not self.answer.size:
            return None
        if self.complete and self.resolution_clock is not None:
            return self.resolution_clock.target_at or self.resolution_clock.stopped_at
        return self.size_deadline(self.answer.size)

    @property
    def rule_hours(self) -> int | None:
        return self.hours[self.answer.size] if self.answer and self.answer.size else None

    @property
    def fix_within_rule(self) -> bool | None:
        """Whether the promised fix date keeps the rule (None until both are given)."""
        deadline = self.rule_deadline
        if deadline is None or self.answer.fix_due_at is None:
            return None
        return self.answer.fix_due_at <= deadline

    @property
    def missing(self) -> list[str]:
        """The fields still needed for a complete answer."""
        answer = self.answer
        return [
            name
            for name, given in (
                ("cause", answer is not None and bool(answer.cause.strip())),
                ("fix_due_at", answer is not None and answer.fix_due_at is not None),
                ("size", answer is not None and bool(answer.size)),
            )
            if not given
        ]


def trial_state(ticket: Ticket) -> TrialState | None:
    """The ticket's trial-phase answer with its clocks, or None when the rule does not hold."""
    hours = trial_fix_hours(ticket)
    if hours is None:
        return None
    clocks = {c.kind: c for c in ticket.clocks.all()}
    return TrialState(
        ticket=ticket,
        hours=hours,
        answer=TrialAnswer.objects.filter(ticket=ticket)
        .select_related("answered_by", "deployed_by")
        .first(),
        response_clock=clocks.get(SlaClock.Kind.RESPONSE),
        resolution_clock=clocks.get(SlaClock.Kind.RESOLUTION),
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _open_trial_ticket(ticket_id: int, user: User) -> Ticket:
    ticket = ticket_lock(ticket_id)
    if not may_answer_trial(ticket, user):
        raise TransitionForbidden(_("You may not answer this ticket."))
    if trial_fix_hours(ticket) is None:
        raise TransitionConflict(_("This ticket is not held to the trial-phase answer."))
    if not ticket.is_open:
        raise TransitionConflict(_("This ticket is finished."))
    return ticket


def _checked(ticket: Ticket, record: TrialAnswer, *, cause, fix_due_at, size, user, reason) -> dict:
    """The fields to change, checked; refuses what may not change."""
    errors, changes = {}, {}
    if cause is not None:
        cause = clean_text(cause, field="cause").strip()
        if len(cause) > TEXT_LIMIT:
            errors["cause"] = _("At most %(limit)d characters.") % {"limit": TEXT_LIMIT}
        elif cause != record.cause:
            changes["cause"] = cause
    if fix_due_at is not None:
        # Promised to the minute, as the page shows and sends it.
        fix_due_at = fix_due_at.replace(second=0, microsecond=0)
    if fix_due_at is not None and fix_due_at != record.fix_due_at:
        if fix_due_at < ticket.reported_at:
            errors["fix_due_at"] = _("The fix cannot be done before the problem was reported.")
        elif fix_due_at > ticket.reported_at + FURTHEST_PROMISE:
            errors["fix_due_at"] = _("Promise a fix within a year of the report.")
        else:
            changes["fix_due_at"] = fix_due_at
    if size is not None and size != record.size:
        if size not in Size.values:
            errors["size"] = _("Choose small or large.")
        else:
            changes["size"] = size
    if record.answered_at is not None:
        for name in ("cause", "size"):
            if changes.get(name) == "":
                errors[name] = _("The answer is given: this can be changed, not removed.")
        if changes.get("size") and not errors.get("size"):
            if not may_reclassify(user):
                raise TransitionForbidden(
                    _("Only a service manager reclassifies a problem once it is answered.")
                )
            if not (reason or "").strip():
                errors["reason"] = _("Say why the problem is reclassified.")
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def trial_answer_save(
    *,
    ticket: Ticket,
    user: User,
    cause: str | None = None,
    fix_due_at: datetime | None = None,
    size: str | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> TrialAnswer:
    """Record the answer as far as it is given (None keeps a field as it is).

    The first save that makes it complete (cause, fix date and size) is the answer: the
    response clock stops then, the ticket is acknowledged if it was still new, the size
    sets the resolution clock, and the customer is told. Later changes are on the history
    and the customer is told of a new fix date; a new size moves the resolution clock.
    Saving what is already recorded changes nothing.
    """
    now = now or timezone.now()
    ticket = _open_trial_ticket(ticket.pk, user)
    record = TrialAnswer.objects.select_for_update().filter(ticket=ticket).first()
    record = record or TrialAnswer(ticket=ticket)
    reason = clean_text(reason or "", field="reason").strip()[:TEXT_LIMIT]
    changes = _checked(
        ticket, record, cause=cause, fix_due_at=fix_due_at, size=size, user=user, reason=reason
    )
    if not changes:
        return record
    was_complete = record.answered_at is not None
    for name, value in changes.items():
        setattr(record, name, value)
    newly_complete = not was_complete and record.is_complete
    if newly_complete:
        record.answered_at, record.answered_by = now, user
    record.save()
    if newly_complete:
        _answered(ticket, record, user=user, now=now)
    elif was_complete:
        _revised(ticket, record, changes, user=user, reason=reason, now=now)
    return record


def _answered(ticket: Ticket, record: TrialAnswer, *, user: User, now: datetime) -> None:
    if ticket.state == State.NEW and can_proceed(ticket.acknowledge):
        # The answer is our response: the call is taken with it.
        ticket = ticket_transition(ticket_id=ticket.pk, name="acknowledge", user=user, now=now)
    ticket_promise_kept(ticket=ticket, kind=SlaClock.Kind.RESPONSE, at=now)
    clocks = _resolution_follows(ticket, now=now)
    message = (
        gettext_lazy("Trial-phase answer given: small problem, fixed by %(due)s")
        if record.size == Size.SMALL
        else gettext_lazy("Trial-phase answer given: large problem, fixed by %(due)s")
    )
    due = _local(record.fix_due_at)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=now,
        actor=user,
        **event_note(Message(message, params={"due": due})),
        data={"trial_answer": {"size": record.size, "fix_due_at": due}, "clocks": clocks},
    )
    notify(
        [ticket_contact_user(ticket)],
        Message(
            gettext_lazy("%(number)s: our answer, fixed by %(due)s"),
            gettext_lazy("Cause: %(cause)s\n/portal/tickets/%(number)s/"),
            {"number": ticket.number, "due": due, "cause": record.cause},
        ),
        ticket=ticket,
        key=f"trial:{ticket.pk}:answered",
    )


def _resolution_follows(ticket: Ticket, *, now: datetime) -> dict:
    """The resolution clock takes the size's time (tickets.clocks.trial_resolution_budget),
    started at the report; the other clocks keep the terms the ticket was logged under. A
    clock already stopped keeps its outcome. Returns what moved."""
    seconds, calendar_id = trial_resolution_budget(ticket)
    schedules, rules = ScheduleCache(), active_rules()
    clock = next(iter(ticket_clocks_locked(ticket, SlaClock.Kind.RESOLUTION)), None)
    before = clock.target_at if clock is not None else None
    if clock is None:
        clock = SlaClock(
            ticket=ticket,
            kind=SlaClock.Kind.RESOLUTION,
            calendar_id=calendar_id,
            budget_seconds=seconds,
            started_at=ticket.reported_at,
        )
        clock_recompute(clock, schedules=schedules, rules=rules, fired_rule_ids=(), pauses=[])
        clock.save()
        if ticket.state == State.WAITING_CUSTOMER and ticket.terms_applied.get("pause_on_customer"):
            clock_pause(clock, at=now, reason="waiting_customer")
    elif clock.stopped_at is None:
        clock.budget_seconds, clock.calendar_id = seconds, calendar_id
        clock_save_recomputed(clock, schedules=schedules, rules=rules)
    else:
        return {}
    rollups_refresh_tickets([ticket], durations=False)
    notifications_withdrawn_refresh([ticket])
    return {
        SlaClock.Kind.RESOLUTION: {
            "from": before.isoformat() if before else None,
            "to": clock.target_at.isoformat() if clock.target_at else None,
        }
    }


def _revised(
    ticket: Ticket, record: TrialAnswer, changes: dict, *, user: User, reason: str, now
) -> None:
    data = {name: str(value) for name, value in changes.items()}
    if "size" in changes:
        data["clocks"] = _resolution_follows(ticket, now=now)
        message = Message(
            gettext_lazy("Reclassified as a small problem: %(reason)s")
            if record.size == Size.SMALL
            else gettext_lazy("Reclassified as a large problem: %(reason)s"),
            params={"reason": reason},
        )
        _event(ticket, user, now, message, data)
    if "fix_due_at" in changes:
        due = _local(record.fix_due_at)
        _event(
            ticket,
            user,
            now,
            Message(gettext_lazy("Fix date moved to %(due)s"), params={"due": due}),
            data,
        )
        notify(
            [ticket_contact_user(ticket)],
            Message(
                gettext_lazy("%(number)s: the fix is now due by %(due)s"),
                gettext_lazy("/portal/tickets/%(number)s/"),
                {"number": ticket.number, "due": due},
            ),
            ticket=ticket,
            key=f"trial:{ticket.pk}:due:{record.fix_due_at.isoformat()}",
        )
    if "cause" in changes:
        _event(ticket, user, now, Message(gettext_lazy("Cause of the problem revised")), data)


def _event(ticket: Ticket, user: User, now: datetime, message: Message, data: dict) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=now,
        actor=user,
        **event_note(message),
        data={"trial_answer": data},
    )


@transaction.atomic
def trial_fix_deployed(
    *, ticket: Ticket, user: User, deployment: str, tested: bool, now: datetime | None = None
) -> TrialAnswer:
    """The fix passed our internal test and is deployed: recorded once, on the history and
    told to the customer; the ticket may then be resolved and confirmed by the customer."""
    now = now or timezone.now()
    ticket = _open_trial_ticket(ticket.pk, user)
    record = trial_answer_of(ticket)
    if record is None or record.answered_at is None:
        raise TransitionConflict(_("Answer with the cause, fix date and size first."))
    if record.deployed_at is not None:
        raise TransitionConflict(_("The fix is deployed already."))
    deployment = clean_text(deployment or "", field="deployment").strip()
    errors = {}
    if not deployment:
        errors["deployment"] = _("Say what was deployed (version, what changed).")
    elif len(deployment) > TEXT_LIMIT:
        errors["deployment"] = _("At most %(limit)d characters.") % {"limit": TEXT_LIMIT}
    if not tested:
        errors["tested"] = _("Deploy only a fix that passed our internal test.")
    if errors:
        raise ValidationError(errors)
    record.deployed_at, record.deployed_by, record.deployment = now, user, deployment
    record.save(update_fields=["deployed_at", "deployed_by", "deployment", "updated_at"])
    _event(
        ticket,
        user,
        now,
        Message(
            gettext_lazy("Fix deployed after our internal test: %(what)s"),
            params={"what": deployment},
        ),
        {"deployed": True},
    )
    notify(
        [ticket_contact_user(ticket)],
        Message(
            gettext_lazy("%(number)s: the fix is deployed"),
            gettext_lazy("%(what)s\n/portal/tickets/%(number)s/"),
            {"number": ticket.number, "what": deployment},
        ),
        ticket=ticket,
        key=f"trial:{ticket.pk}:deployed",
    )
    return record
