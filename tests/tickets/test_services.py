from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contracts.phases import AfterWarranty
from core.errors import TransitionConflict, TransitionForbidden
from tests.factories import ContractFactory, CustomerFactory, ServiceTermsFactory
from tests.tickets.conftest import change_signed_off, shanghai
from tickets.models import SlaClock, State, Ticket, TicketEvent
from tickets.services.creation import ticket_create
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import (
    ticket_acknowledge,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
    transitions_available,
)

pytestmark = pytest.mark.django_db

REPORT = {"symptoms": "Screen frozen", "cause": "Disk full", "solution": "Rotated logs"}


def _create(world, *, priority="P1", kind="fault", at, **extra):
    extra.setdefault("site", world["site"])
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        kind=kind,
        priority=priority,
        summary="SCADA screens frozen",
        channel="phone",
        reported_at=at,
        now=extra.pop("now", at),
        **extra,
    )


def _targets(ticket):
    return {c.kind: c.target_at for c in ticket.clocks.all()}


def test_p1_warranty_ticket_gets_clocks_from_the_contract_terms(world):
    reported = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, at=reported, covered_item=world["hardware"])
    assert ticket.number == "2026-000001"
    assert (ticket.state, ticket.covered, ticket.phase) == (State.NEW, True, "warranty")
    assert ticket.contract == world["contract"]
    assert _targets(ticket) == {
        "response": shanghai(2026, 11, 25, 10, 30),
        "onsite": shanghai(2026, 11, 25, 14, 0),
        "resolution": shanghai(2026, 11, 26, 10, 0),
        "repair": shanghai(2026, 12, 2, 10, 0),  # hardware: 7 calendar days
    }
    assert ticket.terms_applied["contract_number"] == "DJ-2024-017"
    assert ticket.terms_applied["onsite_minutes"] == 240


def test_business_hours_skip_the_national_day_holiday_and_count_the_make_up_saturday(world):
    # Wed 2026-09-30 17:00, P3: on site within 240 business minutes, resolved within 1,440.
    ticket = _create(world, priority="P3", at=shanghai(2026, 9, 30, 17, 0))
    targets = _targets(ticket)
    assert targets["response"] == shanghai(2026, 9, 30, 17, 30)  # 7×24
    # 60 min on 9-30; 10-01..10-07 holiday and weekend; 180 min on 10-08 from 09:00 -> 12:00.
    assert targets["onsite"] == shanghai(2026, 10, 8, 12, 0)
    # 60 (9-30) + 450 (10-08) + 450 (10-09) + 450 (Sat 10-10, make-up) = 1,410;
    # Sun 10-11 off; 30 more on Mon 10-12 -> 09:30.
    assert targets["resolution"] == shanghai(2026, 10, 12, 9, 30)


def test_a_call_on_saturday_starts_counting_on_monday_morning(world):
    ticket = _create(world, priority="P3", at=shanghai(2026, 11, 28, 10, 0))
    # Mon 09:00-12:00 (180) + 13:30-14:30 (60).
    assert _targets(ticket)["onsite"] == shanghai(2026, 11, 30, 14, 30)


def test_explanation_names_contract_phase_calendar_and_skipped_days(world):
    from tickets.clock_reading import clock_explain
    from tickets.clocks import ScheduleCache

    ticket = _create(world, priority="P3", at=shanghai(2026, 9, 30, 17, 0))
    clock = ticket.clocks.get(kind="onsite")
    explained = clock_explain(clock, schedules=ScheduleCache())
    assert explained["contract"] == "DJ-2024-017"
    assert explained["phase"] == "warranty"
    assert explained["budget_minutes"] == 240
    assert {d["date"] for d in explained["skipped_days"]} >= {date(2026, 10, 1), date(2026, 10, 5)}
    assert sum((i["end"] - i["start"] for i in explained["working_intervals"]), timedelta()) == (
        timedelta(minutes=240)
    )
    assert any("2026-10-08 12:00" in line for line in explained["text"])


def test_reported_at_in_the_future_is_refused_and_nothing_is_saved(world):
    now = shanghai(2026, 11, 25, 10, 0)
    with pytest.raises(ValidationError) as excinfo:
        _create(world, at=now + timedelta(hours=1), now=now)
    assert "reported_at" in excinfo.value.message_dict
    assert not world["customer"].tickets.exists()


