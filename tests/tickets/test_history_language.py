"""The ticket's history speaks the reader's language: what the system wrote (escalations,
acceptance, acknowledgement) is kept untranslated and shown in English or Chinese as the
reader chooses; what a person typed is shown as typed. The phase badge too."""

from datetime import timedelta

import pytest
from django.conf import settings

from tests.tickets.conftest import shanghai
from tests.tickets.test_escalation import _ticket
from tickets.escalation import sweep_due_steps
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch
from tickets.work_services import ticket_accept

pytestmark = pytest.mark.django_db

T0 = shanghai(2026, 11, 25, 10, 0)


@pytest.fixture
def worked(world):
    """Breached, acknowledged with a typed note, dispatched and accepted."""
    ticket = _ticket(world, at=T0)
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], note="客户已回电 / called back")
    ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    ticket.refresh_from_db()
    ticket_accept(ticket=ticket, user=world["engineer"])
    return ticket


def _page(client, user, ticket, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(f"/desk/tickets/{ticket.number}/").content.decode()


def test_the_history_on_the_page_follows_the_reader(client, world, worked):
    english = _page(client, world["agent"], worked, "en")
    assert "Response deadline breached" in english
    assert "Accepted by the engineer" in english
    assert "响应已超时" not in english and "工程师已接单" not in english
    chinese = _page(client, world["agent"], worked, "zh-hans")
    assert "响应已超时" in chinese
    assert "Accepted by the engineer" not in chinese
    # A person's note is shown as typed, in both.
    assert "客户已回电 / called back" in english and "客户已回电 / called back" in chinese


def test_the_phase_badge_follows_the_reader(client, world, worked):
    assert "Warranty" in _page(client, world["agent"], worked, "en")
    assert "质保期" in _page(client, world["agent"], worked, "zh-hans")
    assert "质保期" not in _page(client, world["agent"], worked, "en")


def test_the_api_history_follows_the_reader(api, world, worked):
    agent = api(world["agent"])
    url = f"/api/tickets/{worked.pk}/events/"
    english = [e["note"] for e in agent.get(url, HTTP_ACCEPT_LANGUAGE="en").json()]
    chinese = [e["note"] for e in agent.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()]
    assert any("Response deadline breached" in n for n in english)
    assert "Accepted by the engineer" in english
    assert any("响应已超时" in n for n in chinese)
    assert "Accepted by the engineer" not in chinese
    assert "客户已回电 / called back" in english and "客户已回电 / called back" in chinese
