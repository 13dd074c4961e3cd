"""The substitute-device promise (seed 002, 4.5.2): a hardware fault not fixed within the
contract's hours gets a device of the same class. Its clock counts calendar hours, holidays
included, and stops when a substitute is installed."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from core.errors import TransitionConflict, TransitionForbidden
from reports.sla.compliance import OutcomeCounts
from reports.sla.period import Period
from spares.services import substitute_install, substitute_return
from tests.factories import ServiceTermsFactory
from tests.spares.conftest import hardware_fault
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.models import Notification, SlaClock
from tickets.models.clocks import clock_outcome
from tickets.rollups import rollups_rebuild
from tickets.services.transitions import ticket_acknowledge, ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db

REPORT = {"symptoms": "Gateway dead", "cause": "Power supply", "solution": "Replaced it"}


def _resolve(world, ticket, at):
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=at - timedelta(minutes=1))
    ticket_resolve(ticket_id=ticket.pk, user=world["agent"], report=REPORT, now=at)


def _clock(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, kind=SlaClock.Kind.SUBSTITUTE)


def _install(world, ticket, at, user="engineer"):
    return substitute_install(
        ticket=ticket,
        user=world[user],
        device="Spare gateway",
        model="GW-200",
        serial_number="GW-SPARE-1",
        location="Rack 2",
        now=at,
    )


def test_a_hardware_fault_gets_the_contracts_substitute_clock_in_calendar_hours(shop):
    # Thursday 30 September 2026, 16:00: the 24 hours run into National Day, a holiday.
    reported = shanghai(2026, 9, 30, 16, 0)
    ticket = hardware_fault(shop, reported, priority="P3")
    clock = _clock(ticket)
    assert clock.target_at == shanghai(2026, 10, 1, 16, 0)
    assert clock.calendar_id is None
    # The business-hours resolution clock of P3 waits for the holidays to end meanwhile.
    resolution = SlaClock.objects.get(ticket=ticket, kind="resolution")
    assert resolution.target_at > shanghai(2026, 10, 8)


def test_no_substitute_clock_for_software_after_the_warranty_or_without_the_promise(shop):
    at = shanghai(2026, 11, 24, 9, 0)
    assert not hardware_fault(shop, at, item="software").clocks.filter(kind="substitute").exists()
    contract = shop["contract"]
    contract.substitute_device_hours = None
    contract.save()
    assert not hardware_fault(shop, at).clocks.filter(kind="substitute").exists()
    # Lifetime service after the warranty keeps its repair promise, not the substitute.
    contract.substitute_device_hours = 24
    contract.signed_on, contract.final_acceptance_on = date(2020, 1, 10), date(2021, 1, 10)
    contract.save()
    ServiceTermsFactory(
        contract=contract,
        phase="after_warranty",
        priority="P1",
        repair_days=7,
        response_calendar=shop["always"],
    )
    ticket = hardware_fault(shop, at)
    assert ticket.phase == "after_warranty"
    assert set(ticket.clocks.values_list("kind", flat=True)) == {
        "response",
        "onsite",
        "resolution",
        "repair",
    }


def test_installed_in_time_the_promise_is_met_and_counted_so(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    ticket = hardware_fault(shop, reported)
    substitute = _install(shop, ticket, reported + timedelta(hours=20))
    clock = _clock(ticket)
    assert (clock.status, clock.stopped_at) == ("met", reported + timedelta(hours=20))
    assert substitute.installed_by == shop["engineer"]
    event = ticket.events.filter(data__action="substitute_install").get()
    assert event.data["clocks"] == {"substitute": "met"}
    counts = OutcomeCounts.of(
        Period(reported.date(), reported.date() + timedelta(days=7)),
        now=reported + timedelta(days=2),
    )
    assert counts.compliance()["substitute"].met == 1
    # Taken back once the customer's own device works; a second return is refused.
    substitute_return(
        substitute=substitute, user=shop["engineer"], now=reported + timedelta(days=2)
    )
    with pytest.raises(TransitionConflict):
        substitute_return(substitute=substitute, user=shop["engineer"])


def test_installed_late_the_promise_is_breached(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    ticket = hardware_fault(shop, reported)
    _install(shop, ticket, reported + timedelta(hours=25))
    clock = _clock(ticket)
    assert clock.status == "breached"
    assert clock.breached_at == reported + timedelta(hours=24)


def test_fixed_in_time_no_substitute_is_needed_fixed_late_it_stays_breached(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    quick = hardware_fault(shop, reported)
    _resolve(shop, quick, reported + timedelta(hours=5))
    assert clock_outcome(_clock(quick), reported + timedelta(days=3)) == "not_needed"
    slow = hardware_fault(shop, reported)
    _resolve(shop, slow, reported + timedelta(hours=30))
    assert _clock(slow).status == "breached"
    # A finished ticket takes no substitute.
    with pytest.raises(TransitionConflict):
        _install(shop, slow, reported + timedelta(hours=31))


def test_the_substitute_clock_climbs_the_ladder_like_any_other(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    ticket = hardware_fault(shop, reported)
    sweep_due_steps(now=reported + timedelta(hours=25))
    clock = _clock(ticket)
    assert clock.warned_at is not None and clock.breached_at == reported + timedelta(hours=24)
    notified = Notification.objects.filter(step__clock=clock, step__kind="breach")
    assert notified.exists()
    with translation.override("en"):
        assert notified.first().display_title == "[2026-000001] Substitute device deadline breached"
    # The rollups counted the breach as a recount would.
    period = Period(reported.date(), reported.date() + timedelta(days=1))
    now = reported + timedelta(hours=26)
    assert OutcomeCounts.of(period, now=now).groups == OutcomeCounts.recount(period, now=now).groups
    rollups_rebuild()
    assert OutcomeCounts.of(period, now=now).groups == OutcomeCounts.recount(period, now=now).groups


def test_only_the_people_on_the_ticket_install_a_substitute(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    ticket = hardware_fault(shop, reported)
    for user in ("engineer_north", "customer_user"):
        with pytest.raises(TransitionForbidden):
            _install(shop, ticket, reported + timedelta(hours=1), user=user)
    assert _clock(ticket).stopped_at is None
    _install(shop, ticket, reported + timedelta(hours=2))
    with pytest.raises(TransitionConflict):
        _install(shop, ticket, reported + timedelta(hours=3))


def test_a_reopened_fault_owes_its_substitute_again(shop):
    reported = shanghai(2026, 11, 24, 9, 0)
    ticket = hardware_fault(shop, reported)
    _resolve(shop, ticket, reported + timedelta(hours=5))
    assert _clock(ticket).status == "cancelled"
    ticket_transition(
        ticket_id=ticket.pk,
        name="reopen",
        user=shop["agent"],
        note="Gateway dead again",
        now=reported + timedelta(hours=7),
    )
    clock = _clock(ticket)
    # Running again; the two hours it stood resolved do not count.
    assert (clock.status, clock.target_at) == ("running", reported + timedelta(hours=26))
    _install(shop, ticket, reported + timedelta(hours=25))
    assert _clock(ticket).status == "met"
