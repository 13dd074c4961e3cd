"""`GET /api/sla/summary/`; one set of SLA numbers in the API, the dashboard, the monthly report."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from contracts.phases import Phase
from reports.documents.sla_month import sla_month_context, sla_month_csv
from tests.factories import ServiceTermsFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.models import Outcome, SlaClock, clock_outcome
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_transition

# The world of the ticket tests: one customer with a warranty contract, staff of every tier.
branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api

pytestmark = pytest.mark.django_db

# Figures as of 10:00 on 1 December in Shanghai, for November (local dates, both included).
NOW = shanghai(2026, 12, 1, 10, 0)
SUMMARY = "/api/sla/summary/"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
KINDS = list(SlaClock.Kind.values)
FIGURES = ["met", "breached", "at_risk", "running", "paused"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def other(world):
    """The second customer: after warranty, 30 min response, 4 h on site, 24 h resolution."""
    contract = world["other_contract"]
    ServiceTermsFactory(
        contract=contract,
        phase=Phase.AFTER_WARRANTY,
        priority="P1",
        response_calendar=world["always"],
    )
    return contract


def _ticket(world, at, *, customer=None, contract=None, priority="P1", item=None):
    return ticket_create(
        created_by=world["agent"],
        customer=customer or world["customer"],
        contract=contract,
        site=None if customer else world["site"],
        covered_item=item,
        kind="fault",
        priority=priority,
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
    )


@pytest.fixture
def dataset(world, other):
    """About forty tickets of two customers with clocks met, breached, running, at risk, paused,
    not needed; some just inside November in Shanghai time, some just outside."""
    agent = world["agent"]
    start = shanghai(2026, 11, 2, 9, 0)
    for index in range(30):
        mine = index % 3 != 0
        at = start + timedelta(hours=23 * index)
        ticket = _ticket(
            world,
            at,
            customer=None if mine else other.customer,
            contract=None if mine else other,
            item=world["hardware"] if mine and index % 4 == 1 else None,
        )
        if index % 5 != 4:
            # Acknowledged in time (10 min) or late (45 min); the rest never were.
            delay = 10 if index % 2 else 45
            ticket_acknowledge(ticket_id=ticket.pk, user=agent, now=at + timedelta(minutes=delay))
        if index % 7 == 6:
            ticket_transition(
                ticket_id=ticket.pk,
                name="cancel",
                note="No longer needed.",
                user=agent,
                now=at + timedelta(hours=1),
            )
    # The last evening of November: resolution clocks at risk, running; a paused P3 clock.
    for hours in [20, 21, 23]:
        _ticket(world, shanghai(2026, 11, 30, hours, 0))
    waiting = _ticket(world, shanghai(2026, 11, 30, 18, 0), priority="P3")
    ticket_acknowledge(ticket_id=waiting.pk, user=agent, now=shanghai(2026, 11, 30, 18, 5))
    ticket_transition(
        ticket_id=waiting.pk, name="wait_customer", user=agent, now=shanghai(2026, 11, 30, 18, 10)
    )
    # The edges, in local time.
    _ticket(world, shanghai(2026, 11, 1, 0, 0))  # in: 16:00 UTC on 31 October
    _ticket(world, shanghai(2026, 10, 31, 23, 59))  # out
    _ticket(world, shanghai(2026, 11, 30, 23, 59), customer=other.customer, contract=other)  # in
    _ticket(world, shanghai(2026, 12, 1, 0, 0), customer=other.customer, contract=other)  # out


def _month_csv(**kwargs) -> bytes:
    with translation.override("en"):
        return sla_month_csv(year=2026, month=11, now=NOW, **kwargs)


def _csv_counts(data: bytes) -> dict[str, dict[str, int]]:
    """Clocks per kind and outcome, counted from the monthly CSV's outcome columns."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    labels = {"Met": "met", "Breached": "breached", "At risk": "at_risk", "Running": "running"}
    labels["Paused"] = "paused"
    counts = {}
    for kind in KINDS:
        label = str(SlaClock.Kind(kind).label)
        column = header.index(f"{label}: outcome")
        counts[kind] = {name: 0 for name in FIGURES}
        for row in body:
            if row[column] in labels:
                counts[kind][labels[row[column]]] += 1
    return counts


