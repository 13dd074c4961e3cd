"""Remote access on the tickets' standard: the customer's answer is a step of a state
machine, recorded with who answered, from which status to which; it cannot be set by hand
nor answered twice."""

import pytest
from django.utils.translation import gettext as _

from core.errors import TransitionConflict
from tickets.models import RemoteAccessRequest, TicketEvent
from tickets.services.creation import ticket_create
from tickets.work_services import remote_access_decide, remote_access_request

pytestmark = pytest.mark.django_db


def _request(world) -> RemoteAccessRequest:
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        kind="fault",
        priority="P2",
        summary="Login page slow",
        channel="phone",
    )
    return remote_access_request(
        ticket=ticket, user=world["agent"], reason="Check the database logs", minutes=45
    )


def test_the_customers_answer_is_recorded_with_who_from_and_to(world):
    remote = _request(world)
    remote_access_decide(request=remote, user=world["customer_user"], approve=True)
    event = TicketEvent.objects.filter(ticket=remote.ticket, kind=TicketEvent.Kind.NOTE).last()
    assert event.actor == world["customer_user"]
    assert event.note == _("Remote access approved")
    assert event.data == {
        "remote_request": remote.pk,
        "remote_from": RemoteAccessRequest.Status.PENDING,
        "remote_to": RemoteAccessRequest.Status.APPROVED,
    }


def test_an_answered_request_cannot_be_answered_again_nor_set_by_hand(world):
    remote = _request(world)
    remote_access_decide(request=remote, user=world["customer_user"], approve=False)
    events = TicketEvent.objects.filter(ticket=remote.ticket).count()
    with pytest.raises(TransitionConflict) as refused:
        remote_access_decide(request=remote, user=world["customer_user"], approve=True)
    assert refused.value.message == _("This request has already been answered.")
    remote.refresh_from_db()
    assert remote.status == RemoteAccessRequest.Status.REFUSED and remote.window_start is None
    assert TicketEvent.objects.filter(ticket=remote.ticket).count() == events
    with pytest.raises(AttributeError):
        remote.status = RemoteAccessRequest.Status.APPROVED
