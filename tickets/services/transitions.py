"""The workflow of a ticket: every transition, its effect on the clocks, and its event.

Each transition locks the ticket row, lets django-fsm check and change the
state, applies the effect on the SLA clocks, and records an event, all in one
transaction: a refused or failed action changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import Transition, can_proceed

from accounts.models import User
from accounts.roles import Role
from core.errors import TransitionConflict, TransitionForbidden
from core.translatable import Message
from tickets import clocks as clock_services
from tickets.clocks import ScheduleCache, active_rules
from tickets.models import (
    FaultReport,
    Kind,
    Outcome,
    SlaClock,
    State,
    Ticket,
    TicketEvent,
    clock_outcome,
    trial_answer_of,
    trial_fix_hours,
)
from tickets.models.records import event_note
from tickets.notify import notifications_withdrawn_refresh, notify
from tickets.rollups import bucket_of, measured_moments, rollups_refresh_tickets
from tickets.selectors import ticket_contact_user


def ticket_lock(ticket_id: int) -> Ticket:
    """The ticket, its row locked until the transaction ends; 400 if there is no such ticket."""
    queryset = Ticket.objects.select_related("contract", "covered_item", "customer")
    # FOR NO KEY UPDATE lets the sweep insert events and steps that reference
    # this ticket while we hold it; a plain FOR UPDATE would deadlock with it.
    no_key = connection.vendor == "postgresql"
    try:
        return queryset.select_for_update(no_key=no_key, of=("self",)).get(pk=ticket_id)
    except Ticket.DoesNotExist as exc:
        raise ValidationError({"ticket": _("No such ticket.")}) from exc


def _steps(ticket: Ticket, name: str) -> list[Transition]:
    """The transition `name` from each state it leaves, as django-fsm lists them."""
    return [t for t in ticket.get_all_state_transitions() if t.name == name]


def _transition_permission(ticket: Ticket, name: str) -> Callable:
    return _steps(ticket, name)[0].permission


def transitions_available(ticket: Ticket, user: User) -> list[str]:
    """The transitions this user may take on this ticket now: what pages and API offer."""
    return [
        t.name
        for t in ticket.get_available_user_state_transitions(user)
        if t.name in TRANSITION_EFFECTS
    ]


def _conflict_reason(ticket: Ticket, name: str) -> str:
    steps = _steps(ticket, name)
    if not can_proceed(getattr(ticket, name), check_conditions=False):
        sources = [State(t.source).label for t in steps if t.source in State.values]
        return _("Cannot %(action)s a ticket that is %(state)s (only when %(sources)s).") % {
            "action": _action_label(name),
            "state": State(ticket.state).label,
            "sources": ", ".join(str(s) for s in sources),
        }
    transition = next(t for t in steps if t.source == ticket.state)
    for condition in transition.conditions:
        if not condition(ticket):
            return str(getattr(condition, "reason", _("A condition of this action is not met.")))
    return _("This action is not possible now.")


def _action_label(name: str) -> str:
    return str(ACTION_LABELS.get(name, name))


@dataclass
class _Context:
    now: datetime
    user: User | None
    schedules: ScheduleCache
    data: dict


def ticket_clocks_locked(ticket: Ticket, *kinds: str) -> list[SlaClock]:
    """The ticket's clocks (of these kinds), locked in primary-key order."""
    queryset = ticket.clocks.select_for_update().order_by("pk")
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return list(queryset)


def _stop(ticket: Ticket, ctx: _Context, *kinds: str) -> None:
    for clock in ticket_clocks_locked(ticket, *kinds):
        if clock.stopped_at is None and clock.status != SlaClock.Status.PAUSED:
            clock_services.clock_stop(clock, at=ctx.now)
            ctx.data.setdefault("clocks", {})[clock.kind] = clock.status


def _effect_acknowledge(ticket, ctx):
    if trial_fix_hours(ticket) is not None:
        # In trial operation the response promised is the answer itself (cause, fix date,
        # size: tickets.trial_answers); taking the call does not keep it.
        ctx.data["response_waits_for_answer"] = True
        return
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE)


