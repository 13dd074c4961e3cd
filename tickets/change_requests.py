"""A change request's three sign-offs before work starts (seed 000, 1.4.2), in order:

1. the customer's project management group signs it, or refuses it with a reason (the
   request is then rejected);
2. our project manager (a service manager) evaluates it: scope, effort, schedule, the
   effect on the system's architecture; the evaluation goes back to the customer;
3. the customer accepts the evaluation (the request is approved and work may start), or
   refuses it with a reason, and the project manager evaluates again.

Each step is recorded on the ticket's history and tells the other side. The pages, the
portal and the API call these functions; `Ticket.approve` refuses until step 3.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import has_any_role
from contracts.models import Contact
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from core.translatable import Message
from tickets import clocks as clock_services
from tickets import permissions as may
from tickets.clocks import ScheduleCache, active_rules
from tickets.models import ChangeApproval, Kind, SlaClock, State, Ticket, TicketEvent
from tickets.models.records import event_note
from tickets.notify import notifications_withdrawn_refresh, notify
from tickets.rollups import rollups_refresh_tickets
from tickets.selectors import service_managers_of
from tickets.services.transitions import (
    ticket_clocks_locked,
    ticket_lock,
    ticket_promise_kept,
    ticket_transition,
)

Stage = ChangeApproval.Stage
PAUSE_REASON = "change_request_signature"


def _clocks_changed(ticket: Ticket) -> None:
    rollups_refresh_tickets([ticket], durations=False)
    notifications_withdrawn_refresh([ticket])


def signers_of(ticket: Ticket) -> list[User]:
    """The customer's people who sign its change requests online: the contacts ticked as its
    project management group (those with an active login), or, when none is ticked, every
    contact with an active portal login."""
    contacts = Contact.objects.filter(customer_id=ticket.customer_id).select_related("user")
    ticked = contacts.filter(signs_changes=True)
    chosen = ticked if ticked.exists() else contacts
    return [c.user for c in chosen if c.user_id and c.user.is_active]


def may_sign(ticket: Ticket, user) -> bool:
    """The customer's signers sign online; a service manager records a signature given on
    paper (a customer without portal logins must not be stuck)."""
    return (may.is_customer_of(ticket, user) and user in signers_of(ticket)) or may_evaluate(user)


def may_evaluate(user) -> bool:
    """Our project managers: the service managers (the same rule as signing off)."""
    return has_any_role(user, Role.MANAGER)


def approval_of(ticket: Ticket) -> ChangeApproval | None:
    """The change request's sign-offs so far (none yet: an empty record, not saved)."""
    if ticket.kind != Kind.CHANGE_REQUEST:
        return None
    return ChangeApproval.objects.filter(ticket=ticket).first() or ChangeApproval(ticket=ticket)


def change_steps_open(ticket: Ticket, change: ChangeApproval, user) -> set[str]:
    """The sign-off steps this user may take on the request now ("sign", "evaluate",
    "accept"): the one rule the staff page, the portal and the services agree on."""
    if ticket.state != State.SUBMITTED:
        return set()
    steps = {Stage.CUSTOMER_SIGN: "sign", Stage.EVALUATION: "evaluate", Stage.ACCEPTANCE: "accept"}
    step = steps.get(change.stage)
    allowed = may_evaluate(user) if step == "evaluate" else may_sign(ticket, user)
    return {step} if step and allowed else set()


def change_submitted(ticket: Ticket, *, now: datetime) -> None:
    """A change request was logged: its sign-off record, and the customer's signers told.
    Our response clock waits for their signature: their time is not ours."""
    ChangeApproval.objects.get_or_create(ticket=ticket)
    for clock in ticket_clocks_locked(ticket, SlaClock.Kind.RESPONSE):
        if clock.stopped_at is None and clock.status != SlaClock.Status.PAUSED:
            clock_services.clock_pause(clock, at=now, reason=PAUSE_REASON)
    _clocks_changed(ticket)
    notify(
        signers_of(ticket),
        Message(
            gettext_lazy("Change request %(number)s waits for your signature"),
            gettext_lazy("%(summary)s\n/portal/tickets/%(number)s/"),
            {"number": ticket.number, "summary": ticket.summary},
        ),
        ticket=ticket,
        key=f"change:{ticket.pk}:submitted",
    )


