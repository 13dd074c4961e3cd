"""The ticket and clock serializers write their fields out by hand (tickets/api/serializers.py)
for speed; what they write must be what DRF's walk of the declared fields gives, field for
field, for tickets in every situation: the API's contract is the schema of those fields."""

from datetime import timedelta

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tests.tickets.conftest import shanghai
from tickets.api.serializers import (
    ClockSerializer,
    ExplainedClockSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from tickets.models import Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db

REPORT = {"symptoms": "Pumps silent", "cause": "Relay", "solution": "Relay replaced"}


def _declared(serializer, instance) -> dict:
    """DRF's own walk over the declared fields, nested serializers included."""
    result = {}
    for field in serializer._readable_fields:
        attribute = field.get_attribute(instance)
        if attribute is None:
            result[field.field_name] = None
        elif isinstance(field, serializers.ListSerializer):
            result[field.field_name] = [_declared(field.child, item) for item in attribute.all()]
        else:
            result[field.field_name] = field.to_representation(attribute)
    return result


def _tickets(world) -> list[Ticket]:
    start = shanghai(2026, 11, 23, 9, 0)
    agent = world["agent"]

    def create(minutes, **kwargs):
        at = start + timedelta(minutes=minutes)
        return ticket_create(
            created_by=agent,
            customer=world["customer"],
            site=world["site"],
            kind="fault",
            priority=kwargs.pop("priority", "P1"),
            summary="Pumps not reporting",
            description=kwargs.pop("description", ""),
            channel="phone",
            reported_at=at,
            now=at,
        )

    new = create(0, description="Station 3, since the storm")
    waiting = create(1, priority="P3")
    ticket_acknowledge(ticket_id=waiting.pk, user=agent, now=start + timedelta(minutes=5))
    ticket_transition(
        ticket_id=waiting.pk, name="wait_customer", user=agent, now=start + timedelta(minutes=6)
    )
    resolved = create(2)
    ticket_acknowledge(ticket_id=resolved.pk, user=agent, now=start + timedelta(minutes=50))
    ticket_resolve(
        ticket_id=resolved.pk, user=agent, report=REPORT, now=start + timedelta(hours=30)
    )
    return [new, waiting, resolved]


@pytest.mark.parametrize(
    ("serializer_class", "clock_class"),
    [(TicketSerializer, ClockSerializer), (TicketDetailSerializer, ExplainedClockSerializer)],
)
def test_written_out_fields_are_the_declared_fields(world, serializer_class, clock_class):
    ids = [t.pk for t in _tickets(world)]
    request = APIRequestFactory().get("/api/tickets/")
    request.user = world["agent"]
    now = shanghai(2026, 11, 24, 12, 0)
    for ticket in Ticket.objects.filter(pk__in=ids).order_by("pk"):
        context = {"request": request, "now": now}
        written = serializer_class(ticket, context=context).data
        declared = _declared(serializer_class(ticket, context=context), ticket)
        assert list(written) == list(declared) == serializer_class.Meta.fields
        assert written == declared, ticket.number
        assert written["clocks"] and all(
            list(clock) == clock_class.Meta.fields for clock in written["clocks"]
        )
