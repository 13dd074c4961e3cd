"""The tickets' small world, with the contract's substitute-device promise of seed 002 and
a store at each branch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from spares.models import StockItem
from tests.tickets import conftest as tickets_conftest
from tickets.services.creation import ticket_create

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api


@pytest.fixture
def shop(world, branch, staff):
    """`world` with the substitute device promised within 24 h, and parts on the shelves."""
    contract = world["contract"]
    contract.substitute_device_hours = 24
    contract.save()
    north = staff["engineer_north"].branch
    return {
        **world,
        "psu": StockItem.objects.create(
            branch=branch, name="PSU", model="GW-200", quantity=3, location="A-1", reorder_level=2
        ),
        "board": StockItem.objects.create(
            branch=branch, name="Main board", model="GW-200", serial_number="MB-1", quantity=1
        ),
        "north_psu": StockItem.objects.create(branch=north, name="PSU", model="GW-200", quantity=5),
    }


def hardware_fault(world, at=None, *, item="hardware", priority="P1"):
    """A fault on the world's hardware item (or `item`), logged by the agent at `at` (three
    hours ago if not given)."""
    at = at or timezone.now() - timedelta(hours=3)
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        covered_item=world[item],
        kind="fault",
        priority=priority,
        summary="Gateway does not power on",
        channel="phone",
        reported_at=at,
        now=at,
    )