def _agree(summary: dict, dashboard, month: dict, month_csv: bytes) -> None:
    cards = {card["kind"]: card for card in dashboard.context["cards"]}
    from_csv = _csv_counts(month_csv)
    report = {row["kind"]: row for row in month["compliance"]}
    for kind in KINDS:
        api = summary["kinds"][kind]
        assert {name: api[name] for name in FIGURES} == from_csv[kind], kind
        if kind in cards:
            value = cards[kind]["value"]
            assert {name: getattr(value, name) for name in FIGURES} == from_csv[kind], kind
            assert report[kind]["value"] == value
            assert report[kind]["percent"] == cards[kind]["percent"]
            expected = None if value.percent is None else round(value.percent, 2)
            assert api["compliance_percent"] == expected
            text = (
                f"{api['met']} met · {api['breached']} breached · {api['at_risk']} at risk"
                f" · {api['running']} running · {api['paused']} paused"
            )
            html = dashboard.content.decode()
            card_html = html.split(f'data-testid="compliance-{kind}"')[1].split("</p>")[0]
            assert text in card_html and cards[kind]["percent"] in card_html
        else:
            assert not any(api[name] for name in FIGURES)
    total = dashboard.context["total"]["value"]
    assert {name: getattr(total, name) for name in FIGURES} == {
        name: summary["total"][name] for name in FIGURES
    }
    assert month["total"]["value"] == total
    assert month["total"]["percent"] == dashboard.context["total"]["percent"]


