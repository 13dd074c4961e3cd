"""Logging a ticket: which contract and terms cover it, its number, its clocks, its first event."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.cache import customer_contracts, reference_stamp
from contracts.models import Contact, Contract, CoveredItem, Customer, ServiceTerms, Site
from contracts.phases import SERVICE_PHASES, Phase
from contracts.selectors import contracts_covering
from tickets import clocks as clock_services
from tickets.change_requests import change_submitted
from tickets.clocks import ScheduleCache
from tickets.complaints import complaint_routed
from tickets.models import Kind, State, Ticket, TicketEvent
from tickets.rollups import rollups_refresh_tickets

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


def terms_snapshot(contract: Contract | None, phase: str, terms: ServiceTerms | None) -> dict:
    """The contract, phase and terms a ticket is held to, as they were when applied."""
    if contract is None:
        return {}
    snapshot = {
        "contract_id": contract.pk,
        "contract_number": contract.number,
        "phase": phase,
        "phase_label": str(Phase(phase).label) if phase else "",
        "complaint_answer_hours": contract.complaint_answer_hours,
    }
    if terms is not None and phase == Phase.TRIAL and contract.trial_small_fix_hours:
        # Covered in trial operation: the 小一大二 answer is owed (tickets/trial_answers.py).
        snapshot["trial_fix_hours"] = {
            "small": contract.trial_small_fix_hours,
            "large": contract.trial_large_fix_hours,
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
    contracts: list[Contract],
) -> Contract | None:
    if contract is not None:
        # The given contract is the customer's (_validate_parties), so among `contracts`.
        return next(c for c in contracts if c.pk == contract.pk)
    covering = contracts_covering(
        customer=customer, site=site, item=item, moment=moment, contracts=contracts
    )
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


def _parties(*, customer, contract, site, item, contact) -> tuple[Customer, Site | None]:
    """The customer (given, or the contract's or site's) and the site (given, or the item's)."""
    if customer is None:
        customer = (contract.customer if contract else None) or (site.customer if site else None)
    if customer is None:
        raise ValidationError({"customer": _("Give the customer or the contract.")})
    _validate_parties(customer=customer, contract=contract, site=site, item=item, contact=contact)
    if site is None and item is not None:
        site = item.site
    return customer, site


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


@dataclass(frozen=True)
class _Cover:
    """The contract shown on the ticket, its phase when reported, and the terms if covered."""

    contract: Contract | None
    phase: str
    terms: ServiceTerms | None

    def ticket_fields(self, site: Site | None) -> dict:
        """What the cover decides on the ticket; the branch is the site's, else the contract's."""
        return {
            "contract": self.contract,
            "phase": self.phase,
            "covered": self.terms is not None,
            "terms_applied": terms_snapshot(self.contract, self.phase, self.terms),
            "branch_id": (site.branch_id if site else None)
            or (self.contract.branch_id if self.contract else None),
        }


def _cover(
    *, customer, contract, site, item, priority: str, reported_at: datetime, stamp: object
) -> _Cover:
    # The customer's contracts with terms and calendars, kept between requests until
    # contracts or calendars change (contracts/cache.py).
    contracts = customer_contracts(customer.pk, stamp=stamp)
    contract = _resolve_contract(
        customer=customer,
        contract=contract,
        site=site,
        item=item,
        moment=reported_at,
        contracts=contracts,
    )
    # Not covered: still show the customer's latest contract, so the agent sees why.
    # (Contracts come newest signed first: Contract.Meta.ordering.)
    shown = contract or (contracts[0] if contracts else None)
    phase = shown.phase_at(reported_at) if shown else ""
    terms = None
    if contract is not None and phase in SERVICE_PHASES:
        terms = contract.terms_for(phase, priority)
    return _Cover(shown, phase, terms)


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
    customer, site = _parties(
        customer=customer, contract=contract, site=site, item=covered_item, contact=contact
    )
    stamp = reference_stamp()
    cover = _cover(
        stamp=stamp,
        customer=customer,
        contract=contract,
        site=site,
        item=covered_item,
        priority=priority,
        reported_at=reported_at,
    )
    if not summary.strip():
        raise ValidationError({"summary": _("Say in a few words what the problem is.")})
    ticket = Ticket(
        number=_next_number(timezone.localtime(now).year),
        kind=kind,
        priority=priority,
        channel=channel,
        state=State.SUBMITTED if kind == Kind.CHANGE_REQUEST else State.NEW,
        customer=customer,
        contact=contact,
        site=site,
        covered_item=covered_item,
        summary=summary,
        description=description,
        reported_at=reported_at,
        created_by=created_by,
        **cover.ticket_fields(site),
    )
    ticket.save()
    _ticket_start(ticket, cover=cover, by=created_by, now=now, stamp=stamp)
    if kind == Kind.CHANGE_REQUEST:
        # The customer's project management signs first (tickets/change_requests.py).
        change_submitted(ticket, now=now)
    elif kind == Kind.COMPLAINT:
        # To the management group, with its own answer clock (tickets/complaints.py).
        complaint_routed(ticket, now=now)
    return ticket


def _ticket_start(
    ticket: Ticket, *, cover: _Cover, by: User | None, now: datetime, stamp: object
) -> None:
    """Start the clocks the terms promise, and record the creation with their targets."""
    clocks = clock_services.clocks_start(
        ticket=ticket, terms=cover.terms, schedules=ScheduleCache(stamp=stamp)
    )
    # The new clocks count in the SLA figures from now on, as running (tickets.rollups).
    rollups_refresh_tickets([ticket], durations=False)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.CREATED,
        at=now,
        actor=by,
        to_state=ticket.state,
        data={
            "covered": ticket.covered,
            "phase": cover.phase,
            "contract": cover.contract.number if cover.contract else None,
            "reported_at": ticket.reported_at.isoformat(),
            "clocks": {c.kind: c.target_at.isoformat() if c.target_at else None for c in clocks},
        },
    )
