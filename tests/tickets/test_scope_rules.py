"""Issue 9: a transition that changes nothing is a no-op, and records nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tickets.models import TicketEvent
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledged(world):
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P3",
        summary="Screens frozen",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=5),
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    return ticket


def _dispatches(ticket):
    return TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.TRANSITION, data__action="dispatch"
    )


def test_twenty_identical_dispatches_record_one_event(world, acknowledged):
    client = APIClient()
    client.force_authenticate(world["agent"])
    url = f"/api/tickets/{acknowledged.pk}/dispatch/"
    for _ in range(20):
        response = client.post(url, {"engineer": world["engineer"].pk}, format="json")
        assert response.status_code == 200
        assert response.json()["state"] == "dispatched"
    assert _dispatches(acknowledged).count() == 1
    events = client.get(f"/api/tickets/{acknowledged.pk}/events/").json()
    assert [e["to_state"] for e in events].count("dispatched") == 1


def test_dispatching_to_another_engineer_is_recorded(world, acknowledged):
    ticket_dispatch(ticket_id=acknowledged.pk, user=world["agent"], engineer=world["engineer"])
    ticket_dispatch(ticket_id=acknowledged.pk, user=world["agent"], engineer=world["engineer"])
    other = world["engineer_north"]
    ticket_dispatch(ticket_id=acknowledged.pk, user=world["agent"], engineer=other)
    acknowledged.refresh_from_db()
    assert acknowledged.assigned_engineer == other
    assert [e.data["engineer"] for e in _dispatches(acknowledged).order_by("pk")] == [
        "engineer",
        other.username,
    ]


def test_the_same_engineer_again_is_still_refused_to_who_may_not_dispatch(world, acknowledged):
    ticket_dispatch(ticket_id=acknowledged.pk, user=world["agent"], engineer=world["engineer"])
    client = APIClient()
    client.force_authenticate(world["engineer"])
    url = f"/api/tickets/{acknowledged.pk}/dispatch/"
    response = client.post(url, {"engineer": world["engineer"].pk}, format="json")
    assert response.status_code == 403
    assert _dispatches(acknowledged).count() == 1
