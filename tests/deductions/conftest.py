"""The tickets' small world with penalty terms on its contract."""

from decimal import Decimal

import pytest

from deductions.models import PenaltyPlan, PenaltyRule
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api


@pytest.fixture
def terms(world):
    """A contract worth 1,000,000 CNY: a late response costs 500, a late visit 1,000, a late
    resolution 0.1 % of the value (1,000); penalties capped at 3,000."""
    plan = PenaltyPlan.objects.create(
        contract=world["contract"],
        contract_value=Decimal("1000000"),
        cap=Decimal("3000"),
        applies_from=shanghai(2026, 1, 1),
    )
    PenaltyRule.objects.create(plan=plan, clock_kind="response", method="fixed", amount=500)
    PenaltyRule.objects.create(plan=plan, clock_kind="onsite", method="fixed", amount=1000)
    PenaltyRule.objects.create(
        plan=plan, clock_kind="resolution", method="share", share_percent=Decimal("0.1")
    )
    return {**world, "plan": plan}
