from datetime import timedelta

import pytest

from accounts.roles import Role
from duty.services import shift_add
from tests.factories import BranchFactory, UserFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api

# A Monday: week 2026-W40 runs from 28 September to 4 October (National Day inside).
MONDAY = shanghai(2026, 9, 28, 0, 0)


@pytest.fixture
def north(world):
    """The North branch's manager and engineer (another branch than the world's)."""
    north = BranchFactory(code="north")
    return {
        "branch": north,
        "manager": UserFactory(username="manager_north", role=Role.MANAGER, branch=north),
        "engineer": world["engineer_north"],
    }


@pytest.fixture
def engineer2(world):
    return UserFactory(username="engineer2", role=Role.ENGINEER, branch=world["engineer"].branch)


@pytest.fixture
def put_on_duty(world):
    """A shift of the world's branch, planned by its manager."""

    def make(*, engineer=None, starts_at=MONDAY + timedelta(hours=8), hours=12, **extra):
        return shift_add(
            user=world["manager"],
            branch=world["engineer"].branch,
            engineer=engineer or world["engineer"],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            **extra,
        )

    return make
