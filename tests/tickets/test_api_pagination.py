"""The ticket list counts at most COUNT_LIMIT tickets (tickets/api/pagination.py) and still
pages to the end beyond it."""

import pytest

from tests.tickets.conftest import shanghai
from tickets.api.pagination import TicketPagination
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_tickets(world):
    for hour in range(5):
        at = shanghai(2026, 11, 25, 10 + hour, 0)
        ticket_create(
            created_by=world["agent"],
            contract=world["contract"],
            site=world["site"],
            kind="fault",
            priority="P2",
            summary=f"Call {hour}",
            channel="phone",
            reported_at=at,
            now=at,
        )


def test_count_is_exact_up_to_the_limit(world, api, five_tickets, monkeypatch):
    monkeypatch.setattr("core.paging.COUNT_LIMIT", 5)
    monkeypatch.setattr(TicketPagination, "page_size", 2)
    body = api(world["agent"]).get("/api/tickets/").json()
    assert (body["count"], body["count_limited"]) == (5, False)
    assert [t["summary"] for t in body["results"]] == ["Call 4", "Call 3"]


def test_beyond_the_limit_the_pages_go_on_to_the_end(world, api, five_tickets, monkeypatch):
    monkeypatch.setattr("core.paging.COUNT_LIMIT", 3)
    monkeypatch.setattr(TicketPagination, "page_size", 2)
    client = api(world["agent"])
    first = client.get("/api/tickets/").json()
    assert (first["count"], first["count_limited"]) == (3, True)
    assert first["previous"] is None and first["next"].endswith("?page=2")
    seen = [t["summary"] for t in first["results"]]
    second = client.get("/api/tickets/", {"page": 2}).json()
    seen += [t["summary"] for t in second["results"]]
    third = client.get("/api/tickets/", {"page": 3}).json()
    seen += [t["summary"] for t in third["results"]]
    assert seen == ["Call 4", "Call 3", "Call 2", "Call 1", "Call 0"]
    assert third["next"] is None and third["previous"] is not None
    assert client.get("/api/tickets/", {"page": 4}).status_code == 404
    assert client.get("/api/tickets/", {"page": "x"}).status_code == 404
