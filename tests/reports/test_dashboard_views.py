"""The SLA dashboard and the escalations page: who sees them, what they show, what they cost."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.sla.period import Period
from tests.factories import UserFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.models import EscalationStep
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

# The world of the ticket tests: one customer with a warranty contract, staff of every tier.
branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 25, 12, 0)
MORNING = shanghai(2026, 11, 25, 8, 0)
HOME = reverse("dashboard:home")
ESCALATIONS = reverse("dashboard:escalations")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def login(client, settings):
    def as_user(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return as_user


def _ticket(world, at, *, summary="Pumps not reporting"):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=at,
        now=at,
    )


def _responses(world, delays, *, start=MORNING):
    """Tickets acknowledged that many minutes after the call (30 allowed)."""
    tickets = []
    for index, delay in enumerate(delays):
        at = start + timedelta(minutes=index % 60)
        ticket = _ticket(world, at)
        ticket_acknowledge(
            ticket_id=ticket.pk, user=world["agent"], now=at + timedelta(minutes=delay)
        )
        tickets.append(ticket)
    return tickets


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


@pytest.mark.parametrize("role", ["manager", "leader"])
def test_managers_and_leaders_see_the_dashboard(world, login, role):
    _responses(world, [5, 10, 20, 45])
    response = login(world[role]).get(HOME)
    assert response.status_code == 200
    cards = {card["kind"]: card for card in response.context["cards"]}
    assert cards["response"]["percent"] == "75 %"
    assert (cards["response"]["value"].met, cards["response"]["value"].breached) == (3, 1)
    html = response.content.decode()
    assert 'data-testid="compliance-response"' in html and "75 %" in html
    assert response.context["period"] == Period(date(2026, 11, 1), date(2026, 12, 1))
    # Two charts, both well-formed XML with a title.
    charts = _svgs(html)
    assert len(charts) == 2
    titles = [c.find("{http://www.w3.org/2000/svg}title").text for c in charts]
    assert titles == ["Compliance per week, by clock", "Compliance by engineer"]
    assert reverse("dashboard:escalations") in html


@pytest.mark.parametrize("role", ["agent", "engineer", "customer_user"])
def test_others_are_refused(world, login, role):
    client = login(world[role])
    assert client.get(HOME).status_code == 403
    assert client.get(ESCALATIONS).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_at_risk_and_breached_tickets_link_to_the_staff_ticket_page(world, login):
    at_risk = _ticket(world, NOW - timedelta(minutes=20), summary="Gateway at risk")
    overdue = _ticket(world, NOW - timedelta(minutes=45), summary="Gateway overdue")
    response = login(world["manager"]).get(HOME)
    report = response.context["report"]
    assert [c.ticket for c in report.at_risk] == [at_risk]
    assert [c.ticket for c in report.breached_open] == [overdue]
    html = response.content.decode()
    for ticket in (at_risk, overdue):
        assert reverse("desk:ticket", kwargs={"number": ticket.number}) in html
    assert 'data-testid="at-risk-count">1<' in html
    assert 'data-testid="breached-open-count">1<' in html


@pytest.mark.parametrize(
    ("query", "period"),
    [
        ("", Period(date(2026, 11, 1), date(2026, 12, 1))),
        ("?period=this_week", Period(date(2026, 11, 23), date(2026, 11, 30))),
        ("?period=last_7_days", Period(date(2026, 11, 19), date(2026, 11, 26))),
        ("?period=this_month", Period(date(2026, 11, 1), date(2026, 12, 1))),
        ("?period=last_month", Period(date(2026, 10, 1), date(2026, 11, 1))),
        (
            "?period=custom&start=2026-11-02&end=2026-11-08",
            Period(date(2026, 11, 2), date(2026, 11, 9)),
        ),
        ("?start=2026-11-02&end=2026-11-02", Period(date(2026, 11, 2), date(2026, 11, 3))),
    ],
)
def test_period_presets_and_custom_dates(world, login, query, period):
    response = login(world["manager"]).get(HOME + query)
    assert response.status_code == 200
    assert response.context["period"] == period


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?period=custom&start=2026-13-45&end=2026-11-30", "start"),
        ("?period=custom&start=2026-11-10&end=2026-11-01", "end"),
        ("?period=custom&start=2024-01-01&end=2026-11-01", "end"),
        ("?period=custom&start=2026-11-10", "__all__"),
        ("?period=next_century", "period"),
        ("?customer=999999", "customer"),
        ("?engineer=not-a-number", "engineer"),
    ],
)
def test_invalid_choices_are_form_errors_not_crashes(world, login, query, field):
    response = login(world["manager"]).get(HOME + query)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "errorlist" in response.content.decode()
    assert "report" not in response.context


def test_filters_narrow_the_figures(world, login):
    first, _late = _responses(world, [5, 45])
    ticket_dispatch(ticket_id=first.pk, user=world["agent"], engineer=world["engineer"], now=NOW)
    client = login(world["manager"])
    mine = client.get(HOME, {"engineer": world["engineer"].pk})
    assert mine.context["report"].compliance["response"].percent == 100.0
    everyone = client.get(HOME, {"customer": world["customer"].pk})
    assert everyone.context["report"].compliance["response"].percent == 50.0
    rows = {g["dimension"]: g["rows"] for g in everyone.context["groups"]}
    # The clocks nobody was dispatched to are a row apart, after the engineers, not one of them.
    assert [(r["label"], r["none"]) for r in rows["engineer"]] == [
        ("engineer", False),
        ("Not yet dispatched", True),
    ]
    assert 'data-testid="by-engineer-none"' in everyone.content.decode()


def test_the_dashboard_costs_the_same_number_of_queries_for_10_and_100_tickets(world, login):
    client = login(world["manager"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(HOME, {"branch": world["contract"].branch_id})
        assert response.status_code == 200
        return len(captured.captured_queries)

    def make(count: int) -> None:
        tickets = _responses(world, [5, 45] * (count // 2))
        for ticket in tickets[::3]:
            ticket_dispatch(
                ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"], now=NOW
            )
        _ticket(world, NOW - timedelta(minutes=20))  # at risk
        _ticket(world, NOW - timedelta(minutes=50))  # breached, open

    make(8)  # plus the two made in make(): 10 tickets
    few = queries()
    make(88)  # 100 tickets in all
    many = queries()
    assert few == many
    assert len(client.get(HOME).context["report"].breaches) > 5


def _breach_step(world):
    ticket = _ticket(world, NOW - timedelta(minutes=45))
    sweep_due_steps(now=NOW)
    return EscalationStep.objects.get(ticket=ticket, kind="breach", clock__kind="response")


def test_a_manager_acknowledges_an_escalation_of_their_tier(world, login):
    step = _breach_step(world)
    client = login(world["manager"])
    page = client.get(ESCALATIONS)
    assert page.status_code == 200
    assert [s.pk for s in page.context["page"]] == [step.pk]
    html = page.content.decode()
    assert reverse("dashboard:acknowledge", args=[step.pk]) in html
    assert reverse("desk:ticket", kwargs={"number": step.ticket.number}) in html

    response = client.post(
        reverse("dashboard:acknowledge", args=[step.pk]), {"next": ESCALATIONS + "?open=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == ESCALATIONS + "?open=1"
    step.refresh_from_db()
    assert step.acknowledged_by == world["manager"]
    assert step.acknowledged_at == NOW
    after = client.get(ESCALATIONS)
    assert any("acknowledged" in str(m) for m in after.context["messages"])
    # Acknowledged steps stay listed, after the open ones; the dashboard badge is gone.
    assert [s.pk for s in after.context["page"]] == [step.pk]
    assert client.get(HOME).context["escalations_open"] == 0


def test_unacknowledged_steps_come_first(world, login):
    older = _breach_step(world)
    escalation_acknowledge = reverse("dashboard:acknowledge", args=[older.pk])
    client = login(world["manager"])
    client.post(escalation_acknowledge)
    newer_ticket = _ticket(world, NOW - timedelta(minutes=31))
    sweep_due_steps(now=NOW)
    newer = EscalationStep.objects.get(ticket=newer_ticket, kind="breach")
    assert [s.pk for s in client.get(ESCALATIONS).context["page"]] == [newer.pk, older.pk]
    assert [s.pk for s in client.get(ESCALATIONS, {"open": "1"}).context["page"]] == [newer.pk]
    assert client.get(HOME).context["escalations_open"] == 1


def test_an_engineer_cannot_acknowledge(world, login):
    step = _breach_step(world)
    response = login(world["engineer"]).post(reverse("dashboard:acknowledge", args=[step.pk]))
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.acknowledged_at is None


def test_another_tier_gets_a_message_not_an_error(world, login):
    step = _breach_step(world)
    client = login(world["leader"])
    # The leadership group sees only its own steps...
    assert list(client.get(ESCALATIONS).context["page"]) == []
    # ...and acknowledging the management group's is refused with the service's reason.
    response = client.post(reverse("dashboard:acknowledge", args=[step.pk]), follow=True)
    assert response.status_code == 200
    assert any("Management group" in str(m) for m in response.context["messages"])
    step.refresh_from_db()
    assert step.acknowledged_at is None


def test_acknowledge_needs_a_post_and_an_existing_step(world, login):
    step = _breach_step(world)
    client = login(world["manager"])
    assert client.get(reverse("dashboard:acknowledge", args=[step.pk])).status_code == 405
    assert client.post(reverse("dashboard:acknowledge", args=[step.pk + 999])).status_code == 404
    # An outside "next" is ignored.
    response = client.post(
        reverse("dashboard:acknowledge", args=[step.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == ESCALATIONS


def test_a_superuser_sees_every_tier(world, login):
    _breach_step(world)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    page = login(admin).get(ESCALATIONS)
    assert page.status_code == 200
    assert {s.tier for s in page.context["page"]} == {"implementation", "management"}
