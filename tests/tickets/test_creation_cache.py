"""Ticket creation keeps contracts, terms and calendars between requests (contracts/cache.py);
a change of any of them counts from the very next ticket."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import CalendarDay
from tests.tickets.conftest import shanghai
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db


def _create(world, *, priority, at):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority=priority,
        summary="SCADA screens frozen",
        channel="phone",
        reported_at=at,
        now=at,
    )


def _target(ticket, kind):
    return ticket.clocks.get(kind=kind).target_at


def test_changed_terms_apply_to_the_next_ticket(world):
    reported = shanghai(2026, 11, 25, 10, 0)
    first = _create(world, priority="P1", at=reported)
    assert _target(first, "response") == reported + timedelta(minutes=30)

    terms = world["contract"].terms.get(phase="warranty", priority="P1")
    terms.response_minutes = 15
    terms.save()

    second = _create(world, priority="P1", at=reported)
    assert _target(second, "response") == reported + timedelta(minutes=15)
    assert second.terms_applied["response_minutes"] == 15


def test_a_new_holiday_applies_to_the_next_ticket(world):
    # P3 on site counts business hours; Friday 2026-11-27 16:00 plus 4 working hours ends
    # on Monday, unless Monday becomes a holiday.
    reported = shanghai(2026, 11, 27, 16, 0)
    first = _create(world, priority="P3", at=reported)
    assert _target(first, "onsite").date() == date(2026, 11, 30)

    CalendarDay.objects.create(
        calendar=world["business"], date=date(2026, 11, 30), kind=CalendarDay.Kind.HOLIDAY
    )

    second = _create(world, priority="P3", at=reported)
    assert _target(second, "onsite").date() == date(2026, 12, 1)


def test_a_second_ticket_reads_no_contract_or_calendar_again(world):
    reported = shanghai(2026, 11, 25, 10, 0)
    _create(world, priority="P3", at=reported)
    with CaptureQueriesContext(connection) as queries:
        _create(world, priority="P3", at=reported)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]]
    assert '"contracts_referencestamp"' in tables
    assert not [t for t in tables if t.startswith('"contracts_') and "referencestamp" not in t]
    # Two of them keep the SLA rollups: the bucket's lock, then its recount.
    assert len(queries) <= 10
