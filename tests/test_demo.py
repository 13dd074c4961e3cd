from datetime import date

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from accounts.models import User
from contracts.models import CalendarDay, Contract, Customer, ServiceTerms
from contracts.phases import Phase
from servicedesk.demo import demo_load
from tickets.models import EscalationStep, Ticket

pytestmark = pytest.mark.django_db


def _counts():
    return (
        User.objects.count(),
        Customer.objects.count(),
        Contract.objects.count(),
        ServiceTerms.objects.count(),
        CalendarDay.objects.count(),
        Ticket.objects.count(),
        EscalationStep.objects.count(),
    )


def test_demo_command_is_idempotent(capsys):
    call_command("demo_data")
    first = _counts()
    call_command("demo_data")
    assert _counts() == first
    out = capsys.readouterr().out
    for username in ["admin", "agent", "engineer", "manager", "customer"]:
        assert username in out


def test_demo_has_a_contract_in_every_phase_whatever_the_date():
    for today in [date(2026, 11, 25), date(2031, 2, 28)]:
        demo_load(today=today)
        phases = {c.phase_on(today) for c in Contract.objects.all()}
        assert {Phase.TRIAL, Phase.WARRANTY, Phase.AFTER_WARRANTY, Phase.EXPIRED} <= phases


def test_demo_logins_work_with_the_demo_password(settings):
    demo_load(today=date(2026, 11, 25))
    for username in ["admin", "agent", "engineer", "manager", "leader", "customer"]:
        client = Client()
        # django-axes checks every authentication and needs the request it comes with.
        credentials = {"username": username, "password": settings.DEMO_PASSWORD}
        assert client.login(request=HttpRequest(), **credentials), username
    assert User.objects.get(username="customer").contact.customer.name == "东江水务集团有限公司"
    assert not User.objects.get(username="customer").is_staff
    assert User.objects.get(username="manager").tier == "management"


def test_demo_queue_has_at_risk_breached_uncovered_and_closed_tickets():
    demo_load(today=date(2026, 11, 25))
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"new", "dispatched", "resolved", "closed", "submitted"} <= states
    assert Ticket.objects.filter(covered=False).exists()
    assert EscalationStep.objects.filter(kind="breach").exists()


def test_in_the_demo_only_admin_and_manager_open_the_admin(settings):
    """Issue 9, replayed on the demo data: an engineer opened another branch's ticket in
    the admin (`/admin/tickets/ticket/<id>/change/` → 200); agents reached the admin too."""
    demo_load(today=date(2026, 11, 25))
    engineer = User.objects.get(username="engineer")
    elsewhere = Ticket.objects.exclude(branch_id=engineer.branch_id).exclude(
        assigned_engineer=engineer
    )
    ticket = elsewhere.order_by("pk").first() or Ticket.objects.order_by("pk").first()
    urls = ["/admin/", f"/admin/tickets/ticket/{ticket.pk}/change/", "/admin/contracts/contact/"]
    for username, opens in [
        ("engineer", False),
        ("agent", False),
        ("leader", False),
        ("customer", False),
        ("manager", True),
        ("admin", True),
    ]:
        client = Client()
        assert client.login(
            request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD
        ), username
        for url in urls:
            status = client.get(url).status_code
            assert status == (200 if opens else 302), (username, url, status)
