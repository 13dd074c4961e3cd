"""The hotline console, queue, staff ticket page and engineer home, through the test client."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets.models import Comment, State, Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

pytestmark = pytest.mark.django_db


def _ticket(world, *, minutes_ago=10, priority="P1", **extra):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority=priority,
        summary="Pumps offline",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=minutes_ago),
        **extra,
    )


def _client(client, user):
    client.force_login(user)
    return client


def test_each_role_lands_on_its_own_page(client, world):
    for username, target in [
        ("agent", "/desk/call/"),
        ("engineer", "/m/"),
        ("manager", "/dashboard/"),
        ("leader", "/dashboard/"),
        ("customer", "/portal/"),
    ]:
        client.force_login(world[username if username != "customer" else "customer_user"])
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == target, username
    client.logout()
    assert client.get("/desk/").status_code == 302  # to the login page


def test_call_lookup_finds_the_caller_by_phone_and_shows_contract_and_terms(client, world):
    _ticket(world)
    page = _client(client, world["agent"]).get("/desk/call/", {"q": "+86 139-0000-0041"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "东江水务集团有限公司" in html and "孙丽" in html
    assert "DJ-2024-017" in html and "2028-09-25" in html  # warranty end
    assert "Pumps offline" in html  # open tickets of the customer
    fragment = client.get("/desk/lookup/", {"q": "DJ-HW-0107"}).content.decode()
    assert "东江水务集团有限公司" in fragment


def test_a_customer_without_contract_shows_not_covered_before_saving(client, world):
    from tests.factories import ContactFactory

    ContactFactory(customer__name="西岭热电", phone="13912345678")
    html = _client(client, world["agent"]).get("/desk/call/", {"q": "13912345678"}).content
    assert b'data-testid="not-covered"' in html


def test_logging_a_call_creates_and_acknowledges(client, world):
    response = _client(client, world["agent"]).post(
        "/desk/call/",
        {
            "customer": world["customer"].pk,
            "site": world["site"].pk,
            "kind": "fault",
            "priority": "P1",
            "summary": "Screens frozen",
            "reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "acknowledge": "on",
        },
    )
    ticket = Ticket.objects.get(summary="Screens frozen")
    assert response.status_code == 302 and response["Location"] == f"/desk/tickets/{ticket.number}/"
    assert ticket.state == State.ACKNOWLEDGED and ticket.covered


def test_a_double_click_on_log_call_makes_one_ticket(client, world):
    agent = _client(client, world["agent"])
    page = agent.get("/desk/call/").content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    data = {
        "customer": world["customer"].pk,
        "site": world["site"].pk,
        "kind": "fault",
        "priority": "P2",
        "summary": "Pressed twice",
        "reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "form_token": token,
    }
    first = agent.post("/desk/call/", data)
    second = agent.post("/desk/call/", data)
    ticket = Ticket.objects.get(summary="Pressed twice")
    assert first["Location"] == second["Location"] == f"/desk/tickets/{ticket.number}/"


def test_call_form_errors_show_in_the_page_and_save_nothing(client, world):
    future = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = _client(client, world["agent"]).post(
        "/desk/call/",
        {
            "customer": world["customer"].pk,
            "kind": "fault",
            "priority": "P9",
            "summary": "",
            "reported_at": future,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"priority", "summary"} <= set(errors)
    response = client.post(
        "/desk/call/",
        {
            "customer": world["customer"].pk,
            "kind": "fault",
            "priority": "P1",
            "summary": "x",
            "reported_at": future,
        },
    )
    assert "reported_at" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_ticket_page_shows_clocks_explained_and_only_allowed_actions(client, world):
    ticket = _ticket(world)
    html = _client(client, world["agent"]).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-action="acknowledge"' in html
    assert 'data-action="resolve"' not in html
    assert "DJ-2024-017" in html and "240" in html  # the explanation names contract and budget
    client.force_login(world["manager"])
    assert client.post(f"/desk/tickets/{ticket.number}/do/acknowledge/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.ACKNOWLEDGED
    # Acting twice: refused with a message, nothing changes.
    response = client.post(f"/desk/tickets/{ticket.number}/do/acknowledge/", follow=True)
    assert "不能受理" in response.content.decode()


def test_internal_notes_and_replies(client, world):
    ticket = _ticket(world)
    _client(client, world["agent"]).post(
        f"/desk/tickets/{ticket.number}/comment/", {"body": "Customer is angry", "internal": "on"}
    )
    client.post(f"/desk/tickets/{ticket.number}/comment/", {"body": "We are on it"})
    assert list(Comment.objects.values_list("body", "internal")) == [
        ("Customer is angry", True),
        ("We are on it", False),
    ]


def test_customers_and_other_branches_cannot_reach_staff_pages(client, world):
    ticket = _ticket(world)
    client.force_login(world["customer_user"])
    for url in ["/desk/", "/desk/call/", f"/desk/tickets/{ticket.number}/", "/m/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/desk/tickets/{ticket.number}/do/cancel/").status_code == 403
    client.force_login(world["engineer_north"])
    assert client.get(f"/desk/tickets/{ticket.number}/").status_code == 404
    assert client.post(f"/desk/tickets/{ticket.number}/do/acknowledge/").status_code == 404
    assert client.get("/desk/call/").status_code == 403


def test_unknown_ticket_and_action_give_404_pages_in_the_site_style(client, world):
    _client(client, world["agent"])
    response = client.get("/desk/tickets/2099-999999/")
    assert response.status_code == 404
    ticket = _ticket(world)
    assert client.post(f"/desk/tickets/{ticket.number}/do/explode/").status_code == 404


def test_engineer_sees_own_tickets_nearest_deadline_first(client, world):
    late = _ticket(world, minutes_ago=200)
    soon = _ticket(world, minutes_ago=10, priority="P3")
    for ticket in (soon, late):
        ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
        ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    page = _client(client, world["engineer"]).get("/m/")
    numbers = [t.number for t in page.context["tickets"]]
    assert numbers == [late.number, soon.number]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_ticket_page_and_engineer_home_cost_the_same_for_10_and_100_tickets(client, world):
    def dispatched():
        ticket = _ticket(world)
        ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
        ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
        return ticket

    first = dispatched()
    for _ in range(9):
        dispatched()
    _client(client, world["agent"])
    few_queue = _queries(client, "/desk/")
    few_page = _queries(client, f"/desk/tickets/{first.number}/")
    client.force_login(world["engineer"])
    few_mine = _queries(client, "/m/")
    for _ in range(90):
        dispatched()
    assert _queries(client, "/m/") == few_mine
    client.force_login(world["agent"])
    assert _queries(client, "/desk/") == few_queue
    assert _queries(client, f"/desk/tickets/{first.number}/") == few_page


def test_queue_filters_and_order(client, world):
    breached = _ticket(world, minutes_ago=45)  # response target passed 15 minutes ago
    # Acknowledged 45 minutes after the call: the 30-minute response was breached.
    ticket_acknowledge(ticket_id=breached.pk, user=world["agent"])
    fresh = _ticket(world, minutes_ago=1)
    _client(client, world["agent"])
    order = [t.number for t in client.get("/desk/").context["tickets"]]
    assert order[0] == fresh.number  # unacknowledged first
    only = [t.number for t in client.get("/desk/", {"breached": "1"}).context["tickets"]]
    assert only == [breached.number]
    p3 = [t.number for t in client.get("/desk/", {"priority": "P3"}).context["tickets"]]
    assert p3 == []
    assert client.get("/desk/", {"customer": "abc", "state": "nonsense"}).status_code == 200


def test_files_are_served_only_to_people_who_may_see_the_ticket(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tickets.services.attachments import ticket_attach

    ticket = _ticket(world)
    attachment = ticket_attach(
        ticket_id=ticket.pk,
        user=world["agent"],
        file=SimpleUploadedFile("report.txt", b"disk full at 03:00"),
    )
    url = f"/files/attachment/{attachment.pk}/"
    client.force_login(world["customer_user"])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"disk full at 03:00"
    client.force_login(world["other_customer_user"])
    assert client.get(url).status_code == 404
    client.force_login(world["engineer_north"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_error_pages_are_in_the_site_style(client, world):
    from django.template.loader import render_to_string

    client.force_login(world["customer_user"])
    forbidden = client.get("/desk/")
    assert forbidden.status_code == 403
    assert "你无权查看此页面" in forbidden.content.decode() or "403" in forbidden.content.decode()
    missing = client.get("/portal/tickets/2099-000001/")
    assert missing.status_code == 404 and 'class="top"' in missing.content.decode()
    assert 'class="top"' in render_to_string("500.html")


def test_everyone_can_change_their_password(client, world):
    client.force_login(world["engineer"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "secret-pass-1",
            "new_password1": "a-much-longer-pass-2026",
            "new_password2": "a-much-longer-pass-2026",
        },
    )
    assert response.status_code == 302
    client.logout()
    # django-axes checks every authentication and needs the request it comes with.
    assert client.login(
        request=HttpRequest(), username="engineer", password="a-much-longer-pass-2026"
    )


def test_dispatch_suggests_the_on_duty_engineer_of_the_site_branch_first(client, world):
    from accounts.models import DutyShift
    from accounts.roles import Role
    from tests.factories import UserFactory

    on_call = UserFactory(username="on_call", role=Role.ENGINEER, branch=world["engineer"].branch)
    now = timezone.now()
    DutyShift.objects.create(
        engineer=on_call,
        branch=on_call.branch,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    ticket = _ticket(world)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    page = _client(client, world["agent"]).get(f"/desk/tickets/{ticket.number}/")
    suggested = [e.username for e in page.context["suggested"]]
    assert suggested[:2] == ["on_call", "engineer"]
    assert suggested[-1] == "engineer_north"  # other branches last


def test_the_queue_pages_fifty_rows_at_a_time_keeping_filters(client, world):
    for _ in range(55):
        _ticket(world)
    _client(client, world["agent"])
    first = client.get("/desk/", {"priority": "P1"})
    assert len(first.context["tickets"]) == 50
    assert "priority=P1&amp;page=2" in first.content.decode()
    second = client.get("/desk/", {"priority": "P1", "page": 2})
    assert len(second.context["tickets"]) == 5
    seen = {t.number for t in first.context["tickets"]} | {
        t.number for t in second.context["tickets"]
    }
    assert len(seen) == 55
    assert client.get("/desk/", {"page": "abc"}).status_code == 200
