"""The customer portal through the Django test client: what a customer contact can see and do,
and that nothing of another organisation is ever reachable."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.phases import Phase
from tests.factories import ContractFactory, ServiceTermsFactory, SiteFactory
from tests.tickets.conftest import change_signed_off
from tickets.models import (
    Attachment,
    Comment,
    Rating,
    RemoteAccessRequest,
    SlaClock,
    State,
    Ticket,
    TicketEvent,
)
from tickets.services.creation import ticket_create
from tickets.services.transitions import (
    ticket_acknowledge,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
)
from tickets.work_services import comment_add, remote_access_request, ticket_check_in

pytestmark = pytest.mark.django_db

REPORT = {
    "symptoms": "Pumps not reporting",
    "cause": "Gateway disk full",
    "solution": "Rotated the logs",
    "prevention": "Log rotation every week",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(client, user):
    client.force_login(user)
    # English pages, so the assertions read the source strings.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def customer_client(client, world):
    return _client(client, world["customer_user"])


def _ticket(world, *, summary="SCADA screens frozen", priority="P1", kind="fault", **extra):
    extra.setdefault("site", world["site"])
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        kind=kind,
        priority=priority,
        summary=summary,
        channel="phone",
        **extra,
    )


def _resolved(world, **kwargs) -> Ticket:
    ticket = _ticket(world, covered_item=world["hardware"], **kwargs)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    ticket_check_in(ticket=ticket, user=world["engineer"])
    ticket_resolve(ticket_id=ticket.pk, user=world["engineer"], report=REPORT)
    return Ticket.objects.get(pk=ticket.pk)


def _closed(world) -> Ticket:
    ticket = _resolved(world)
    ticket_transition(
        ticket_id=ticket.pk, name="close", user=world["agent"], note="Confirmed on the phone."
    )
    return Ticket.objects.get(pk=ticket.pk)


def _url(name, *args):
    return reverse(f"portal:{name}", args=args)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# Pages load ----------------------------------------------------------------------------------


def test_every_portal_page_loads_for_the_customer(customer_client, world):
    open_ticket = _ticket(world, summary="Login page slow")
    remote = remote_access_request(
        ticket=open_ticket, user=world["agent"], reason="Check the database logs", minutes=45
    )
    resolved = _resolved(world, summary="Pump station offline")
    Attachment.objects.create(
        ticket=resolved,
        file=SimpleUploadedFile("photo.jpg", b"jpeg"),
        name="photo.jpg",
        uploaded_by=world["engineer"],
    )
    comment_add(ticket=resolved, user=world["agent"], body="Engineer is on the way")
    comment_add(ticket=resolved, user=world["agent"], body="Secret staff remark", internal=True)

    home = customer_client.get(_url("home"))
    assert home.status_code == 200
    page = home.content.decode()
    assert open_ticket.number in page and resolved.number in page
    assert 'href="/portal/new/"' in page
    assert f'action="{_url("remote_decide", remote.pk)}"' in page  # pending request on top
    assert 'class="countdown"' in page
    assert page.index(open_ticket.number) < page.index(resolved.number)  # open first

    new = customer_client.get(_url("new"))
    assert new.status_code == 200
    assert 'type="file"' in new.content.decode() and "multiple" in new.content.decode()
    assert "reported_at" not in new.content.decode()

    contracts = customer_client.get(_url("contracts"))
    assert contracts.status_code == 200
    text = contracts.content.decode()
    assert "DJ-2024-017" in text and "QC-2021-042" not in text
    assert str(Phase.WARRANTY.label) in text
    assert "2025-09-26 – 2028-09-25" in text  # the day after acceptance, plus 36 months
    assert "30 min" in text and "4 h" in text and "24 h" in text and "7 days" in text

    detail = customer_client.get(_url("ticket", resolved.number))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Gateway disk full" in text and "Log rotation every week" in text  # fault report
    assert "photo.jpg" in text
    assert "Engineer is on the way" in text
    assert "Secret staff remark" not in text
    assert timezone.localtime(resolved.on_site_at).strftime("%Y-%m-%d %H:%M") in text
    assert _url("transition", resolved.number, "confirm") in text
    assert _url("transition", resolved.number, "reopen") in text

    pending = customer_client.get(_url("ticket", open_ticket.number))
    assert pending.status_code == 200
    assert f'action="{_url("remote_decide", remote.pk)}"' in pending.content.decode()
    # The proposed window starts now and lasts the time asked for (45 min), in local time.
    form = pending.context["remote_rows"][0]["form"]
    start, end = form["window_start"].value(), form["window_end"].value()
    assert end - start == timedelta(minutes=45)
    # A new request may be withdrawn by the customer.
    assert _url("transition", open_ticket.number, "cancel") in pending.content.decode()


def test_ticket_page_hides_escalations_and_internal_notes(customer_client, world):
    ticket = _ticket(world)
    comment_add(ticket=ticket, user=world["agent"], body="internal remark", internal=True)
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.ESCALATION, at=timezone.now(), note="Breach escalated"
    )
    text = customer_client.get(_url("ticket", ticket.number)).content.decode()
    assert "internal remark" not in text
    assert "Breach escalated" not in text


# Isolation -----------------------------------------------------------------------------------


def test_another_organisations_ticket_is_404_on_every_route(client, world):
    ticket = _closed(world)
    remote = remote_access_request(
        ticket=ticket, user=world["agent"], reason="Check the logs", minutes=30
    )
    intruder = _client(client, world["other_customer_user"])
    assert intruder.get(_url("ticket", ticket.number)).status_code == 404
    assert intruder.post(_url("reply", ticket.number), {"body": "hi"}).status_code == 404
    for action in ["confirm", "reopen", "cancel", "accept"]:
        response = intruder.post(_url("transition", ticket.number, action))
        assert response.status_code == 404
    assert intruder.post(_url("rate", ticket.number), {"score": "5"}).status_code == 404
    response = intruder.post(_url("remote_decide", remote.pk), {"decision": "approve"})
    assert response.status_code == 404
    # Their lists show nothing of ours.
    assert ticket.number not in intruder.get(_url("home")).content.decode()
    assert "DJ-2024-017" not in intruder.get(_url("contracts")).content.decode()
    # Nothing changed.
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not Rating.objects.exists()
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.PENDING
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED


def test_a_customer_cannot_pick_another_organisations_site(customer_client, world):
    foreign_site = SiteFactory(customer=world["other_contract"].customer, name="Museum")
    response = customer_client.post(
        _url("new"),
        {"site": foreign_site.pk, "kind": "fault", "priority": "P2", "summary": "x"},
    )
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert "Museum" not in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("role", ["agent", "engineer", "manager", "leader"])
def test_staff_get_403_on_portal_pages(client, world, role):
    ticket = _ticket(world)
    staff = _client(client, world[role])
    for url in [_url("home"), _url("new"), _url("contracts"), _url("ticket", ticket.number)]:
        assert staff.get(url).status_code == 403
    assert staff.post(_url("transition", ticket.number, "cancel")).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == State.NEW


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(_url("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_post_only_routes_refuse_get(customer_client, world):
    ticket = _ticket(world)
    assert customer_client.get(_url("reply", ticket.number)).status_code == 405
    assert customer_client.get(_url("rate", ticket.number)).status_code == 405
    assert customer_client.get(_url("transition", ticket.number, "cancel")).status_code == 405


# New request ---------------------------------------------------------------------------------


def test_creating_a_request_with_attachments(customer_client, world):
    before = timezone.now()
    response = customer_client.post(
        _url("new"),
        {
            "site": world["site"].pk,
            "covered_item": world["hardware"].pk,
            "kind": "fault",
            "priority": "P1",
            "summary": "Gateway lost power",
            "description": "Since 08:00, all pumps offline",
            "reported_at": "2020-01-01T00:00",  # ignored: customers never set it
            "attachments": [
                SimpleUploadedFile("screen.png", b"\x89PNG fake", content_type="image/png"),
                SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain"),
            ],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == _url("ticket", ticket.number)
    assert ticket.channel == "portal"
    assert ticket.created_by == world["customer_user"]
    assert ticket.contact == world["contact"]
    assert ticket.customer == world["customer"]
    assert ticket.covered and ticket.contract == world["contract"]
    assert ticket.reported_at >= before
    assert sorted(a.name for a in ticket.attachments.all()) == ["log.txt", "screen.png"]
    kinds = set(ticket.clocks.values_list("kind", flat=True))
    assert kinds == {"response", "onsite", "resolution", "repair"}

    page = customer_client.get(response.url)
    text = page.content.decode()
    assert "submitted" in text  # the message
    assert "screen.png" in text and "log.txt" in text
    response_clock = ticket.clocks.get(kind=SlaClock.Kind.RESPONSE)
    assert timezone.localtime(response_clock.target_at).strftime("%Y-%m-%d %H:%M") in text
    assert 'data-testid="clock-onsite"' in text

    home = customer_client.get(_url("home")).content.decode()
    assert ticket.number in home
    assert f'data-deadline="{timezone.localtime(response_clock.target_at).isoformat()}"' in home


def test_bad_input_shows_form_errors_and_creates_nothing(customer_client, world):
    response = customer_client.post(
        _url("new"),
        {
            "kind": "fault",
            "priority": "P9",
            "summary": "",
            "attachments": [SimpleUploadedFile("a.txt", b"a")],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "summary" in errors and "priority" in errors
    assert 'class="field-error"' in response.content.decode()  # beside the fields
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_service_validation_errors_are_shown_on_the_form(customer_client, world):
    """Two contracts cover the site: the service refuses, the form says so, nothing is saved."""
    second = ContractFactory(
        number="DJ-2025-003",
        customer=world["customer"],
        signed_on=world["contract"].signed_on,
        final_acceptance_on=world["contract"].final_acceptance_on,
    )
    ServiceTermsFactory(contract=second, phase=Phase.WARRANTY, priority="P2")
    data = {
        "site": world["site"].pk,
        "kind": "consultation",
        "priority": "P2",
        "summary": "How do I export the report?",
        "attachments": [SimpleUploadedFile("a.txt", b"a")],
    }
    response = customer_client.post(_url("new"), data)
    assert response.status_code == 200
    assert "contract" in response.context["form"].errors
    assert "DJ-2025-003" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()

    data["contract"] = second.pk
    data["attachments"] = [SimpleUploadedFile("a.txt", b"a")]
    response = customer_client.post(_url("new"), data)
    assert response.status_code == 302
    assert Ticket.objects.get().contract == second


# Working a ticket ----------------------------------------------------------------------------


def test_reply_on_a_waiting_ticket_resumes_it(customer_client, world):
    ticket = _ticket(world, priority="P3")
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    ticket_transition(ticket_id=ticket.pk, name="wait_customer", user=world["agent"])
    assert Ticket.objects.get(pk=ticket.pk).state == State.WAITING_CUSTOMER

    response = customer_client.post(_url("reply", ticket.number), {"body": "Here is the log."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.ACKNOWLEDGED
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.internal, comment.author) == (
        "Here is the log.",
        False,
        world["customer_user"],
    )
    assert "Here is the log." in customer_client.get(response.url).content.decode()


def test_an_empty_reply_is_refused(customer_client, world):
    ticket = _ticket(world)
    response = customer_client.post(_url("reply", ticket.number), {"body": "  "}, follow=True)
    assert response.status_code == 200
    assert not Comment.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_confirm_closes_a_resolved_ticket(customer_client, world):
    ticket = _resolved(world)
    response = customer_client.post(_url("transition", ticket.number, "confirm"))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.confirmed_by_customer


def test_reopen_runs_the_resolution_clock_again(customer_client, world):
    ticket = _resolved(world)
    response = customer_client.post(
        _url("transition", ticket.number, "reopen"), {"note": "Still offline"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED
    assert ticket.clocks.get(kind="resolution").stopped_at is None
    assert ticket.events.filter(to_state=State.REOPENED, note="Still offline").exists()


def test_a_refused_transition_is_reported_not_raised(customer_client, world):
    ticket = _ticket(world)  # new: nothing to confirm
    response = customer_client.post(_url("transition", ticket.number, "confirm"), follow=True)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).state == State.NEW
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("action", ["close", "resolve", "acknowledge", "resume", "nonsense"])
def test_other_actions_are_404(customer_client, world, action):
    ticket = _resolved(world)
    response = customer_client.post(_url("transition", ticket.number, action))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_the_customer_accepts_a_change_request_then_rates_it(customer_client, world):
    ticket = _ticket(world, kind="change_request", summary="Add a report page", priority="P3")
    change_signed_off(ticket, world)
    for name, user in [("start_work", "agent"), ("complete", "agent")]:
        ticket_transition(ticket_id=ticket.pk, name=name, user=world[user])
    page = customer_client.get(_url("ticket", ticket.number)).content.decode()
    assert _url("transition", ticket.number, "accept") in page
    customer_client.post(_url("transition", ticket.number, "accept"))
    assert Ticket.objects.get(pk=ticket.pk).state == State.ACCEPTED
    customer_client.post(_url("rate", ticket.number), {"score": "5"})
    assert Rating.objects.get(ticket=ticket).score == 5


def test_the_customer_may_withdraw_a_new_request_saying_why(customer_client, world):
    ticket = _ticket(world)
    page = customer_client.get(_url("ticket", ticket.number)).content.decode()
    # Apart from the other actions, folded, with a required reason.
    assert 'data-testid="withdraw"' in page and 'name="note" rows="2" required' in page
    response = customer_client.post(
        _url("transition", ticket.number, "cancel"), {"note": "Solved it ourselves."}
    )
    assert Ticket.objects.get(pk=ticket.pk).state == State.CANCELLED
    event = TicketEvent.objects.filter(ticket=ticket, to_state=State.CANCELLED).get()
    assert event.note == "Solved it ourselves."
    assert response.status_code == 302


def test_withdrawing_without_a_reason_changes_nothing(customer_client, world):
    ticket = _ticket(world)
    response = customer_client.post(
        _url("transition", ticket.number, "cancel"),
        {"note": "  "},
        follow=True,
    )
    assert Ticket.objects.get(pk=ticket.pk).state == State.NEW
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors == ["Give a reason to cancel this ticket."]


# Rating --------------------------------------------------------------------------------------


def test_rating_only_when_closed(customer_client, world):
    ticket = _resolved(world)
    response = customer_client.post(_url("rate", ticket.number), {"score": "5"}, follow=True)
    assert not Rating.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert response.context["rating_form"] is None


@pytest.mark.parametrize("score", ["0", "6", "-1", "five", ""])
def test_scores_outside_one_to_five_are_refused(customer_client, world, score):
    ticket = _closed(world)
    response = customer_client.post(_url("rate", ticket.number), {"score": score}, follow=True)
    assert response.status_code == 200
    assert not Rating.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_rating_is_recorded_once(customer_client, world):
    ticket = _closed(world)
    page = customer_client.get(_url("ticket", ticket.number)).content.decode()
    assert _url("rate", ticket.number) in page and 'type="radio"' in page

    customer_client.post(_url("rate", ticket.number), {"score": "4", "comment": "Quick fix"})
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (4, "Quick fix")
    assert rating.rated_by == world["customer_user"]

    response = customer_client.post(_url("rate", ticket.number), {"score": "1"}, follow=True)
    assert Rating.objects.get(ticket=ticket).score == 4
    assert any(m.level_tag == "error" for m in response.context["messages"])
    text = response.content.decode()
    assert "Quick fix" in text and 'data-testid="rating-form"' not in text


# Remote access -------------------------------------------------------------------------------


def test_remote_access_approved_with_a_window(customer_client, world):
    ticket = _ticket(world)
    remote = remote_access_request(
        ticket=ticket, user=world["agent"], reason="Restart the service", minutes=60
    )
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    end = start + timedelta(minutes=90)
    response = customer_client.post(
        _url("remote_decide", remote.pk),
        {"decision": "approve", "window_start": _local(start), "window_end": _local(end)},
    )
    assert response.status_code == 302
    assert response.url.startswith(_url("ticket", ticket.number))
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.APPROVED
    assert (remote.window_start, remote.window_end) == (start, end)
    assert remote.decided_by == world["customer_user"] and remote.decided_at is not None
    page = customer_client.get(_url("ticket", ticket.number)).content.decode()
    assert timezone.localtime(end).strftime("%Y-%m-%d %H:%M") in page

    # Answered once: a second decision is refused.
    response = customer_client.post(
        _url("remote_decide", remote.pk), {"decision": "refuse"}, follow=True
    )
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.APPROVED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_remote_access_refused_from_the_home_page(customer_client, world):
    ticket = _ticket(world)
    remote = remote_access_request(
        ticket=ticket, user=world["agent"], reason="Restart the service", minutes=60
    )
    response = customer_client.post(
        _url("remote_decide", remote.pk), {"decision": "refuse", "back": "home"}
    )
    assert response.url == _url("home")
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.REFUSED
    assert remote.decided_by == world["customer_user"]
    assert remote.window_start is None
    assert (
        f'action="{_url("remote_decide", remote.pk)}"'
        not in customer_client.get(_url("home")).content.decode()
    )


def test_a_window_ending_before_it_starts_is_refused(customer_client, world):
    ticket = _ticket(world)
    remote = remote_access_request(ticket=ticket, user=world["agent"], reason="x", minutes=60)
    start = timezone.now() + timedelta(hours=2)
    customer_client.post(
        _url("remote_decide", remote.pk),
        {
            "decision": "approve",
            "window_start": _local(start),
            "window_end": _local(start - timedelta(hours=1)),
        },
    )
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.PENDING


# Performance ---------------------------------------------------------------------------------


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("home"))
    assert response.status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_tickets(customer_client, world):
    for n in range(3):
        ticket = _ticket(world, summary=f"ticket {n}", covered_item=world["hardware"])
        remote_access_request(ticket=ticket, user=world["agent"], reason="x", minutes=30)
    _closed(world)
    few = _home_queries(customer_client)
    for n in range(17):
        _ticket(world, summary=f"more {n}", priority="P3")
    assert Ticket.objects.count() == 21
    many = _home_queries(customer_client)
    assert many == few


def test_ticket_page_query_count_is_bounded(customer_client, world, django_assert_max_num_queries):
    ticket = _resolved(world)
    for n in range(10):
        comment_add(ticket=ticket, user=world["agent"], body=f"reply {n}")
        remote_access_request(ticket=ticket, user=world["agent"], reason=f"r{n}", minutes=30)
    with django_assert_max_num_queries(30):
        assert customer_client.get(_url("ticket", ticket.number)).status_code == 200
