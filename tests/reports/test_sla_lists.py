"""A ticket's first breach (Ticket.first_breach_at, kept by the database) says exactly which
tickets have a breached clock, whatever wrote the clocks; the dashboard's lists, the
queue's "breached" filter and the counts read it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation

from reports.sla.lists import breached_open_now, breaches
from reports.sla.period import Period
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.models import OPEN_STATES, SlaClock, Ticket
from tickets.models.clocks import ticket_breached_q
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_resolve, ticket_transition

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db

START = shanghai(2026, 11, 23, 9, 0)
REPORT = {"symptoms": "Pumps silent", "cause": "Relay", "solution": "Relay replaced"}


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


def _desk(world, check=None) -> dict[str, Ticket]:
    """Tickets in every situation a clock can be in, over two days, written in time order;
    `check(moment)` is called after each step, at the moment it happened (the present)."""
    agent = world["agent"]
    check = check or (lambda moment: None)
    tickets = {}
    for i, name in enumerate(["on_time", "late", "overdue", "paused", "cancelled", "resolved"]):
        tickets[name] = _ticket(world, START + timedelta(minutes=i))
    tickets["business_hours"] = _ticket(world, START + timedelta(minutes=6), priority="P3")
    check(START + timedelta(minutes=6))

    def step(minutes, action, which, **kwargs):
        moment = START + timedelta(minutes=minutes)
        action(ticket_id=tickets[which].pk, user=agent, now=moment, **kwargs)
        check(moment)

    step(7, ticket_acknowledge, "on_time")
    step(8, ticket_acknowledge, "resolved")
    step(9, ticket_acknowledge, "paused")
    step(10, ticket_transition, "paused", name="wait_customer")
    step(11, ticket_transition, "cancelled", name="cancel", note="Fixed by the customer")
    step(50, ticket_acknowledge, "late")
    step(30 * 60, ticket_resolve, "resolved", report=REPORT)
    return tickets


def _by_the_clock_rule(now) -> set[int]:
    return set(SlaClock.objects.breached(now).values_list("ticket_id", flat=True))


def _by_first_breach(now) -> set[int]:
    return set(Ticket.objects.filter(ticket_breached_q(now)).values_list("pk", flat=True))


def test_first_breach_says_which_tickets_have_a_breached_clock(world):
    def agree(moment):
        # At the moment of each write, and later with nothing written in between.
        for later in (timedelta(0), timedelta(minutes=25), timedelta(hours=5)):
            now = moment + later
            assert _by_first_breach(now) == _by_the_clock_rule(now), now

    tickets = _desk(world, check=agree)
    late = START + timedelta(hours=30)
    breached = _by_first_breach(late)
    assert {tickets["late"].pk, tickets["overdue"].pk, tickets["resolved"].pk} <= breached
    assert tickets["cancelled"].pk not in breached
    assert tickets["paused"].pk not in breached  # no target while paused

    # The sweep records the breaches (breached_at, status): the answer stays the same.
    sweep_due_steps(now=START + timedelta(hours=48))
    assert SlaClock.objects.filter(breached_at__isnull=False).exists()
    agree(START + timedelta(hours=48))


def test_first_breach_follows_set_based_writes(world):
    ticket = _ticket(world, START)
    response = ticket.clocks.get(kind="response")
    later = START + timedelta(hours=2)
    assert ticket.pk in _by_first_breach(later)

    # A calendar recompute or a fix by SQL moving the target: no service involved.
    SlaClock.objects.filter(pk=response.pk).update(target_at=START + timedelta(hours=5))
    ticket.refresh_from_db()
    assert ticket.first_breach_at == ticket.clocks.get(kind="onsite").target_at
    assert _by_first_breach(later) == _by_the_clock_rule(later) == set()

    SlaClock.objects.filter(ticket=ticket).delete()
    ticket.refresh_from_db()
    assert ticket.first_breach_at is None


def test_lists_and_queue_read_the_first_breach(world, client: Client):
    tickets = _desk(world)
    now = START + timedelta(hours=31)
    open_breached = breached_open_now(now=now)
    still_open = set(Ticket.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True))
    expected = sorted(
        Ticket.objects.filter(pk__in=_by_the_clock_rule(now) & still_open),
        key=lambda t: (t.first_breach_at, t.pk),
    )
    # Open tickets with a breach, the oldest breach first; "resolved" is not open.
    assert list(dict.fromkeys(c.ticket_id for c in open_breached)) == [t.pk for t in expected]
    assert tickets["late"].pk in still_open and tickets["resolved"].pk not in still_open
    assert open_breached.tickets == len(expected) >= 2
    assert all(c.ticket_id != tickets["cancelled"].pk for c in open_breached)
    in_period = breaches(Period(START.date(), START.date() + timedelta(days=7)), now=now)
    assert {c.ticket_id for c in in_period} == _by_the_clock_rule(now)
    assert in_period.total == SlaClock.objects.breached(now).count()

    client.force_login(world["agent"])
    with translation.override("en"):
        page = client.get("/desk/", {"breached": "1"})
    shown = {t.pk for t in page.context["tickets"]}
    assert shown == _by_the_clock_rule(page.context["now"]) & {
        t.pk for t in tickets.values() if t.pk != tickets["resolved"].pk
    }


def test_list_sizes_are_counted_up_to_a_cap(world, monkeypatch):
    _desk(world)
    now = START + timedelta(hours=31)
    monkeypatch.setattr("reports.sla.lists.COUNT_CAP", 1)
    open_breached = breached_open_now(now=now, limit=1)
    assert open_breached.tickets == 2 and open_breached.tickets_text == "1+"
    assert open_breached.more
