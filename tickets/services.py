"""Writes on tickets: create, every workflow transition, priority change, attachments.

Each write locks the ticket row, lets django-fsm check and change the state,
applies the effect on the SLA clocks, and records an event, all in one
transaction: a refused or failed action changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import Transition, can_proceed

from accounts.models import User
from accounts.roles import Role
from contracts.models import Contact, Contract, CoveredItem, Customer, ServiceTerms, Site
from contracts.phases import SERVICE_PHASES, Phase
from contracts.selectors import contracts_covering, contracts_with_terms
from core import uploads
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from tickets import clocks as clock_services
from tickets import permissions as may
from tickets.clocks import ScheduleCache, active_rules
from tickets.models import (
    Attachment,
    FaultReport,
    Kind,
    Outcome,
    SlaClock,
    State,
    Ticket,
    TicketEvent,
    clock_outcome,
)

# An agent's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=2)


def _next_number(year: int) -> str:
    # One statement: the row lock it takes lasts until commit, so numbers are
    # unique and gapless per committed ticket, even with concurrent creation.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticketsequence (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = tickets_ticketsequence.last + 1 "
            "RETURNING last",
            [year],
        )
        last = cursor.fetchone()[0]
    return f"{year}-{last:06d}"


def _terms_snapshot(contract: Contract | None, phase: str, terms: ServiceTerms | None) -> dict:
    if contract is None:
        return {}
    snapshot = {
        "contract_id": contract.pk,
        "contract_number": contract.number,
        "phase": phase,
        "phase_label": str(Phase(phase).label) if phase else "",
    }
    if terms is not None:
        snapshot.update(
            {
                "terms_id": terms.pk,
                "priority": terms.priority,
                "response_minutes": terms.response_minutes,
                "onsite_minutes": terms.onsite_minutes,
                "resolution_minutes": terms.resolution_minutes,
                "repair_days": terms.repair_days,
                "pause_on_customer": terms.pause_on_customer,
                "substitute_device_hours": contract.substitute_device_hours,
                "calendars": {
                    "response": terms.response_calendar.name,
                    "onsite": terms.onsite_calendar.name,
                    "resolution": terms.resolution_calendar.name,
                },
            }
        )
    return snapshot


def _resolve_contract(
    *,
    customer: Customer,
    contract: Contract | None,
    site: Site | None,
    item: CoveredItem | None,
    moment: datetime,
) -> Contract | None:
    if contract is not None:
        return contracts_with_terms().get(pk=contract.pk)
    covering = contracts_covering(customer=customer, site=site, item=item, moment=moment)
    if len(covering) == 1:
        return covering[0]
    if len(covering) > 1:
        raise ValidationError(
            {
                "contract": _("Several contracts cover this request: %(numbers)s. Choose one.")
                % {"numbers": ", ".join(c.number for c in covering)}
            }
        )
    return None


def _validate_parties(*, customer, contract, site, item, contact) -> None:
    errors = {}
    if contract is not None and contract.customer_id != customer.pk:
        errors["contract"] = _("This contract belongs to another customer.")
    if site is not None and site.customer_id != customer.pk:
        errors["site"] = _("This site belongs to another customer.")
    if item is not None and item.customer_id != customer.pk:
        errors["covered_item"] = _("This item belongs to another customer.")
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("This contact belongs to another customer.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ticket_create(
    *,
    created_by: User | None,
    kind: str,
    priority: str,
    summary: str,
    channel: str,
    customer: Customer | None = None,
    contract: Contract | None = None,
    site: Site | None = None,
    covered_item: CoveredItem | None = None,
    contact: Contact | None = None,
    description: str = "",
    reported_at: datetime | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Log a call or request; the contract in force when it was reported decides the clocks.

    A customer without a contract in force still gets a ticket: it is marked
    not covered (billable) and has no contractual clocks.
    """
    now = now or timezone.now()
    reported_at = reported_at or now
    if reported_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"reported_at": _("A call cannot be reported in the future.")})
    if customer is None:
        customer = (contract.customer if contract else None) or (site.customer if site else None)
    if customer is None:
        raise ValidationError({"customer": _("Give the customer or the contract.")})
    _validate_parties(
        customer=customer, contract=contract, site=site, item=covered_item, contact=contact
    )
    if site is None and covered_item is not None:
        site = covered_item.site
    contract = _resolve_contract(
        customer=customer, contract=contract, site=site, item=covered_item, moment=reported_at
    )
    if contract is None:
        # Not covered; still link the customer's latest contract so the agent sees why.
        contract_for_display = customer.contracts.order_by("-signed_on").first()
    else:
        contract_for_display = contract
    phase = contract_for_display.phase_at(reported_at) if contract_for_display else ""
    terms = None
    if contract is not None and phase in SERVICE_PHASES:
        terms = contract.terms_for(phase, priority)

    ticket = Ticket(
        number=_next_number(timezone.localtime(now).year),
        kind=kind,
        priority=priority,
        channel=channel,
        state=State.SUBMITTED if kind == Kind.CHANGE_REQUEST else State.NEW,
        customer=customer,
        contact=contact,
        site=site,
        contract=contract_for_display,
        covered_item=covered_item,
        phase=phase,
        covered=terms is not None,
        terms_applied=_terms_snapshot(contract_for_display, phase, terms),
        summary=summary,
        description=description,
        reported_at=reported_at,
        branch=(site.branch if site and site.branch_id else None)
        or (contract_for_display.branch if contract_for_display else None),
        created_by=created_by,
    )
    if not summary.strip():
        raise ValidationError({"summary": _("Say in a few words what the problem is.")})
    ticket.save()
    clocks = clock_services.clocks_start(ticket=ticket, terms=terms, schedules=ScheduleCache())
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.CREATED,
        at=now,
        actor=created_by,
        to_state=ticket.state,
        data={
            "covered": ticket.covered,
            "phase": phase,
            "contract": contract_for_display.number if contract_for_display else None,
            "reported_at": reported_at.isoformat(),
            "clocks": {c.kind: c.target_at.isoformat() if c.target_at else None for c in clocks},
        },
    )
    return ticket


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _lock(ticket_id: int) -> Ticket:
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


