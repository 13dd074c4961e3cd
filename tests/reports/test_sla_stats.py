"""SLA figures on hand-computed data: compliance, groups, trend, durations, period boundaries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contracts.phases import Phase
from reports.sla.compliance import compliance, compliance_by, weekly_trend
from reports.sla.durations import durations, percentile
from reports.sla.lists import at_risk_now, breached_open_now, breaches
from reports.sla.period import Period, StatFilters, tickets_in
from reports.sla.report import sla_report
from tests.factories import ServiceTermsFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch, ticket_transition

# The world of the ticket tests: one customer with a warranty contract, staff of every tier.
branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
NOW = shanghai(2026, 11, 25, 12, 0)
MORNING = shanghai(2026, 11, 25, 9, 0)


def _ticket(world, at, *, priority="P1", customer=None, contract=None, site="default"):
    return ticket_create(
        created_by=world["agent"],
        customer=customer or world["customer"],
        contract=contract,
        site=world["site"] if site == "default" else site,
        kind="fault",
        priority=priority,
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
    )


def _ack(world, ticket, at):
    return ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=at)


def _responses(world, minutes: list[int], *, start=MORNING):
    """One P1 ticket per entry, acknowledged that many minutes after the call (30 allowed)."""
    tickets = []
    for index, delay in enumerate(minutes):
        at = start + timedelta(minutes=index)
        ticket = _ticket(world, at)
        _ack(world, ticket, at + timedelta(minutes=delay))
        tickets.append(ticket)
    return tickets


def test_three_responses_met_and_one_breached_is_75_percent(world):
    _responses(world, [5, 10, 29, 45])
    result = compliance(NOVEMBER, now=NOW)
    response = result["response"]
    assert (response.met, response.breached, response.decided) == (3, 1, 4)
    assert response.percent == 75.0
    # On-site (4 h) and resolution (24 h) clocks are still running at noon: not decided yet.
    assert result["onsite"].decided == 0 and result["onsite"].pending == 4
    assert result["onsite"].percent is None
    assert result["repair"].decided == result["repair"].pending == 0


def test_running_past_target_counts_as_breached_pending_and_cancelled_do_not_count(world):
    _responses(world, [10])  # met
    late = _ticket(world, NOW - timedelta(minutes=45))  # never acknowledged: breached
    _ticket(world, NOW - timedelta(minutes=10))  # 20 minutes left: not decided
    cancelled = _ticket(world, NOW - timedelta(minutes=20))
    ticket_transition(
        ticket_id=cancelled.pk,
        name="cancel",
        note="No longer needed.",
        user=world["agent"],
        now=NOW,
    )
    response = compliance(NOVEMBER, now=NOW)["response"]
    assert (response.met, response.breached, response.pending) == (1, 1, 1)
    assert response.percent == 50.0
    # Same outcome once the sweep has recorded the breach.
    sweep_due_steps(now=NOW)
    late.clocks.get(kind="response").refresh_from_db()
    assert late.clocks.get(kind="response").status == "breached"
    again = compliance(NOVEMBER, now=NOW)["response"]
    assert (again.met, again.breached, again.pending) == (1, 1, 1)


def test_compliance_by_engineer_and_customer(world):
    first, second, third, fourth = _responses(world, [5, 10, 20, 45])
    for ticket, engineer in [
        (first, "engineer"),
        (second, "engineer"),
        (third, "engineer_north"),
        (fourth, "engineer_north"),
    ]:
        ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world[engineer], now=NOW)
    # A second customer, after warranty, whose one response was late.
    other = world["other_contract"]
    ServiceTermsFactory(
        contract=other, phase=Phase.AFTER_WARRANTY, priority="P1", response_calendar=world["always"]
    )
    at = shanghai(2026, 11, 24, 9, 0)
    late = _ticket(world, at, customer=other.customer, contract=other, site=None)
    assert late.covered
    _ack(world, late, at + timedelta(hours=1))

    by_engineer = {
        row.label: row.by_kind["response"] for row in compliance_by("engineer", NOVEMBER, now=NOW)
    }
    assert by_engineer["engineer"].percent == 100.0
    assert (by_engineer["engineer_north"].met, by_engineer["engineer_north"].breached) == (1, 1)
    assert by_engineer["engineer_north"].percent == 50.0
    assert by_engineer["Not yet dispatched"].percent == 0.0

    rows = compliance_by("customer", NOVEMBER, now=NOW)
    # Worst first.
    assert [r.label for r in rows] == ["青川市文化和旅游局", "东江水务集团有限公司"]
    assert rows[1].by_kind["response"].percent == 75.0
    assert rows[0].by_kind["response"].percent == 0.0
    assert rows[1].key == world["customer"].pk

    contracts = {
        r.label: r.by_kind["response"].decided for r in compliance_by("contract", NOVEMBER, now=NOW)
    }
    assert contracts == {"DJ-2024-017": 4, "QC-2021-042": 1}
    branches = {
        r.label: r.by_kind["response"].decided for r in compliance_by("branch", NOVEMBER, now=NOW)
    }
    assert branches == {"East": 4, "(no branch)": 1}

    # Filters narrow every figure.
    only_north = StatFilters(engineer=world["engineer_north"].pk)
    assert compliance(NOVEMBER, only_north, now=NOW)["response"].decided == 2
    only_other = StatFilters(customer=other.customer_id)
    assert compliance(NOVEMBER, only_other, now=NOW)["response"].percent == 0.0
    assert compliance(NOVEMBER, StatFilters(contract=other.pk), now=NOW)["response"].decided == 1
    east = StatFilters(branch=world["contract"].branch_id)
    assert compliance(NOVEMBER, east, now=NOW)["response"].decided == 4


def test_period_boundaries_are_shanghai_dates(world):
    late_november = _ticket(world, shanghai(2026, 11, 30, 23, 30))  # 15:30 UTC
    early_december = _ticket(world, shanghai(2026, 12, 1, 0, 0))  # 16:00 UTC on 30 November
    first_november = _ticket(world, shanghai(2026, 11, 1, 0, 0))  # 16:00 UTC on 31 October
    december = Period.month_of(date(2026, 12, 15))
    assert december == Period(date(2026, 12, 1), date(2027, 1, 1))
    assert set(tickets_in(NOVEMBER)) == {late_november, first_november}
    assert set(tickets_in(december)) == {early_december}
    assert set(tickets_in(Period(date(2026, 10, 1), date(2026, 11, 1)))) == set()


def test_weekly_trend_uses_iso_weeks_in_shanghai_time(world):
    # Monday 30 November 07:00 in Shanghai is still Sunday 29 November in UTC.
    monday_morning = shanghai(2026, 11, 30, 7, 0)
    ticket = _ticket(world, monday_morning)
    _ack(world, ticket, monday_morning + timedelta(minutes=50))  # breached
    _responses(world, [5, 5], start=shanghai(2026, 11, 3, 10, 0))  # met, week 45
    trend = weekly_trend(NOVEMBER, now=shanghai(2026, 12, 5, 12, 0))
    assert [w.label for w in trend] == [
        "2026-W44",
        "2026-W45",
        "2026-W46",
        "2026-W47",
        "2026-W48",
        "2026-W49",
    ]
    assert trend[0].monday == date(2026, 10, 26)
    by_week = {w.label: w.by_kind["response"] for w in trend}
    assert (by_week["2026-W45"].met, by_week["2026-W45"].breached) == (2, 0)
    assert (by_week["2026-W49"].met, by_week["2026-W49"].breached) == (0, 1)
    assert by_week["2026-W48"].decided == 0 and by_week["2026-W48"].percent is None


def test_at_risk_breached_open_and_breaches(world):
    at_risk = _ticket(world, NOW - timedelta(minutes=20))  # 15 of 30 minutes used: at risk
    _ticket(world, NOW - timedelta(minutes=5))  # fine
    overdue = _ticket(world, NOW - timedelta(minutes=45))  # open, response overdue
    done = _ticket(world, shanghai(2026, 11, 20, 9, 0))
    _ack(world, done, shanghai(2026, 11, 20, 10, 0))  # breached, then resolved
    ticket_transition(
        ticket_id=done.pk, name="resolve", user=world["agent"], now=shanghai(2026, 11, 20, 11, 0)
    )

    risky = at_risk_now(now=NOW)
    assert [(c.ticket, c.kind) for c in risky] == [(at_risk, "response")]
    assert not risky.more

    open_breaches = breached_open_now(now=NOW)
    assert [(c.ticket, c.kind) for c in open_breaches] == [(overdue, "response")]

    in_period = {(c.ticket, c.kind) for c in breaches(NOVEMBER, now=NOW)}
    assert in_period == {(overdue, "response"), (done, "response")}
    assert len(breaches(NOVEMBER, now=NOW, limit=1)) == 1
    first = breaches(NOVEMBER, now=NOW, limit=1)
    assert first.more and (first.total, first.tickets) == (2, 2)
    assert [(c.ticket, c.kind) for c in first] == [(overdue, "response")]  # the latest first

    # Filters apply to the lists of now as well.
    north = StatFilters(engineer=world["engineer_north"].pk)
    assert list(at_risk_now(north, now=NOW)) == []


def test_durations_mean_and_90th_percentile(world):
    tickets = _responses(world, [5, 10, 20, 45])
    ticket_dispatch(ticket_id=tickets[0].pk, user=world["agent"], engineer=world["engineer"])
    for name in ("depart", "check_in"):
        ticket_transition(
            ticket_id=tickets[0].pk,
            name=name,
            user=world["engineer"],
            now=shanghai(2026, 11, 25, 11, 0),
        )
    ticket_transition(
        ticket_id=tickets[0].pk,
        name="resolve",
        user=world["engineer"],
        now=shanghai(2026, 11, 25, 13, 0),
    )
    rows = {row.key: row for row in durations(NOVEMBER)}
    acknowledged = rows["acknowledged_at"]
    assert acknowledged.count == 4
    assert acknowledged.mean == 20.0  # (5 + 10 + 20 + 45) / 4
    # All tickets: read from the day histograms of the rollups, to within a bin (5 %).
    assert acknowledged.p90 == pytest.approx(37.5, rel=0.05)  # rank 2.7: 20 + 0.7 × 25
    assert (rows["on_site_at"].count, rows["on_site_at"].mean) == (1, 120.0)
    assert rows["resolved_at"].p90 == pytest.approx(240.0, rel=0.05)
    # Narrowed to a customer: computed from those tickets, exactly.
    narrowed = {
        row.key: row for row in durations(NOVEMBER, StatFilters(customer=world["customer"].pk))
    }
    assert narrowed["acknowledged_at"].p90 == pytest.approx(37.5)
    assert (narrowed["acknowledged_at"].count, narrowed["acknowledged_at"].mean) == (4, 20.0)
    assert narrowed["resolved_at"].p90 == 240.0
    # No tickets: nothing to average.
    empty = durations(Period(date(2026, 1, 1), date(2026, 2, 1)))
    assert all(row.count == 0 and row.mean is None and row.p90 is None for row in empty)


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([], 0.9) is None
    assert percentile([7], 0.9) == 7
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)
    assert percentile([40, 10, 30, 20], 0.5) == 25


def test_the_report_costs_the_same_number_of_queries_for_5_and_30_tickets(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            report = sla_report(NOVEMBER, now=NOW)
            assert report.groups["engineer"] is not None
        return len(captured.captured_queries)

    _responses(world, [5] * 5)
    few = count()
    _responses(world, [5, 45] * 12 + [50], start=shanghai(2026, 11, 10, 9, 0))
    many = count()
    # One grouped clock query (rollups and clocks still counting), the names of the customers,
    # contracts and branches found (no engineer is assigned here), durations, and two queries
    # for each of the three lists (its first rows, its size), empty or not.
    assert many == 11
    assert few == many


def test_a_period_must_end_after_it_starts():
    with pytest.raises(ValueError):
        Period(date(2026, 11, 2), date(2026, 11, 2))
