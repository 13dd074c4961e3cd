from datetime import timedelta

import pytest

from tests.factories import ContactFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from training.services import AttendeeInput, session_plan

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api

NOW = shanghai(2026, 11, 24, 9, 0)


@pytest.fixture
def plan(world):
    """Plan a session on the world's contract (or another), with the contact and a typed
    name invited unless attendees are given."""

    def make(*, contract=None, starts_at=NOW - timedelta(days=1), attendees=None, **extra):
        contract = contract or world["contract"]
        if attendees is None:
            attendees = [
                AttendeeInput(contact=world["contact"]),
                AttendeeInput(name="调度员甲", organisation="东江水务", position="调度员"),
            ]
        values = {
            "user": world["manager"],
            "contract": contract,
            "topic": "平台操作培训",
            "kind": "operation",
            "trainer": world["engineer"],
            "starts_at": starts_at,
            "duration_minutes": 120,
            "place": "调度中心会议室",
            **extra,
        }
        return session_plan(attendees=attendees, **values)

    return make


@pytest.fixture
def other_session(world, plan):
    """A session of the other customer (青川), with its own contact invited."""
    contact = ContactFactory(customer=world["other_contract"].customer, name="何静")
    return plan(contract=world["other_contract"], attendees=[AttendeeInput(contact=contact)])