def test_api_dashboard_and_monthly_report_show_the_same_numbers(
    world, other, dataset, client, api, settings
):
    client.force_login(world["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    summary = api(world["manager"]).get(SUMMARY, NOVEMBER)
    assert summary.status_code == 200
    body = summary.json()
    dashboard = client.get(
        reverse("dashboard:home"), {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    )
    month = sla_month_context(year=2026, month=11, now=NOW)
    month_csv = _month_csv()
    _agree(body, dashboard, month, month_csv)
    # The dataset has every outcome the summary counts, and the edges counted once each.
    total = body["total"]
    assert all(total[name] for name in FIGURES), total
    in_period = SlaClock.objects.filter(
        started_at__gte=shanghai(2026, 11, 1, 0, 0), started_at__lt=shanghai(2026, 12, 1, 0, 0)
    )
    counted = [c for c in in_period if clock_outcome(c, NOW) != Outcome.NOT_NEEDED]
    assert sum(total[name] for name in FIGURES) == len(counted) > 80
    # One customer: the same again.
    for customer in [other.customer, world["customer"]]:
        one = api(world["manager"]).get(SUMMARY, {**NOVEMBER, "customer": customer.pk}).json()
        page = client.get(
            reverse("dashboard:home"),
            {
                "period": "custom",
                "start": "2026-11-01",
                "end": "2026-11-30",
                "customer": customer.pk,
            },
        )
        month = sla_month_context(year=2026, month=11, customer=customer, now=NOW)
        month_csv = _month_csv(customer=customer)
        _agree(one, page, month, month_csv)
        assert one["customer"] == customer.pk


def test_summary_echoes_the_period_and_counts_local_dates(world, other, api):
    _ticket(world, shanghai(2026, 11, 1, 0, 0))  # 31 October in UTC, November in Shanghai
    _ticket(world, shanghai(2026, 10, 31, 23, 59))
    body = api(world["manager"]).get(SUMMARY, {"from": "2026-11-01", "to": "2026-11-01"}).json()
    assert (body["from"], body["to"], body["time_zone"]) == (
        "2026-11-01",
        "2026-11-01",
        "Asia/Shanghai",
    )
    assert (body["customer"], body["contract"]) == (None, None)
    response = body["kinds"]["response"]
    # 30 minutes allowed, never acknowledged, a month ago.
    assert response == {
        "met": 0,
        "breached": 1,
        "at_risk": 0,
        "running": 0,
        "paused": 0,
        "compliance_percent": 0.0,
    }
    assert body["kinds"]["repair"]["compliance_percent"] is None
    assert (body["target_percent"], body["warn_below_percent"]) == (95.0, 80.0)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "from"),
        ({"from": "2026-11-01"}, "to"),
        ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
        ({"from": "01/11/2026", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2025-11-01", "to": "2026-11-02"}, "to"),  # 367 days
        ({**NOVEMBER, "customer": "999999"}, "customer"),
        ({**NOVEMBER, "customer": "abc"}, "customer"),
        ({**NOVEMBER, "contract": "999999"}, "contract"),
    ],
)
def test_bad_queries_are_400_with_the_field(world, api, query, field):
    response = api(world["manager"]).get(SUMMARY, query)
    assert response.status_code == 400
    assert field in response.json()


def test_a_full_leap_year_is_allowed(world, api):
    response = api(world["manager"]).get(SUMMARY, {"from": "2027-12-01", "to": "2028-11-30"})
    assert response.status_code == 200


def test_a_contract_of_another_customer_is_refused(world, other, api):
    query = {**NOVEMBER, "customer": world["customer"].pk, "contract": other.pk}
    response = api(world["manager"]).get(SUMMARY, query)
    assert response.status_code == 400 and "contract" in response.json()


@pytest.mark.parametrize("role", ["agent", "engineer"])
def test_desk_staff_without_the_dashboard_are_refused(world, api, role):
    assert api(world[role]).get(SUMMARY, NOVEMBER).status_code == 403


def test_anonymous_is_401(api):
    assert api().get(SUMMARY, NOVEMBER).status_code == 401


def test_customers_see_only_their_own_organisation(world, other, api):
    _ticket(world, shanghai(2026, 11, 10, 9, 0))
    _ticket(world, shanghai(2026, 11, 10, 9, 0), customer=other.customer, contract=other)
    client = api(world["customer_user"])
    mine = client.get(SUMMARY, NOVEMBER).json()
    assert mine["customer"] == world["customer"].pk
    assert mine["kinds"]["response"]["breached"] == 1
    assert client.get(SUMMARY, {**NOVEMBER, "customer": world["customer"].pk}).status_code == 200
    # Another organisation's numbers, by customer or by contract, do not exist for them.
    theirs = client.get(SUMMARY, {**NOVEMBER, "customer": other.customer_id})
    assert theirs.status_code == 400 and "customer" in theirs.json()
    by_contract = client.get(SUMMARY, {**NOVEMBER, "contract": other.pk})
    assert by_contract.status_code == 400 and "contract" in by_contract.json()
    assert client.get(SUMMARY, {**NOVEMBER, "contract": world["contract"].pk}).status_code == 200


def test_a_contract_target_overrides_the_default(world, api):
    contract = world["contract"]
    contract.compliance_target_percent = 99
    contract.save()
    body = api(world["manager"]).get(SUMMARY, {**NOVEMBER, "contract": contract.pk}).json()
    assert (body["target_percent"], body["warn_below_percent"]) == (99.0, 80.0)
    assert body["contract"] == contract.pk


def test_the_summary_costs_the_same_queries_for_few_and_many_tickets(
    world, other, api, django_assert_num_queries
):
    # A fresh user, as on a real request: its roles are not known yet.
    client = api(type(world["manager"]).objects.get(pk=world["manager"].pk))
    query = {**NOVEMBER, "customer": world["customer"].pk, "contract": world["contract"].pk}
    _ticket(world, shanghai(2026, 11, 3, 9, 0))
    # Roles (1), customer exists (1), contract (1), the grouped count (1).
    with django_assert_num_queries(4):
        assert client.get(SUMMARY, query).status_code == 200
    for day in range(4, 20):
        _ticket(world, shanghai(2026, 11, day, 9, 0))
        _ticket(world, shanghai(2026, 11, day, 9, 0), customer=other.customer, contract=other)
    client = api(type(world["manager"]).objects.get(pk=world["manager"].pk))
    with django_assert_num_queries(4):
        assert client.get(SUMMARY, query).json()["total"]["breached"] > 10


def test_dashboard_and_report_judge_a_contract_by_its_own_target(world, client, settings):
    for minutes, delay in [(0, 10), (5, 45)]:
        at = shanghai(2026, 11, 20, 9, minutes)
        ticket = _ticket(world, at)
        ticket_acknowledge(
            ticket_id=ticket.pk, user=world["agent"], now=at + timedelta(minutes=delay)
        )
    client.force_login(world["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    query = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    contract = world["contract"]
    page = client.get(reverse("dashboard:home"), {**query, "contract": contract.pk})
    cards = {card["kind"]: card for card in page.context["cards"]}
    assert (cards["response"]["percent"], cards["response"]["level"]) == ("50 %", "bad")
    contract.compliance_target_percent = 50
    contract.compliance_warn_below_percent = 40
    contract.save()
    page = client.get(reverse("dashboard:home"), {**query, "contract": contract.pk})
    cards = {card["kind"]: card for card in page.context["cards"]}
    assert cards["response"]["level"] == "ok"
    assert "target 50 %" in page.content.decode()
    # Unfiltered, the contract's row is judged by its own target; the totals by the default.
    page = client.get(reverse("dashboard:home"), query)
    by_contract = next(g for g in page.context["groups"] if g["dimension"] == "contract")
    [row] = by_contract["rows"]
    assert (row["cells"][0]["label"], row["cells"][0]["level"]) == ("Response", "ok")
    cards = {card["kind"]: card for card in page.context["cards"]}
    assert cards["response"]["level"] == "bad"
    month = sla_month_context(year=2026, month=11, contract=contract, now=NOW)
    assert month["target"] == "50 %"