def test_customer_without_contract_in_force_is_logged_as_not_covered(world):
    lonely = CustomerFactory(name="西岭热电")
    ticket = ticket_create(
        created_by=world["agent"],
        customer=lonely,
        kind="fault",
        priority="P1",
        summary="Boiler control down",
        channel="phone",
    )
    assert (ticket.covered, ticket.contract, ticket.clocks.count()) == (False, None, 0)

    expired = ContractFactory(
        signed_on=date(2019, 6, 1),
        final_acceptance_on=date(2020, 1, 1),
        warranty_months=24,
        after_warranty=AfterWarranty.NONE,
    )
    ServiceTermsFactory(contract=expired)
    ticket = ticket_create(
        created_by=world["agent"],
        customer=expired.customer,
        kind="fault",
        priority="P1",
        summary="x",
        channel="phone",
    )
    assert (ticket.covered, ticket.contract, ticket.phase) == (False, expired, "expired")
    assert ticket.clocks.count() == 0


def test_the_phase_at_the_reported_moment_decides_the_terms(world):
    # The warranty started 2025-09-26; a call backdated into trial operation has no trial terms.
    ticket = _create(world, at=shanghai(2025, 9, 25, 23, 0), now=shanghai(2025, 9, 26, 9, 0))
    assert (ticket.phase, ticket.covered) == ("trial", False)


def test_two_contracts_covering_the_same_site_must_be_chosen_between(world):
    second = ContractFactory(customer=world["customer"], number="DJ-2026-001")
    second.sites.add(world["site"])
    ServiceTermsFactory(contract=second)
    with pytest.raises(ValidationError) as excinfo:
        _create(world, at=shanghai(2026, 11, 25, 10, 0))
    assert "DJ-2026-001" in str(excinfo.value.message_dict["contract"])
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0), contract=second)
    assert ticket.contract == second


def test_acknowledge_stops_the_response_clock_met_or_breached(world):
    on_time = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    ticket_acknowledge(
        ticket_id=on_time.pk, user=world["agent"], now=shanghai(2026, 11, 25, 10, 20)
    )
    response = on_time.clocks.get(kind="response")
    assert (response.status, response.breached_at) == ("met", None)

    late = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    ticket_acknowledge(ticket_id=late.pk, user=world["agent"], now=shanghai(2026, 11, 25, 10, 45))
    response = late.clocks.get(kind="response")
    assert response.status == "breached"
    assert response.breached_at == shanghai(2026, 11, 25, 10, 30)


def test_fault_journey_stops_each_clock_at_its_step_and_records_every_event(world):
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, at=t0, covered_item=world["hardware"])
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0 + timedelta(minutes=10))
    ticket_dispatch(
        ticket_id=ticket.pk,
        user=world["agent"],
        engineer=world["engineer"],
        now=t0 + timedelta(minutes=15),
    )
    engineer = world["engineer"]
    ticket_transition(
        ticket_id=ticket.pk, name="depart", user=engineer, now=t0 + timedelta(hours=1)
    )
    ticket_transition(
        ticket_id=ticket.pk, name="check_in", user=engineer, now=t0 + timedelta(hours=3)
    )
    ticket_resolve(ticket_id=ticket.pk, user=engineer, report=REPORT, now=t0 + timedelta(hours=5))
    with time_machine.travel(t0 + timedelta(days=1), tick=False):
        ticket_transition(
            ticket_id=ticket.pk,
            name="confirm",
            user=world["customer_user"],
            now=t0 + timedelta(days=1),
        )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.confirmed_by_customer
    assert {c.kind: c.status for c in ticket.clocks.all()} == {
        "response": "met",
        "onsite": "met",
        "resolution": "met",
        "repair": "met",
    }
    assert ticket.clocks.get(kind="onsite").stopped_at == t0 + timedelta(hours=3)
    assert ticket.fault_report.cause == "Disk full"
    steps = list(ticket.events.values_list("kind", "from_state", "to_state", "actor__username"))
    assert steps == [
        ("created", "", "new", "agent"),
        ("transition", "new", "acknowledged", "agent"),
        ("transition", "acknowledged", "dispatched", "agent"),
        ("transition", "dispatched", "en_route", "engineer"),
        ("transition", "en_route", "on_site", "engineer"),
        ("transition", "on_site", "resolved", "engineer"),
        ("transition", "resolved", "closed", "customer"),
    ]


def test_resolve_needs_the_fault_report_and_a_refusal_changes_nothing(world):
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    with pytest.raises(ValidationError) as excinfo:
        ticket_resolve(ticket_id=ticket.pk, user=world["agent"], report={"symptoms": "x"})
    assert set(excinfo.value.message_dict) == {"cause", "solution"}
    ticket.refresh_from_db()
    assert ticket.state == State.ACKNOWLEDGED
    assert ticket.clocks.get(kind="resolution").stopped_at is None


