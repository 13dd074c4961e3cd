"""An engineer never reads another branch's tickets: not on the pages, not in the API,
not in the admin. One rule (tickets/selectors.py) answers everywhere."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.images import tiny_png
from tickets.escalation import sweep_due_steps
from tickets.models import CheckIn, ClockPause, EscalationStep, Notification
from tickets.services.attachments import ticket_attach
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch, ticket_transition
from tickets.work_services import comment_add, ticket_check_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_ticket(world, tmp_path, settings):
    """A ticket of the East branch, dispatched to East's engineer, with every kind of record."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P3",
        summary="East only: pumps offline",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=5),
    )
    sweep_due_steps(now=timezone.now() + timedelta(minutes=40))
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    photo = tmp_path / "site.png"
    tiny_png(photo)
    check_in = ticket_check_in(
        ticket=ticket,
        user=world["engineer"],
        latitude="22.543100",
        longitude="114.057900",
        accuracy="12",
        photo=SimpleUploadedFile("site.png", photo.read_bytes(), content_type="image/png"),
    )
    attachment = ticket_attach(
        ticket_id=ticket.pk, user=world["agent"], file=SimpleUploadedFile("log.txt", b"disk")
    )
    comment_add(ticket=ticket, user=world["agent"], body="Called the site", internal=True)
    ticket.refresh_from_db()
    assert EscalationStep.objects.filter(ticket=ticket).exists()
    return {"ticket": ticket, "check_in": check_in, "attachment": attachment}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_answers_404_to_another_branch_and_never_lists_its_tickets(world, east_ticket):
    ticket = east_ticket["ticket"]
    url = f"/api/tickets/{ticket.pk}"
    east, north = _api(world["engineer"]), _api(world["engineer_north"])
    assert [t["number"] for t in east.get("/api/tickets/").json()["results"]] == [ticket.number]
    assert east.get(f"{url}/").status_code == 200

    assert north.get("/api/tickets/").json()["results"] == []
    for filters in [{"branch": ticket.branch_id}, {"engineer": world["engineer"].pk}]:
        assert north.get("/api/tickets/", filters).json()["results"] == []
    for path in ["/", "/events/", "/comments/", "/attachments/"]:
        assert north.get(f"{url}{path}").status_code == 404, path
    for action in ["acknowledge", "depart", "check_in", "resolve", "wait_customer"]:
        assert north.post(f"{url}/{action}/").status_code == 404, action
    assert north.post(f"{url}/comments/", {"body": "x"}).status_code == 404

    steps = east.get("/api/escalations/").json()["results"]
    assert steps and {s["ticket_number"] for s in steps} == {ticket.number}
    assert north.get("/api/escalations/").json()["results"] == []
    assert north.get(f"/api/escalations/{steps[0]['id']}/").status_code == 404


def test_pages_and_files_answer_404_to_another_branch(client, world, east_ticket):
    ticket = east_ticket["ticket"]
    client.force_login(world["engineer_north"])
    assert ticket.number not in client.get("/desk/").content.decode()
    assert ticket.number not in client.get(f"/desk/?branch={ticket.branch_id}").content.decode()
    assert ticket.number not in client.get("/m/").content.decode()
    assert client.get(f"/desk/tickets/{ticket.number}/").status_code == 404
    for kind, record in [("check-in", "check_in"), ("attachment", "attachment")]:
        assert client.get(f"/files/{kind}/{east_ticket[record].pk}/").status_code == 404
    # Dashboards, drill-downs and report downloads are for managers only.
    for url in ["/dashboard/", "/dashboard/escalations/", "/reports/"]:
        assert client.get(url).status_code in (302, 403), url

    client.force_login(world["engineer"])
    assert ticket.number in client.get("/desk/").content.decode()
    assert client.get(f"/desk/tickets/{ticket.number}/").status_code == 200
    assert client.get(f"/files/check-in/{east_ticket['check_in'].pk}/").status_code == 200


def _admin_urls(model, obj) -> dict[str, str]:
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    return {
        "changelist": reverse(f"{name}_changelist"),
        "change": reverse(f"{name}_change", args=[obj.pk]),
        "history": reverse(f"{name}_history", args=[obj.pk]),
    }


