"""The unread count the header, the notifications page and the API show: warnings whose clock
has stopped or whose ticket is finished are withdrawn; paths in a message are links."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.models import Notification
from tickets.notify import notifications_withdrawn_refresh
from tickets.selectors import notifications_of, unread_notification_count
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_transition

pytestmark = pytest.mark.django_db

T0 = shanghai(2026, 11, 25, 10, 0)


def _ticket(world, summary: str):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=T0,
        now=T0,
    )


def _warned(world):
    """Three tickets whose response clock reached its 50 % warning for the branch's engineer."""
    tickets = [_ticket(world, name) for name in ("met", "cancelled", "still running")]
    sweep_due_steps(now=T0 + timedelta(minutes=15))
    assert Notification.objects.filter(user=world["engineer"], step__kind="warning").count() == 3
    return tickets


def test_a_warning_is_withdrawn_once_its_clock_stops_or_its_ticket_is_finished(world):
    met, cancelled, running = _warned(world)
    engineer = world["engineer"]
    assert unread_notification_count(engineer) == 3

    # Responded in time: the warning about the response no longer matters.
    ticket_acknowledge(ticket_id=met.pk, user=world["agent"], now=T0 + timedelta(minutes=20))
    assert unread_notification_count(engineer) == 2
    ticket_transition(
        ticket_id=cancelled.pk,
        name="cancel",
        user=world["agent"],
        note="Duplicate call",
        now=T0 + timedelta(minutes=21),
    )
    assert unread_notification_count(engineer) == 1

    by_ticket = {n.ticket_id: n for n in notifications_of(engineer)}
    assert by_ticket[met.pk].withdrawn and not by_ticket[met.pk].unread
    assert by_ticket[cancelled.pk].withdrawn and not by_ticket[cancelled.pk].unread
    assert by_ticket[running.pk].unread and not by_ticket[running.pk].withdrawn
    # Withdrawn is not read: the person has not seen it, it simply stopped mattering.
    assert by_ticket[met.pk].read_at is None


def test_data_loaded_in_bulk_is_set_right_by_one_refresh(world):
    """Notifications no workflow step went through (a bulk load, an admin's edit) are put
    right by the same rule, for every ticket at once."""
    met, _cancelled, _running = _warned(world)
    ticket_acknowledge(ticket_id=met.pk, user=world["agent"], now=T0 + timedelta(minutes=20))
    engineer = world["engineer"]
    Notification.objects.update(withdrawn=False)
    assert unread_notification_count(engineer) == 3
    notifications_withdrawn_refresh()
    assert unread_notification_count(engineer) == 2
    Notification.objects.update(withdrawn=True)
    notifications_withdrawn_refresh()
    assert unread_notification_count(engineer) == 2


def test_the_badge_the_page_and_the_api_count_the_same(world, client, api):
    met, _cancelled, running = _warned(world)
    ticket_acknowledge(ticket_id=met.pk, user=world["agent"], now=T0 + timedelta(minutes=20))
    engineer = world["engineer"]
    client.force_login(engineer)
    page = client.get(reverse("notifications"))
    assert page.context["unread_count"] == 2
    html = page.content.decode()
    assert 'data-testid="unread-count">2<' in html
    withdrawn = next(n for n in page.context["page"] if n.ticket_id == met.pk)
    assert f'data-testid="notification-{withdrawn.pk}"' in html
    assert html.count('data-testid="withdrawn"') == 1

    listed = api(engineer).get("/api/notifications/").json()
    assert listed["unread"] == 2
    flags = {row["ticket"]: row["withdrawn"] for row in listed["results"]}
    assert flags[met.pk] is True and flags[running.pk] is False


def test_a_breach_still_counts_after_its_ticket_moved_on(world):
    ticket = _ticket(world, "late")
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    manager = world["manager"]
    breaches = Notification.objects.filter(user=manager, step__kind="breach")
    assert breaches.count() == 1
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0 + timedelta(minutes=40))
    # A breach happened and stays news until someone reads it.
    assert unread_notification_count(manager) == breaches.count()


def test_a_path_in_a_message_is_a_link_and_the_rest_stays_text(world, client):
    user = world["engineer"]
    path = reverse("surveys:answer", args=[2])
    Notification.objects.create(
        user=user,
        title="Please answer our satisfaction survey",
        body=f"Dear <b>Bob</b>, answer here: {path}\nor at https://example.com/a?b=1&c=2.\n"
        "Not ours: /etc/passwd/ and javascript:alert(1)",
    )
    client.force_login(user)
    html = client.get(reverse("notifications")).content.decode()
    assert f'<a href="{path}">{path}</a>' in html
    assert '<a href="https://example.com/a?b=1&amp;c=2">' in html
    # Whatever people typed is escaped, not markup; only our own paths and web addresses link.
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html and "<b>Bob</b>" not in html
    assert 'href="/etc/passwd/"' not in html and 'href="javascript' not in html
