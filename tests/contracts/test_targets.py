"""Compliance targets: one default, a contract's own figures where it sets them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.targets import DEFAULT_TARGET, ComplianceTarget, compliance_target
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_default_and_levels():
    assert compliance_target(None) == DEFAULT_TARGET == ComplianceTarget(95.0, 80.0)
    assert [DEFAULT_TARGET.level(p) for p in [None, 100, 95, 94.9, 80, 79.9]] == [
        "",
        "ok",
        "ok",
        "warn",
        "warn",
        "bad",
    ]


def test_a_contract_overrides_what_it_sets():
    assert compliance_target(ContractFactory()) == DEFAULT_TARGET
    both = ContractFactory(
        compliance_target_percent=Decimal("90"), compliance_warn_below_percent=Decimal("70")
    )
    assert compliance_target(both) == ComplianceTarget(90.0, 70.0)
    low = ContractFactory(compliance_target_percent=Decimal("75"))
    assert compliance_target(low) == ComplianceTarget(75.0, 75.0)
    assert compliance_target(low).level(76) == "ok"


def test_alarm_threshold_above_target_is_refused():
    contract = ContractFactory(
        compliance_target_percent=Decimal("80"), compliance_warn_below_percent=Decimal("90")
    )
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert "compliance_warn_below_percent" in error.value.message_dict