@pytest.mark.parametrize("role", ["engineer", "engineer_north", "agent", "leader"])
def test_agents_engineers_and_leaders_get_no_admin_at_all(client, world, east_ticket, role):
    """Finding of issue 9: `/admin/tickets/ticket/8/change/` answered 200 to an engineer."""
    ticket = east_ticket["ticket"]
    step = EscalationStep.objects.filter(ticket=ticket).first()
    client.force_login(world[role])
    urls = ["/admin/", "/admin/contracts/contact/"]
    for model, obj in [(type(ticket), ticket), (EscalationStep, step)]:
        urls += _admin_urls(model, obj).values()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, (role, url)
        assert response["Location"].startswith("/admin/login/"), (role, url)
        assert ticket.number not in client.get(url, follow=True).content.decode()
    assert (
        "/admin/"
        not in client.get("/desk/" if role != "leader" else "/dashboard/").content.decode()
    )


def test_a_stale_staff_flag_does_not_open_the_admin(client, world, east_ticket):
    engineer = world["engineer"]
    engineer.is_staff = True  # left over from an earlier role, or set by hand
    engineer.save()
    client.force_login(engineer)
    url = _admin_urls(type(east_ticket["ticket"]), east_ticket["ticket"])["change"]
    assert client.get(url).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_manager_still_uses_the_admin(client, world, east_ticket):
    ticket = east_ticket["ticket"]
    assert world["manager"].is_staff and not world["engineer"].is_staff
    client.force_login(world["manager"])
    assert client.get("/admin/").status_code == 200
    urls = _admin_urls(type(ticket), ticket)
    assert ticket.number in client.get(urls["changelist"]).content.decode()
    assert client.get(urls["change"]).status_code == 200
    assert 'href="/admin/"' in client.get("/desk/").content.decode()


def test_every_ticket_admin_is_scoped_by_the_same_rule(rf, world, east_ticket):
    """Whatever permissions a role is given later, the ticket rows it sees follow the rule."""
    from django.contrib import admin

    from tickets.models import Ticket

    ticket = east_ticket["ticket"]
    ClockPause.objects.create(clock=ticket.clocks.first(), started_at=timezone.now())
    expected = {
        Ticket: Ticket.objects.filter(pk=ticket.pk),
        EscalationStep: EscalationStep.objects.filter(ticket=ticket),
        Notification: Notification.objects.filter(ticket=ticket),
        ClockPause: ClockPause.objects.filter(clock__ticket=ticket),
    }
    for model, rows in expected.items():
        assert rows.exists(), model
        model_admin = admin.site._registry[model]
        for user, sees in [(world["engineer"], True), (world["engineer_north"], False)]:
            request = rf.get("/admin/")
            request.user = user
            shown = model_admin.get_queryset(request)
            assert set(shown.filter(pk__in=rows)) == (set(rows) if sees else set()), (model, user)
        request = rf.get("/admin/")
        request.user = world["manager"]
        assert set(rows) <= set(model_admin.get_queryset(request)), model
    assert CheckIn.objects.filter(ticket=ticket).count() == 1


def test_a_managers_admin_lists_are_what_the_selectors_let_a_manager_see(rf, world, east_ticket):
    """Managers see every customer, contact, contract and inspection by role
    (servicedesk/admin_site.py says so): the admin lists match the selectors' answer."""
    from django.contrib import admin

    from contracts.models import Contact, Contract, Customer
    from contracts.selectors import contracts_visible_to, customers_visible_to
    from inspections.models import Inspection
    from inspections.selectors import inspections_visible_to

    request = rf.get("/admin/")
    request.user = world["manager"]
    selectors = {
        Customer: customers_visible_to,
        Contract: contracts_visible_to,
        Contact: lambda user, rows: rows.filter(
            customer__in=customers_visible_to(user, Customer.objects.all())
        ),
        Inspection: inspections_visible_to,
    }
    for model, visible in selectors.items():
        everything = set(model.objects.values_list("pk", flat=True))
        assert set(visible(world["manager"], model.objects.all()).values_list("pk", flat=True)) == (
            everything
        ), model
        shown = admin.site._registry[model].get_queryset(request)
        assert set(shown.values_list("pk", flat=True)) == everything, model
    assert Contact.objects.exists() and Customer.objects.count() >= 2