def _effect_check_in(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.ONSITE)


def _effect_resolve(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE, SlaClock.Kind.RESOLUTION, SlaClock.Kind.REPAIR)
    for clock in ticket_clocks_locked(ticket, SlaClock.Kind.ONSITE, SlaClock.Kind.SUBSTITUTE):
        if clock.stopped_at is None:
            # Fixed without a visit, or before a substitute device was due: that promise
            # is moot, unless its deadline had already passed.
            if clock_outcome(clock, ctx.now) == Outcome.BREACHED:
                clock_services.clock_stop(clock, at=ctx.now)
            else:
                clock_services.clock_cancel(clock, at=ctx.now)
            ctx.data.setdefault("clocks", {})[clock.kind] = clock.status


def _effect_wait(ticket, ctx):
    if not (ticket.terms_applied or {}).get("pause_on_customer"):
        ctx.data["paused"] = False
        return
    for clock in ticket_clocks_locked(ticket):
        if clock.stopped_at is None and clock.status != SlaClock.Status.PAUSED:
            clock_services.clock_pause(clock, at=ctx.now, reason="waiting_customer")
            ctx.data.setdefault("paused_clocks", []).append(clock.kind)


def _effect_resume(ticket, ctx):
    rules = active_rules()
    for clock in ticket_clocks_locked(ticket):
        # By its open pause, not its status: a paused clock may meanwhile be breached.
        if clock.stopped_at is None and clock.pauses.filter(ended_at__isnull=True).exists():
            clock_services.clock_resume(clock, at=ctx.now, schedules=ctx.schedules, rules=rules)
            ctx.data.setdefault("resumed_clocks", {})[clock.kind] = (
                clock.target_at.isoformat() if clock.target_at else None
            )


def _effect_reopen(ticket, ctx):
    rules = active_rules()
    kinds = (SlaClock.Kind.RESOLUTION, SlaClock.Kind.REPAIR, SlaClock.Kind.SUBSTITUTE)
    for clock in ticket_clocks_locked(ticket, *kinds):
        # A substitute kept (met) or owed too late (breached) stays so; one found not
        # needed by the fix is owed again while the device is broken again.
        moot = clock.kind == SlaClock.Kind.SUBSTITUTE and clock.status != SlaClock.Status.CANCELLED
        if clock.stopped_at is not None and not moot:
            clock_services.clock_reopen(clock, at=ctx.now, schedules=ctx.schedules, rules=rules)
            ctx.data.setdefault("reopened_clocks", {})[clock.kind] = (
                clock.target_at.isoformat() if clock.target_at else None
            )
    _withdraw_trial_deployment(ticket, ctx)


def _withdraw_trial_deployment(ticket, ctx):
    # Reopened in trial operation: the fix deployed did not hold, so the next one is tested
    # and deployed again before the ticket is resolved (tickets/trial_answers.py).
    answer = trial_answer_of(ticket) if trial_fix_hours(ticket) is not None else None
    if answer is None or answer.deployed_at is None:
        return
    ctx.data["deployment_withdrawn"] = answer.deployment
    answer.deployed_at, answer.deployed_by, answer.deployment = None, None, ""
    answer.save(update_fields=["deployed_at", "deployed_by", "deployment", "updated_at"])


def _effect_cancel(ticket, ctx):
    for clock in ticket_clocks_locked(ticket):
        if clock.stopped_at is None:
            clock_services.clock_cancel(clock, at=ctx.now)


def _effect_sign_off(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE)


def _effect_reject(ticket, ctx):
    # Refused before our answer (the response clock may still wait for the customer's
    # signature): no promise is left to keep, as when a ticket is cancelled.
    _effect_cancel(ticket, ctx)


def _no_effect(ticket, ctx):
    return None


TRANSITION_EFFECTS: dict[str, Callable] = {
    "acknowledge": _effect_acknowledge,
    "dispatch": _no_effect,
    "depart": _no_effect,
    "check_in": _effect_check_in,
    "resolve": _effect_resolve,
    "confirm": _no_effect,
    "close": _no_effect,
    "wait_customer": _effect_wait,
    "resume": _effect_resume,
    "reopen": _effect_reopen,
    "cancel": _effect_cancel,
    "approve": _effect_sign_off,
    "reject": _effect_reject,
    "start_work": _no_effect,
    "complete": _no_effect,
    "accept": _no_effect,
}