def test_transitions_not_allowed_now_conflict_and_forbidden_ones_are_refused(world):
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    with pytest.raises(TransitionConflict, match="不能到场签到"):
        ticket_transition(ticket_id=ticket.pk, name="check_in", user=world["manager"])
    with pytest.raises(TransitionForbidden):
        ticket_transition(ticket_id=ticket.pk, name="acknowledge", user=world["customer_user"])
    with pytest.raises(TransitionForbidden):
        ticket_transition(ticket_id=ticket.pk, name="acknowledge", user=world["engineer_north"])
    assert transitions_available(ticket, world["agent"]) == ["acknowledge", "cancel"]
    assert transitions_available(ticket, world["customer_user"]) == ["cancel"]
    assert transitions_available(ticket, world["engineer_north"]) == []


def test_only_engineers_can_be_dispatched(world):
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    with pytest.raises(ValidationError) as excinfo:
        ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["agent"])
    assert "engineer" in excinfo.value.message_dict


def test_waiting_on_the_customer_pauses_clocks_and_extends_the_targets(world):
    t0 = shanghai(2026, 11, 25, 10, 0)  # Wednesday
    ticket = _create(world, priority="P3", at=t0)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0 + timedelta(minutes=5))
    ticket_transition(
        ticket_id=ticket.pk,
        name="wait_customer",
        user=world["agent"],
        now=shanghai(2026, 11, 25, 11, 0),
    )
    assert set(ticket.clocks.values_list("kind", "status")) == {
        ("response", "met"),
        ("onsite", "paused"),
        ("resolution", "paused"),
    }
    ticket_transition(
        ticket_id=ticket.pk, name="resume", user=world["agent"], now=shanghai(2026, 11, 25, 14, 0)
    )
    ticket.refresh_from_db()
    assert ticket.state == State.ACKNOWLEDGED
    # Paused 11:00-12:00 and 13:30-14:00 of business time: 90 minutes later than 15:30.
    assert _targets(ticket)["onsite"] == shanghai(2026, 11, 25, 17, 0)
    # 1,440 business minutes: Wed 390, Thu 450, Fri 450, Mon 150 -> Mon 11:30, +90 -> 14:30.
    assert _targets(ticket)["resolution"] == shanghai(2026, 11, 30, 14, 30)
    pause = ticket.clocks.get(kind="onsite").pauses.get()
    assert (pause.started_at, pause.ended_at) == (
        shanghai(2026, 11, 25, 11, 0),
        shanghai(2026, 11, 25, 14, 0),
    )


def test_clocks_do_not_pause_where_the_terms_do_not_allow_it(world):
    world["contract"].terms.filter(priority="P1").update(pause_on_customer=False)
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, at=t0)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0)
    ticket_transition(ticket_id=ticket.pk, name="wait_customer", user=world["agent"], now=t0)
    assert not ticket.clocks.filter(status="paused").exists()
    assert ticket.events.last().data["paused"] is False


def test_priority_change_recomputes_from_reported_at_and_is_recorded(world):
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, priority="P3", at=t0)
    assert _targets(ticket)["onsite"] == shanghai(2026, 11, 25, 15, 30)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0 + timedelta(minutes=20))
    ticket_change_priority(
        ticket_id=ticket.pk, user=world["agent"], priority="P1", now=t0 + timedelta(hours=1)
    )
    ticket.refresh_from_db()
    # P1 on site is 240 minutes on 7×24 from the original 10:00.
    assert _targets(ticket)["onsite"] == shanghai(2026, 11, 25, 14, 0)
    assert _targets(ticket)["resolution"] == shanghai(2026, 11, 26, 10, 0)
    # The response clock had already stopped: its outcome stands.
    assert ticket.clocks.get(kind="response").status == "met"
    event = ticket.events.get(kind=TicketEvent.Kind.PRIORITY)
    assert (event.data["from"], event.data["to"]) == ("P3", "P1")
    assert event.data["clocks"]["onsite"]["to"] == shanghai(2026, 11, 25, 14, 0).isoformat()


def test_contract_edits_never_rewrite_the_clocks_of_open_tickets(world):
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    world["contract"].terms.update(onsite_minutes=60)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    assert _targets(ticket)["onsite"] == shanghai(2026, 11, 25, 14, 0)
    assert ticket.terms_applied["onsite_minutes"] == 240


def test_consultation_resolved_on_the_phone_has_no_on_site_clock(world):
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, kind="consultation", at=t0)
    assert set(_targets(ticket)) == {"response", "resolution"}
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0)
    ticket_resolve(
        ticket_id=ticket.pk,
        user=world["agent"],
        report={"solution": "Explained the report"},
        now=t0,
    )
    assert ticket.clocks.get(kind="resolution").status == "met"