def _clocks(ticket: Ticket, *kinds: str) -> list[SlaClock]:
    queryset = ticket.clocks.select_for_update().order_by("pk")
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return list(queryset)


def _stop(ticket: Ticket, ctx: _Context, *kinds: str) -> None:
    for clock in _clocks(ticket, *kinds):
        if clock.stopped_at is None and clock.status != SlaClock.Status.PAUSED:
            clock_services.clock_stop(clock, at=ctx.now)
            ctx.data.setdefault("clocks", {})[clock.kind] = clock.status


def _effect_acknowledge(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE)


def _effect_check_in(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.ONSITE)


def _effect_resolve(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE, SlaClock.Kind.RESOLUTION, SlaClock.Kind.REPAIR)
    for clock in _clocks(ticket, SlaClock.Kind.ONSITE):
        if clock.stopped_at is None:
            # Fixed without a visit: the on-site promise is moot, unless its
            # deadline had already passed.
            if clock_outcome(clock, ctx.now) == Outcome.BREACHED:
                clock_services.clock_stop(clock, at=ctx.now)
            else:
                clock_services.clock_cancel(clock, at=ctx.now)
            ctx.data.setdefault("clocks", {})[clock.kind] = clock.status


def _effect_wait(ticket, ctx):
    if not (ticket.terms_applied or {}).get("pause_on_customer"):
        ctx.data["paused"] = False
        return
    for clock in _clocks(ticket):
        if clock.stopped_at is None and clock.status != SlaClock.Status.PAUSED:
            clock_services.clock_pause(clock, at=ctx.now, reason="waiting_customer")
            ctx.data.setdefault("paused_clocks", []).append(clock.kind)


def _effect_resume(ticket, ctx):
    rules = active_rules()
    for clock in _clocks(ticket):
        # By its open pause, not its status: a paused clock may meanwhile be breached.
        if clock.stopped_at is None and clock.pauses.filter(ended_at__isnull=True).exists():
            clock_services.clock_resume(clock, at=ctx.now, schedules=ctx.schedules, rules=rules)
            ctx.data.setdefault("resumed_clocks", {})[clock.kind] = (
                clock.target_at.isoformat() if clock.target_at else None
            )


def _effect_reopen(ticket, ctx):
    rules = active_rules()
    for clock in _clocks(ticket, SlaClock.Kind.RESOLUTION, SlaClock.Kind.REPAIR):
        if clock.stopped_at is not None:
            clock_services.clock_reopen(clock, at=ctx.now, schedules=ctx.schedules, rules=rules)
            ctx.data.setdefault("reopened_clocks", {})[clock.kind] = (
                clock.target_at.isoformat() if clock.target_at else None
            )


def _effect_cancel(ticket, ctx):
    for clock in _clocks(ticket):
        if clock.stopped_at is None:
            clock_services.clock_cancel(clock, at=ctx.now)


def _effect_sign_off(ticket, ctx):
    _stop(ticket, ctx, SlaClock.Kind.RESPONSE)


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
    "reject": _effect_sign_off,
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


def ticket_transition(
    *,
    ticket_id: int,
    name: str,
    user: User | None,
    note: str = "",
    now: datetime | None = None,
    validate: Callable[[Ticket], None] | None = None,
    unchanged: Callable[[Ticket], bool] | None = None,
    **kwargs,
) -> Ticket:
    """Take one workflow step on a ticket, or refuse with 403, 409 or field errors.

    Two people acting at once: the second waits for the first's lock, then
    finds the ticket in its new state and gets a conflict with the reason.
    """
    if name not in TRANSITION_EFFECTS:
        raise ValidationError({"action": _("Unknown action.")})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id)
        if user is not None and not _transition_permission(ticket, name)(ticket, user):
            raise TransitionForbidden(
                _("You may not %(action)s this ticket.") % {"action": _action_label(name)}
            )
        method = getattr(ticket, name)
        if not can_proceed(method):
            raise TransitionConflict(_conflict_reason(ticket, name))
        if unchanged is not None and unchanged(ticket):
            # Asked for what is already so (the same engineer again): nothing happens,
            # so nothing is recorded; twenty identical requests leave one event.
            return ticket
        if validate is not None:
            validate(ticket)
        from_state = ticket.state
        method(at=now, **kwargs)
        ticket.save()
        ctx = _Context(now=now, user=user, schedules=ScheduleCache(), data={})
        TRANSITION_EFFECTS[name](ticket, ctx)
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.TRANSITION,
            at=now,
            actor=user,
            from_state=from_state,
            to_state=ticket.state,
            note=note,
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