ACTION_LABELS = {
    "acknowledge": gettext_lazy("acknowledge"),
    "dispatch": gettext_lazy("dispatch"),
    "depart": gettext_lazy("set off"),
    "check_in": gettext_lazy("check in on site"),
    "resolve": gettext_lazy("resolve"),
    "confirm": gettext_lazy("confirm the fix"),
    "close": gettext_lazy("close"),
    "wait_customer": gettext_lazy("wait on the customer"),
    "resume": gettext_lazy("resume"),
    "reopen": gettext_lazy("reopen"),
    "cancel": gettext_lazy("cancel"),
    "approve": gettext_lazy("approve"),
    "reject": gettext_lazy("reject"),
    "start_work": gettext_lazy("start work"),
    "complete": gettext_lazy("complete"),
    "accept": gettext_lazy("accept"),
}


# Steps that end a ticket or turn work down: a person taking one says why, and the
# reason is the step's note in the history. Pages, portal and API all meet this rule
# here; only the system itself (no user) may take them without a word.
ACTIONS_NEEDING_A_REASON = frozenset({"cancel", "close", "reject"})


def reason_missing(name: str, user: User | None, note: "str | Message") -> bool:
    """Whether this step, taken by this person, still lacks the reason it needs."""
    return user is not None and name in ACTIONS_NEEDING_A_REASON and not str(note or "").strip()


def ticket_transition(
    *,
    ticket_id: int,
    name: str,
    user: User | None,
    note: "str | Message" = "",
    now: datetime | None = None,
    validate: Callable[[Ticket], None] | None = None,
    unchanged: Callable[[Ticket], bool] | None = None,
    **kwargs,
) -> Ticket:
    """Take one workflow step on a ticket, or refuse with 403, 409 or field errors.

    Two people acting at once: the second waits for the first's lock, then
    finds the ticket in its new state and gets a conflict with the reason.
    A person taking one of ACTIONS_NEEDING_A_REASON without a note is refused with a
    field error on `note`.
    """
    if name not in TRANSITION_EFFECTS:
        raise ValidationError({"action": _("Unknown action.")})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        # The conditions judge the step at its own moment (django-fsm calls them with the
        # ticket alone): a step recorded for an earlier time is checked as of then.
        ticket.step_at = now
        if user is not None and not _transition_permission(ticket, name)(ticket, user):
            raise TransitionForbidden(
                _("You may not %(action)s this ticket.") % {"action": _action_label(name)}
            )
        method = getattr(ticket, name)
        if not can_proceed(method):
            raise TransitionConflict(_conflict_reason(ticket, name))
        # After who-may and whether-now: a reason does not make a refused step possible.
        if reason_missing(name, user, note):
            message = _("Give a reason to %(action)s this ticket.") % {
                "action": _action_label(name)
            }
            raise ValidationError({"note": message})
        if unchanged is not None and unchanged(ticket):
            # Asked for what is already so (the same engineer again): nothing happens,
            # so nothing is recorded; twenty identical requests leave one event.
            return ticket
        if validate is not None:
            validate(ticket)
        from_state = ticket.state
        bucket_before, moments_before = bucket_of(ticket), measured_moments(ticket)
        method(at=now, **kwargs)
        ticket.save()
        ctx = _Context(now=now, user=user, schedules=ScheduleCache(), data={})
        TRANSITION_EFFECTS[name](ticket, ctx)
        # Clocks stopped, paused or reopened, an engineer assigned, a moment reached.
        rollups_refresh_tickets(
            [ticket],
            before=[bucket_before],
            durations=measured_moments(ticket) != moments_before,
        )
        notifications_withdrawn_refresh([ticket])
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.TRANSITION,
            at=now,
            actor=user,
            from_state=from_state,
            to_state=ticket.state,
            **event_note(note),
            data={"action": name, **ctx.data, **_event_details(name, ticket)},
        )
    return ticket


