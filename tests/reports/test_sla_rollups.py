"""The SLA rollups: kept equal to a recount of the clocks by every step that moves a clock, and
the dashboard's figures read from them equal to the figures counted from the clocks."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import translation

from reports.sla.compliance import DIMENSIONS, OutcomeCounts
from reports.sla.durations import _durations_in_sql
from reports.sla.period import Period, StatFilters, tickets_in
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.models import SlaClock, SlaDurationRollup, SlaRollup
from tickets.rollups import rollups_rebuild
from tickets.services.creation import ticket_create
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import (
    ticket_acknowledge,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
)

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db

NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
MORNING = shanghai(2026, 11, 24, 9, 0)
NOW = shanghai(2026, 11, 25, 12, 0)
REPORT = {
    "symptoms": "Pumps not reporting",
    "cause": "Gateway disk full",
    "solution": "Rotated the logs",
    "prevention": "Log rotation every week",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _ticket(world, at, priority="P1"):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority=priority,
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
    )


def _step(world, ticket, name, at, user="agent"):
    # Cancel, close and reject need their reason; any other step takes it as a note.
    return ticket_transition(
        ticket_id=ticket.pk, name=name, user=world[user], note="Step of the test.", now=at
    )


def _rollups() -> Counter:
    return Counter(
        {
            (r.day, r.customer_id, r.contract_id, r.branch_id, r.engineer_id, r.kind, r.outcome): (
                r.clocks
            )
            for r in SlaRollup.objects.all()
        }
    )


def _durations() -> dict:
    return {
        (r.day, r.measure): (r.tickets, round(r.total_minutes, 6), r.bins)
        for r in SlaDurationRollup.objects.all()
    }


@pytest.fixture
def history(world):
    """Tickets through every step that settles, moves or unsettles a clock, on two days."""
    at = MORNING
    met = _ticket(world, at)
    ticket_acknowledge(ticket_id=met.pk, user=world["agent"], now=at + timedelta(minutes=5))
    late = _ticket(world, at + timedelta(minutes=1))
    ticket_acknowledge(ticket_id=late.pk, user=world["agent"], now=at + timedelta(minutes=50))
    # Dispatched after its response clock stopped: that clock moves to the engineer's bucket.
    ticket_dispatch(
        ticket_id=late.pk,
        user=world["agent"],
        engineer=world["engineer"],
        now=at + timedelta(minutes=55),
    )
    waiting = _ticket(world, at + timedelta(minutes=2))
    ticket_acknowledge(ticket_id=waiting.pk, user=world["agent"], now=at + timedelta(minutes=10))
    _step(world, waiting, "wait_customer", at + timedelta(minutes=20))
    cancelled = _ticket(world, at + timedelta(minutes=3))
    _step(world, cancelled, "cancel", at + timedelta(minutes=15))
    # Running past its target: the sweep records the breach, which settles the clock.
    unnoticed = _ticket(world, shanghai(2026, 11, 25, 8, 0))
    # Past its first warning (50 % of a 30-minute response), not its target: at risk once
    # the sweep records the warning.
    warned = _ticket(world, NOW - timedelta(minutes=20))
    sweep_due_steps(now=NOW)
    # Resolved, then reopened: its stopped clocks run again and leave the rollups.
    reopened = _ticket(world, at + timedelta(minutes=4))
    ticket_acknowledge(ticket_id=reopened.pk, user=world["agent"], now=at + timedelta(minutes=9))
    ticket_resolve(
        ticket_id=reopened.pk, user=world["agent"], report=REPORT, now=at + timedelta(hours=2)
    )
    resolved = _ticket(world, at + timedelta(minutes=6))
    ticket_acknowledge(ticket_id=resolved.pk, user=world["agent"], now=at + timedelta(minutes=8))
    ticket_resolve(
        ticket_id=resolved.pk, user=world["agent"], report=REPORT, now=at + timedelta(hours=3)
    )
    _step(world, reopened, "reopen", at + timedelta(hours=4))
    # A priority change recounts too (P1 to P3: the clocks still running follow).
    changed = _ticket(world, at + timedelta(minutes=7))
    ticket_acknowledge(ticket_id=changed.pk, user=world["agent"], now=at + timedelta(minutes=12))
    ticket_change_priority(
        ticket_id=changed.pk, user=world["agent"], priority="P3", now=at + timedelta(minutes=30)
    )
    # Still running and within target: counted as running from its creation on.
    fresh = _ticket(world, NOW - timedelta(minutes=10))
    return {
        "late": late,
        "waiting": waiting,
        "unnoticed": unnoticed,
        "reopened": reopened,
        "fresh": fresh,
        "warned": warned,
    }


def test_the_rollups_equal_a_recount_after_every_kind_of_step(world, history):
    kept = _rollups()
    outcomes = {outcome for (*_key, outcome) in kept}
    assert outcomes == {"met", "breached", "paused", "at_risk", "running"}
    # The breach the sweep recorded, in its ticket's bucket.
    unnoticed = SlaClock.objects.get(ticket=history["unnoticed"], kind="response")
    assert unnoticed.breached_at is not None
    # The late response counts under the engineer it was dispatched to, not under nobody.
    engineer = world["engineer"].pk
    assert kept[(date(2026, 11, 24), world["customer"].pk, world["contract"].pk,
                 world["contract"].branch_id, engineer, "response", "breached")] == 1  # fmt: skip
    # Reopened: its clocks run again, none of them is settled.
    assert not SlaRollup.objects.filter(
        engineer=None, kind="resolution", outcome="met", day=date(2026, 11, 24), clocks__gt=1
    ).exists()
    durations = _durations()
    rollups_rebuild()
    assert _rollups() == kept
    assert _durations() == durations


def test_a_new_ticket_counts_as_running_and_a_warning_as_at_risk(world, history):
    def counted(ticket):
        ticket.refresh_from_db()
        return {
            (r.kind, r.outcome): r.clocks
            for r in SlaRollup.objects.filter(
                day=ticket.reported_at.astimezone(shanghai(2026, 11, 1).tzinfo).date(),
                customer=ticket.customer_id,
                contract=ticket.contract_id,
                branch=ticket.branch_id,
                engineer=ticket.assigned_engineer_id,
            )
        }

    # The 25th's bucket: "unnoticed" (08:00, its response breached and recorded by the
    # sweep), "warned" (11:40, its response past 50 % when the sweep ran at 12:00) and
    # "fresh" (11:50, created after the sweep): every clock counted once, under the outcome
    # recorded for it, before any sweep reads the fresh one.
    found = counted(history["fresh"])
    assert found[("response", "breached")] == 1
    assert found[("response", "at_risk")] == 1
    assert found[("response", "running")] == 1
    assert found[("resolution", "running")] == 3
    assert (
        sum(found.values())
        == SlaClock.objects.filter(
            ticket__in=[history["unnoticed"], history["warned"], history["fresh"]]
        )
        .exclude(status="cancelled")
        .count()
    )


def test_the_command_rebuilds_what_was_lost(world, history):
    kept, durations = _rollups(), _durations()
    SlaRollup.objects.all().delete()
    SlaDurationRollup.objects.all().delete()
    call_command("sla_rollups_rebuild", "--from", "2026-11-24", "--to", "2026-11-25")
    assert _rollups() == kept
    assert _durations() == durations


def test_a_wrong_bucket_is_recounted_by_the_next_step_in_it(world, history):
    row = SlaRollup.objects.filter(outcome="paused").first()
    SlaRollup.objects.filter(pk=row.pk).update(clocks=99)
    _step(world, history["waiting"], "resume", NOW)
    rebuilt_from = _rollups()
    rollups_rebuild()
    assert _rollups() == rebuilt_from


@pytest.mark.parametrize(
    "narrowing",
    ["none", "customer", "engineer", "branch", "contract"],
)
def test_the_figures_from_the_rollups_equal_those_counted_from_the_clocks(
    world, history, narrowing
):
    values = {
        "none": StatFilters(),
        "customer": StatFilters(customer=world["customer"].pk),
        "engineer": StatFilters(engineer=world["engineer"].pk),
        "branch": StatFilters(branch=world["contract"].branch_id),
        "contract": StatFilters(contract=world["contract"].pk),
    }
    filters = values[narrowing]
    # Earlier than the sweep: warnings it recorded are not due yet. Later: clocks past their
    # first warning or their target that no sweep has reached.
    for moment in (NOW - timedelta(hours=2), NOW, NOW + timedelta(days=2)):
        rolled = OutcomeCounts.of(NOVEMBER, filters, now=moment)
        counted = OutcomeCounts.recount(NOVEMBER, filters, now=moment)
        assert rolled.groups == counted.groups
        assert rolled.compliance() == counted.compliance()
    assert rolled.compliance()["response"].decided > 0


def test_the_dashboard_shows_the_figures_counted_from_the_clocks(world, history, client):
    client.force_login(world["manager"])
    # November by its dates: the history is November's, whatever month it is now.
    response = client.get("/dashboard/", {"start": "2026-11-01", "end": "2026-11-30"})
    assert response.status_code == 200
    report = response.context["report"]
    now = report.now
    assert [row.count > 0 for row in report.durations] == [True, False, True]
    counted = OutcomeCounts.recount(NOVEMBER, now=now)
    assert report.compliance == counted.compliance()
    for dimension, (column, _labels) in DIMENSIONS.items():
        shown = {row.key: row.by_kind for row in report.groups[dimension]}
        assert shown == counted.by(column)
    exact = {row.key: row for row in _durations_in_sql(tickets_in(NOVEMBER))}
    for row in report.durations:
        assert row.count == exact[row.key].count
        if exact[row.key].count == 0:
            assert (row.mean, row.p90) == (None, None)
            continue
        assert row.mean == pytest.approx(exact[row.key].mean)
        assert row.p90 == pytest.approx(exact[row.key].p90, rel=0.05)
    # The list of breaches counts what the clocks say.
    breached = SlaClock.objects.filter(ticket__reported_at__gte=NOVEMBER.start_at).breached(now)
    assert report.breaches.total == breached.count()
    assert report.breaches.tickets == len({clock.ticket_id for clock in breached})