def ticket_resolve(
    *, ticket_id: int, user: User, report: dict[str, str], note: str = "", now=None
) -> Ticket:
    """Resolve with the fault report of seed 004: stops resolution and repair clocks.

    Faults need symptoms, located cause and solution; other kinds need the solution.
    """

    def validate(ticket: Ticket) -> None:
        required = ["symptoms", "cause", "solution"] if ticket.kind == Kind.FAULT else ["solution"]
        errors = {
            f: _("This field is required.") for f in required if not report.get(f, "").strip()
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
    return ticket


@transaction.atomic
def ticket_change_priority(
    *, ticket_id: int, user: User, priority: str, note: str = "", now: datetime | None = None
) -> Ticket:
    """Change the priority; clocks still running are recomputed under the new priority's terms.

    Rule (docs/SLA.md): targets are recomputed from `reported_at` with the
    terms of the new priority in the phase the ticket was reported in; time
    already used and paused is kept. Clocks already stopped keep their
    outcome, and a breach already recorded stays a breach.
    """
    now = now or timezone.now()
    ticket = _lock(ticket_id)
    if user is not None and not may.change_priority(ticket, user):
        raise TransitionForbidden(_("You may not change the priority of this ticket."))
    if priority not in dict(Ticket._meta.get_field("priority").choices):
        raise ValidationError({"priority": _("Choose P1, P2 or P3.")})
    if not ticket.is_open:
        raise TransitionConflict(_("The priority of a finished ticket cannot change."))
    old = ticket.priority
    if old == priority:
        return ticket
    ticket.priority = priority
    terms = None
    contract = contracts_with_terms().get(pk=ticket.contract_id) if ticket.covered else None
    if contract is not None:
        terms = contract.terms_for(ticket.phase, priority)
    ticket.terms_applied = _terms_snapshot(ticket.contract, ticket.phase, terms)
    ticket.save(update_fields=["priority", "terms_applied", "updated_at"])

    schedules, rules = ScheduleCache(), active_rules()
    budgets = clock_services.clock_budgets(ticket, terms)
    changes = {}
    existing = {c.kind: c for c in _clocks(ticket)}
    for kind, clock in existing.items():
        if clock.stopped_at is not None:
            continue
        before = clock.target_at.isoformat() if clock.target_at else None
        if kind not in budgets:
            clock_services.clock_cancel(clock, at=now)
            changes[kind] = {"from": before, "to": None}
            continue
        clock.budget_seconds, clock.calendar_id = budgets[kind]
        clock_services.clock_save_recomputed(clock, schedules=schedules, rules=rules)
        changes[kind] = {"from": before, "to": _iso(clock.target_at)}
    missing = [k for k in budgets if k not in existing]
    if missing:
        for clock in clock_services.clocks_start(
            ticket=ticket, terms=terms, schedules=schedules, kinds=missing
        ):
            _catch_up_new_clock(ticket, clock, now=now, schedules=schedules, rules=rules)
            changes[clock.kind] = {"from": None, "to": _iso(clock.target_at)}
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.PRIORITY,
        at=now,
        actor=user,
        note=note,
        data={"from": old, "to": priority, "clocks": changes},
    )
    return ticket


def _catch_up_new_clock(ticket: Ticket, clock: SlaClock, *, now, schedules, rules) -> None:
    """A clock added by a priority change stops where its event already happened."""
    happened = {
        SlaClock.Kind.RESPONSE: ticket.acknowledged_at,
        SlaClock.Kind.ONSITE: ticket.on_site_at,
    }.get(clock.kind)
    if happened is not None:
        clock_services.clock_stop(clock, at=happened)
    elif ticket.state == State.WAITING_CUSTOMER and (ticket.terms_applied or {}).get(
        "pause_on_customer"
    ):
        clock_services.clock_pause(clock, at=now, reason="waiting_customer")


@transaction.atomic
def ticket_attach(*, ticket_id: int, user: User | None, file, name: str = "") -> Attachment:
    """Keep a file on the ticket, checked by the one upload policy (core/uploads.py).

    A long name is shortened to fit; if the row cannot be written the stored file is removed,
    so no orphan is left on disk."""
    uploads.file_validate(file)
    ticket = Ticket.objects.get(pk=ticket_id)
    attachment = Attachment(
        ticket=ticket,
        file=file,
        name=uploads.short_name(clean_text(name, field="name") or file.name),
        uploaded_by=user,
    )
    try:
        attachment.save()
    except Exception:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.ATTACHMENT,
        at=timezone.now(),
        actor=user,
        note=attachment.name,
    )
    return attachment