def test_change_request_needs_management_sign_off_before_work(world):
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, kind="change_request", at=t0)
    assert ticket.state == State.SUBMITTED
    assert set(_targets(ticket)) == {"response"}
    with pytest.raises(TransitionConflict):
        ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    with pytest.raises(TransitionForbidden):
        ticket_transition(ticket_id=ticket.pk, name="approve", user=world["agent"])
    # A manager alone cannot approve: the customer signs and accepts the evaluation first.
    with pytest.raises(TransitionConflict):
        ticket_transition(ticket_id=ticket.pk, name="approve", user=world["manager"])
    change_signed_off(ticket, world)
    assert Ticket.objects.get(pk=ticket.pk).state == State.APPROVED
    for name, user in [
        ("start_work", world["engineer"]),
        ("complete", world["engineer"]),
        ("accept", world["customer_user"]),
    ]:
        ticket_transition(ticket_id=ticket.pk, name=name, user=user, now=t0 + timedelta(minutes=10))
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED
    assert ticket.clocks.get(kind="response").status == "met"


def test_reopen_within_the_window_runs_the_resolution_clock_again(world, settings):
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, at=t0)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0)
    ticket_resolve(
        ticket_id=ticket.pk, user=world["agent"], report=REPORT, now=t0 + timedelta(hours=2)
    )
    with time_machine.travel(t0 + timedelta(hours=4), tick=False):
        ticket_transition(
            ticket_id=ticket.pk,
            name="reopen",
            user=world["customer_user"],
            now=t0 + timedelta(hours=4),
        )
    resolution = ticket.clocks.get(kind="resolution")
    assert (resolution.status, resolution.stopped_at) == ("running", None)
    # The 2 hours it stood resolved do not count against the promise.
    assert resolution.target_at == shanghai(2026, 11, 26, 12, 0)

    settings.REOPEN_WINDOW_DAYS = 7
    ticket_resolve(
        ticket_id=ticket.pk, user=world["agent"], report=REPORT, now=t0 + timedelta(hours=5)
    )
    with (
        time_machine.travel(t0 + timedelta(days=9), tick=False),
        pytest.raises(TransitionConflict, match="已超过可重开期限"),
    ):
        ticket_transition(ticket_id=ticket.pk, name="reopen", user=world["customer_user"])


def test_cancel_stops_every_clock_without_a_breach(world):
    ticket = _create(world, at=shanghai(2026, 11, 25, 10, 0))
    ticket_transition(
        ticket_id=ticket.pk,
        name="cancel",
        note="No longer needed.",
        user=world["agent"],
        now=shanghai(2026, 11, 25, 10, 5),
    )
    assert set(ticket.clocks.values_list("status", flat=True)) == {SlaClock.Status.CANCELLED}
    assert not ticket.clocks.filter(next_step_at__isnull=False).exists()


def test_numbers_follow_a_yearly_sequence(world):
    first = _create(world, at=shanghai(2026, 12, 31, 23, 0))
    second = _create(world, at=shanghai(2026, 12, 31, 23, 30))
    third = _create(world, at=shanghai(2027, 1, 1, 0, 30))
    assert [first.number, second.number, third.number] == [
        "2026-000001",
        "2026-000002",
        "2027-000001",
    ]


def test_a_clock_added_by_a_priority_change_stops_where_its_event_happened(world):
    world["contract"].terms.filter(priority="P2").update(onsite_minutes=None)
    t0 = shanghai(2026, 11, 25, 10, 0)
    ticket = _create(world, priority="P2", at=t0)
    assert "onsite" not in _targets(ticket)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=t0 + timedelta(minutes=5))
    ticket_dispatch(
        ticket_id=ticket.pk,
        user=world["agent"],
        engineer=world["engineer"],
        now=t0 + timedelta(minutes=10),
    )
    for name in ("depart", "check_in"):
        ticket_transition(
            ticket_id=ticket.pk, name=name, user=world["engineer"], now=t0 + timedelta(hours=1)
        )
    ticket_change_priority(
        ticket_id=ticket.pk,
        user=world["agent"],
        priority="P1",
        now=t0 + timedelta(hours=1, minutes=30),
    )
    onsite = ticket.clocks.get(kind="onsite")
    assert (onsite.status, onsite.stopped_at) == ("met", t0 + timedelta(hours=1))


def test_approved_change_requests_can_still_be_cancelled(world):
    ticket = _create(world, kind="change_request", at=shanghai(2026, 11, 25, 10, 0))
    change_signed_off(ticket, world)
    ticket_transition(
        ticket_id=ticket.pk, name="cancel", note="No longer needed.", user=world["agent"]
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED


def test_a_calendar_without_any_working_time_is_a_clear_error_not_a_crash(world):
    from contracts.models import WorkingWindow

    WorkingWindow.objects.filter(calendar=world["business"]).delete()
    with pytest.raises(ValidationError) as excinfo:
        _create(world, priority="P3", at=shanghai(2026, 11, 25, 10, 0))
    assert "contract" in excinfo.value.message_dict
