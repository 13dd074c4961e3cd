"""Changing a ticket's priority: the clocks still running follow the new priority's terms."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.selectors import contracts_with_terms
from core.errors import TransitionConflict, TransitionForbidden
from tickets import clocks as clock_services
from tickets import permissions as may
from tickets.clocks import ScheduleCache, active_rules
from tickets.models import SlaClock, State, Ticket, TicketEvent, response_kept_at
from tickets.notify import notifications_withdrawn_refresh
from tickets.rollups import rollups_refresh_tickets
from tickets.services.creation import terms_snapshot
from tickets.services.transitions import ticket_clocks_locked, ticket_lock


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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
    ticket = ticket_lock(ticket_id)
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
    snapshot = terms_snapshot(ticket.contract, ticket.phase, terms)
    # The trial-phase answer owed when the call came in stays owed, as it was promised.
    snapshot.pop("trial_fix_hours", None)
    if "trial_fix_hours" in (ticket.terms_applied or {}):
        snapshot["trial_fix_hours"] = ticket.terms_applied["trial_fix_hours"]
    ticket.terms_applied = snapshot
    ticket.save(update_fields=["priority", "terms_applied", "updated_at"])
    changes = _clocks_follow(ticket, terms=terms, now=now)
    # The clocks' targets moved; the ticket's measured moments did not.
    rollups_refresh_tickets([ticket], durations=False)
    notifications_withdrawn_refresh([ticket])
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.PRIORITY,
        at=now,
        actor=user,
        note=note,
        data={"from": old, "to": priority, "clocks": changes},
    )
    return ticket


def _clocks_follow(ticket: Ticket, *, terms, now: datetime) -> dict:
    """Recompute, cancel or start the running clocks for the new terms; returns what moved."""
    schedules, rules = ScheduleCache(), active_rules()
    budgets = clock_services.clock_budgets(ticket, terms)
    changes = {}
    existing = {c.kind: c for c in ticket_clocks_locked(ticket)}
    for kind, clock in existing.items():
        if clock.stopped_at is not None:
            continue
        before = _iso(clock.target_at)
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
    return changes


def _catch_up_new_clock(ticket: Ticket, clock: SlaClock, *, now, schedules, rules) -> None:
    """A clock added by a priority change stops where its event already happened."""
    happened = {
        SlaClock.Kind.RESPONSE: lambda: response_kept_at(ticket),
        SlaClock.Kind.ONSITE: lambda: ticket.on_site_at,
        # spares.Substitute, through its reverse accessor: the spares app builds on tickets.
        SlaClock.Kind.SUBSTITUTE: lambda: (
            ticket.substitutes.order_by("installed_at").values_list("installed_at", flat=True)
        ).first(),
    }.get(clock.kind, lambda: None)()
    if happened is not None:
        clock_services.clock_stop(clock, at=happened)
    elif ticket.state == State.WAITING_CUSTOMER and (ticket.terms_applied or {}).get(
        "pause_on_customer"
    ):
        clock_services.clock_pause(clock, at=now, reason="waiting_customer")