def _locked(ticket: Ticket, stage: str) -> tuple[Ticket, ChangeApproval]:
    ticket = ticket_lock(ticket.pk)
    if ticket.kind != Kind.CHANGE_REQUEST:
        raise TransitionConflict(_("Only change requests need project-management sign-off."))
    if ticket.state != State.SUBMITTED:
        raise TransitionConflict(
            _("This change request is %(state)s already.") % {"state": ticket.get_state_display()}
        )
    approval, _created = ChangeApproval.objects.select_for_update().get_or_create(ticket=ticket)
    if approval.stage != stage:
        raise TransitionConflict(
            _("This change request is not at this step: %(stage)s.")
            % {"stage": approval.get_stage_display()}
        )
    return ticket, approval


def _record(ticket: Ticket, user: User, message: Message, *, at: datetime, **data) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=at,
        actor=user,
        **event_note(message),
        data={"change_request": data},
    )


_SIGNED = gettext_lazy("Signed by %(name)s for the customer's project management")
_SIGNED_ON_PAPER = gettext_lazy("The customer's signature on paper, recorded by %(name)s")


def _who(user: User) -> dict:
    return {"name": user.get_full_name() or user.username}


def _on_paper(ticket: Ticket, user: User) -> bool:
    """A service manager recording what the customer signed on paper."""
    return not may.is_customer_of(ticket, user)


def _reason(reason: str, field: str) -> str:
    reason = clean_text(reason or "", field=field).strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    return reason


@transaction.atomic
def change_sign(
    *, ticket: Ticket, user: User, approve: bool, reason: str = "", now: datetime | None = None
) -> ChangeApproval:
    """Step 1: the customer's project management signs the request, or refuses it."""
    if not may_sign(ticket, user):
        raise TransitionForbidden(_("Only the customer's project management signs this."))
    ticket, approval = _locked(ticket, Stage.CUSTOMER_SIGN)
    reason = _reason(reason, "reason") if not approve else clean_text(reason or "", field="reason")
    approval.signed_by, approval.signed_at = user, now or timezone.now()
    approval.sign_approved, approval.sign_reason = approve, reason
    approval.save()
    number = ticket.number
    now = approval.signed_at
    for clock in ticket_clocks_locked(ticket, SlaClock.Kind.RESPONSE):
        if clock.stopped_at is not None:
            continue
        # Our response clock counts from their signature (a refusal cancels it: `reject`).
        if approve and clock.pauses.filter(ended_at__isnull=True).exists():
            clock_services.clock_resume(
                clock, at=now, schedules=ScheduleCache(), rules=active_rules()
            )
    _clocks_changed(ticket)
    if approve:
        _record(
            ticket,
            user,
            Message(_SIGNED_ON_PAPER if _on_paper(ticket, user) else _SIGNED, params=_who(user)),
            at=approval.signed_at,
            step="signed",
            reason=reason,
        )
        notify(
            service_managers_of(ticket),
            Message(
                gettext_lazy("Change request %(number)s signed by the customer: evaluate it"),
                gettext_lazy("%(summary)s\n/desk/tickets/%(number)s/"),
                {"number": number, "summary": ticket.summary},
            ),
            ticket=ticket,
            key=f"change:{ticket.pk}:signed",
        )
    else:
        ticket_transition(
            ticket_id=ticket.pk,
            name="reject",
            user=None,
            now=approval.signed_at,
            note=Message(
                gettext_lazy(
                    "Refused for the customer's project management by %(name)s: %(reason)s"
                ),
                params={"reason": reason, **_who(user)},
            ),
        )
    return approval