def _event_details(name: str, ticket: Ticket) -> dict:
    if name == "dispatch" and ticket.assigned_engineer_id:
        return {"engineer": ticket.assigned_engineer.username}
    return {}


def ticket_acknowledge(*, ticket_id: int, user: User, note: str = "", now=None) -> Ticket:
    """The hotline has responded: stops the response clock."""
    return ticket_transition(ticket_id=ticket_id, name="acknowledge", user=user, note=note, now=now)


def ticket_dispatch(*, ticket_id: int, user: User, engineer: User, note: str = "", now=None):
    """Send an engineer; only active engineers can be dispatched."""
    if not engineer.is_active or not engineer.has_role(Role.ENGINEER):
        raise ValidationError({"engineer": _("Choose an active engineer.")})

    def unchanged(ticket: Ticket) -> bool:
        return ticket.state == State.DISPATCHED and ticket.assigned_engineer_id == engineer.pk

    return ticket_transition(
        ticket_id=ticket_id,
        name="dispatch",
        user=user,
        note=note,
        now=now,
        unchanged=unchanged,
        engineer=engineer,
    )


REPORT_FIELDS = ["symptoms", "analysis", "cause", "solution", "prevention"]


def report_fields_required(kind: str) -> list[str]:
    """The fault report's required fields: a fault needs symptoms, located cause and
    solution (seed 004, 7.3.1.1); any other kind the solution only."""
    return ["symptoms", "cause", "solution"] if kind == Kind.FAULT else ["solution"]


def ticket_resolve(
    *, ticket_id: int, user: User, report: dict[str, str], note: str = "", now=None
) -> Ticket:
    """Resolve with the fault report of seed 004: stops resolution and repair clocks.

    Faults need symptoms, located cause and solution; other kinds need the solution.
    """

    def validate(ticket: Ticket) -> None:
        errors = {
            f: _("This field is required.")
            for f in report_fields_required(ticket.kind)
            if not report.get(f, "").strip()
        }
        if errors:
            raise ValidationError(errors)

    ticket = ticket_transition(
        ticket_id=ticket_id, name="resolve", user=user, note=note, now=now, validate=validate
    )
    FaultReport.objects.update_or_create(
        ticket=ticket,
        defaults={**{f: report.get(f, "").strip() for f in REPORT_FIELDS}, "written_by": user},
    )
    if trial_fix_hours(ticket) is not None:
        _customer_asked_to_confirm(ticket)
    return ticket


def _customer_asked_to_confirm(ticket: Ticket) -> None:
    """Trial operation: the deployed fix goes to the customer to confirm (seed 000, 1.4.1:
    "部署更新系统，然后提交到企业用户，请其确认"); they confirm or reopen in the portal."""
    notify(
        [ticket_contact_user(ticket)],
        Message(
            gettext_lazy("%(number)s is fixed: please confirm"),
            gettext_lazy("%(summary)s\n/portal/tickets/%(number)s/"),
            {"number": ticket.number, "summary": ticket.summary},
        ),
        ticket=ticket,
        key=f"trial:{ticket.pk}:confirm:{ticket.resolved_at.isoformat()}",
    )


def ticket_promise_kept(*, ticket: Ticket, kind: str, at: datetime) -> SlaClock | None:
    """A promise kept outside the workflow (a substitute device installed): the ticket's
    running clock of that kind stops at `at`, met or breached by its target, and the SLA
    rollups and the escalations' notifications follow, as after a workflow step. Call with
    the ticket locked (ticket_lock); returns the clock stopped, if one was running."""
    for clock in ticket_clocks_locked(ticket, kind):
        if clock.stopped_at is None:
            # Kept while waiting on the customer: the wait ends with the promise.
            clock.pauses.filter(ended_at__isnull=True).update(ended_at=at, updated_at=at)
            clock_services.clock_stop(clock, at=at)
            rollups_refresh_tickets([ticket], durations=False)
            notifications_withdrawn_refresh([ticket])
            return clock
    return None
