"""The ticket's stored nearest deadline (Ticket.next_deadline, kept by the database) follows
its clocks through every change: the queue sorts on it."""

from datetime import timedelta

import pytest
from django.db.models import Min

from tests.tickets.conftest import shanghai
from tickets.models import SlaClock, Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db


def _nearest(ticket) -> object:
    """The rule, recounted from the clocks: the earliest target of a clock still counting."""
    return SlaClock.objects.filter(
        ticket=ticket,
        stopped_at__isnull=True,
        status__in=[SlaClock.Status.RUNNING, SlaClock.Status.BREACHED],
    ).aggregate(nearest=Min("target_at"))["nearest"]


def _stored(ticket):
    return Ticket.objects.values_list("next_deadline", flat=True).get(pk=ticket.pk)


def test_next_deadline_follows_the_clocks(world):
    reported = shanghai(2026, 11, 25, 10, 0)
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P3",
        summary="SCADA screens frozen",
        channel="phone",
        reported_at=reported,
        now=reported,
    )
    response_target = ticket.clocks.get(kind="response").target_at
    assert _stored(ticket) == response_target == _nearest(ticket)

    at = reported + (response_target - reported) / 2
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=at)
    assert _stored(ticket) == _nearest(ticket)
    assert _stored(ticket) > response_target

    # Waiting on the customer pauses the P3 clocks (no target while paused): nothing counts.
    ticket_transition(ticket_id=ticket.pk, name="wait_customer", user=world["agent"], now=at)
    assert _stored(ticket) == _nearest(ticket) is None
    later = at + timedelta(hours=1)
    ticket_transition(ticket_id=ticket.pk, name="resume", user=world["agent"], now=later)
    assert _stored(ticket) == _nearest(ticket) is not None

    report = {"symptoms": "Screen frozen", "cause": "Disk full", "solution": "Rotated logs"}
    ticket_resolve(ticket_id=ticket.pk, user=world["agent"], report=report, now=later)
    assert _stored(ticket) == _nearest(ticket)


def test_next_deadline_follows_deleted_clocks(world):
    reported = shanghai(2026, 11, 25, 10, 0)
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="SCADA screens frozen",
        channel="phone",
        reported_at=reported,
        now=reported,
    )
    ticket.clocks.filter(kind="response").delete()
    assert _stored(ticket) == _nearest(ticket) == ticket.clocks.get(kind="onsite").target_at
