from datetime import UTC, date, datetime

import pytest

from contracts.phases import AfterWarranty, Phase, add_months, phase_on, warranty_end
from tests.factories import ContractFactory


def _phase(day, **overrides):
    terms = {
        "signed_on": date(2023, 1, 10),
        "final_acceptance_on": date(2023, 6, 15),
        "warranty_months": 36,
        "after_warranty": AfterWarranty.LIFETIME,
        "maintenance_ends_on": None,
    }
    terms.update(overrides)
    return phase_on(day, **terms)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 9), Phase.NOT_STARTED),
        (date(2023, 1, 10), Phase.TRIAL),  # signing day
        (date(2023, 6, 15), Phase.TRIAL),  # acceptance day is still trial
        (date(2023, 6, 16), Phase.WARRANTY),  # the day after acceptance
        (date(2026, 6, 15), Phase.WARRANTY),  # last day of 36 months
        (date(2026, 6, 16), Phase.AFTER_WARRANTY),
        (date(2040, 1, 1), Phase.AFTER_WARRANTY),  # lifetime basic service
    ],
)
def test_phase_boundaries_with_lifetime_service(day, expected):
    assert _phase(day) == expected


def test_without_final_acceptance_the_system_stays_in_trial():
    assert _phase(date(2030, 1, 1), final_acceptance_on=None) == Phase.TRIAL


def test_maintenance_agreement_covers_up_to_its_last_day_then_expires():
    kwargs = {"after_warranty": AfterWarranty.AGREEMENT, "maintenance_ends_on": date(2027, 6, 30)}
    assert _phase(date(2026, 6, 16), **kwargs) == Phase.AFTER_WARRANTY
    assert _phase(date(2027, 6, 30), **kwargs) == Phase.AFTER_WARRANTY
    assert _phase(date(2027, 7, 1), **kwargs) == Phase.EXPIRED


def test_no_after_warranty_service_expires_the_day_after_warranty():
    assert _phase(date(2026, 6, 15), after_warranty=AfterWarranty.NONE) == Phase.WARRANTY
    assert _phase(date(2026, 6, 16), after_warranty=AfterWarranty.NONE) == Phase.EXPIRED


@pytest.mark.parametrize(
    ("accepted", "months", "last_day"),
    [
        # Civil Code art. 203: no corresponding day -> last day of that month.
        (date(2024, 2, 29), 36, date(2027, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 2, 28), 12, date(2024, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 12, 31), 24, date(2027, 12, 31)),
    ],
)
def test_warranty_end_in_leap_years_and_short_months(accepted, months, last_day):
    assert warranty_end(accepted, months) == last_day
    day_after = date.fromordinal(last_day.toordinal() + 1)
    kwargs = {
        "final_acceptance_on": accepted,
        "warranty_months": months,
        "after_warranty": AfterWarranty.NONE,
        "signed_on": date(2020, 1, 1),
    }
    assert _phase(last_day, **kwargs) == Phase.WARRANTY
    assert _phase(day_after, **kwargs) == Phase.EXPIRED


def test_add_months_crosses_years_backwards_and_forwards():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 25), -26) == date(2024, 9, 25)


@pytest.mark.django_db
def test_phase_at_turns_at_midnight_shanghai_not_utc():
    contract = ContractFactory(final_acceptance_on=date(2023, 6, 15), warranty_months=36)
    # 2023-06-15 16:30 UTC is already 2023-06-16 00:30 in Shanghai: warranty.
    assert contract.phase_at(datetime(2023, 6, 15, 15, 59, tzinfo=UTC)) == Phase.TRIAL
    assert contract.phase_at(datetime(2023, 6, 15, 16, 0, tzinfo=UTC)) == Phase.WARRANTY
    assert contract.warranty_start == date(2023, 6, 16)
    assert contract.warranty_end == date(2026, 6, 15)