@transaction.atomic
def change_evaluate(
    *,
    ticket: Ticket,
    user: User,
    scope: str,
    effort: str,
    schedule: str,
    architecture: str,
    now: datetime | None = None,
) -> ChangeApproval:
    """Step 2: our project manager's evaluation, sent back to the customer."""
    if not may_evaluate(user):
        raise TransitionForbidden(_("Only a service manager evaluates change requests."))
    ticket, approval = _locked(ticket, Stage.EVALUATION)
    fields = {
        "scope": clean_text(scope or "", field="scope").strip(),
        "effort": clean_text(effort or "", field="effort").strip(),
        "schedule": clean_text(schedule or "", field="schedule").strip(),
        "architecture": clean_text(architecture or "", field="architecture").strip(),
    }
    missing = {name: _("This field is required.") for name, value in fields.items() if not value}
    if missing:
        raise ValidationError(missing)
    for name, value in fields.items():
        setattr(approval, name, value)
    again = approval.accepted is False
    approval.evaluated_by, approval.evaluated_at = user, now or timezone.now()
    # The evaluation is our response to the request.
    ticket_promise_kept(ticket=ticket, kind=SlaClock.Kind.RESPONSE, at=approval.evaluated_at)
    approval.accepted = approval.accepted_by = approval.accepted_at = None
    approval.acceptance_reason = ""
    approval.save()
    _record(
        ticket,
        user,
        Message(gettext_lazy("Evaluated by our project manager; sent to the customer")),
        at=approval.evaluated_at,
        step="evaluated",
        **fields,
    )
    notify(
        signers_of(ticket),
        Message(
            gettext_lazy("Change request %(number)s evaluated: please accept or refuse"),
            gettext_lazy(
                "Scope: %(scope)s\nEffort: %(effort)s\nSchedule: %(schedule)s\n"
                "Effect on the architecture: %(architecture)s\n/portal/tickets/%(number)s/"
            ),
            {"number": ticket.number, **fields},
        ),
        ticket=ticket,
        key=f"change:{ticket.pk}:evaluated:{approval.evaluated_at.isoformat()}"
        if again
        else f"change:{ticket.pk}:evaluated",
    )
    return approval


@transaction.atomic
def change_accept(
    *, ticket: Ticket, user: User, accept: bool, reason: str = "", now: datetime | None = None
) -> ChangeApproval:
    """Step 3: the customer accepts the evaluation (approved: work may start) or refuses it
    (our project manager evaluates again)."""
    if not may_sign(ticket, user):
        raise TransitionForbidden(_("Only the customer's project management signs this."))
    ticket, approval = _locked(ticket, Stage.ACCEPTANCE)
    reason = _reason(reason, "reason") if not accept else clean_text(reason or "", field="reason")
    approval.accepted, approval.accepted_by = accept, user
    approval.accepted_at = now or timezone.now()
    approval.acceptance_reason = reason
    approval.save()
    if accept:
        ticket_transition(
            ticket_id=ticket.pk,
            name="approve",
            user=None,
            now=approval.accepted_at,
            note=Message(
                gettext_lazy("%(name)s accepted our evaluation for the customer: work may start"),
                params=_who(user),
            ),
        )
        people = service_managers_of(ticket)
        if ticket.assigned_engineer_id:
            people.append(ticket.assigned_engineer)
        message = gettext_lazy("Change request %(number)s accepted by the customer: work may start")
    else:
        _record(
            ticket,
            user,
            Message(
                gettext_lazy("%(name)s refused our evaluation for the customer: %(reason)s"),
                params={"reason": reason, **_who(user)},
            ),
            at=approval.accepted_at,
            step="evaluation_refused",
            reason=reason,
        )
        people = service_managers_of(ticket)
        message = gettext_lazy("Change request %(number)s: the customer refused the evaluation")
    notify(
        people,
        Message(
            message,
            gettext_lazy("%(summary)s\n/desk/tickets/%(number)s/"),
            {"number": ticket.number, "summary": ticket.summary},
        ),
        ticket=ticket,
        key=f"change:{ticket.pk}:answered:{approval.accepted_at.isoformat()}",
    )
    return approval
