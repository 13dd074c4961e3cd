from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contracts.models import CalendarDay, CalendarYear, ServiceTerms
from contracts.phases import AfterWarranty, Phase
from contracts.selectors import contracts_search, contracts_with_terms
from contracts.services import calendar_import_holidays, contract_apply_template
from tests.factories import (
    BusinessCalendarFactory,
    CalendarFactory,
    ContactFactory,
    ContractFactory,
    ContractTemplateFactory,
    CoveredItemFactory,
    ServiceTermsFactory,
    TemplateTermsFactory,
)

pytestmark = pytest.mark.django_db


def test_terms_are_looked_up_by_phase_and_priority():
    contract = ContractFactory()
    p1 = ServiceTermsFactory(
        contract=contract, phase=Phase.WARRANTY, priority="P1", onsite_minutes=120
    )
    p3 = ServiceTermsFactory(
        contract=contract, phase=Phase.WARRANTY, priority="P3", onsite_minutes=240
    )
    after = ServiceTermsFactory(
        contract=contract, phase=Phase.AFTER_WARRANTY, priority="P1", onsite_minutes=600
    )
    contract = contracts_with_terms().get(pk=contract.pk)
    assert contract.terms_for(Phase.WARRANTY, "P1") == p1
    assert contract.terms_for(Phase.WARRANTY, "P3") == p3
    assert contract.terms_for(Phase.AFTER_WARRANTY, "P1").onsite_minutes == 600
    assert after.onsite_minutes == 600
    assert contract.terms_for(Phase.WARRANTY, "P2") is None
    assert contract.terms_for(Phase.TRIAL, "P1") is None


def test_the_same_phase_and_priority_cannot_be_promised_twice():
    terms = ServiceTermsFactory()
    duplicate = ServiceTerms(**{**terms.term_values(), "contract": terms.contract})
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_contract_started_from_a_template_copies_its_promises():
    business = BusinessCalendarFactory()
    template = ContractTemplateFactory(warranty_months=24, after_warranty=AfterWarranty.NONE)
    TemplateTermsFactory(template=template, priority="P1", onsite_minutes=180)
    TemplateTermsFactory(
        template=template, priority="P3", onsite_minutes=180, resolution_calendar=business
    )
    contract = ContractFactory(warranty_months=36)
    contract_apply_template(contract=contract, template=template)

    contract.refresh_from_db()
    assert contract.warranty_months == 24
    assert contract.after_warranty == AfterWarranty.NONE
    assert contract.warranty_end == date(2025, 6, 15)
    p3 = contract.terms_for(Phase.WARRANTY, "P3")
    assert (p3.onsite_minutes, p3.resolution_calendar) == (180, business)
    # Editing the template later does not rewrite the contract's copy.
    template.terms.update(onsite_minutes=999)
    assert contract.terms_for(Phase.WARRANTY, "P1").onsite_minutes == 180


def test_chinese_holidays_and_make_up_workdays_are_imported_once():
    calendar = BusinessCalendarFactory()
    added = calendar_import_holidays(calendar=calendar, years=[2026])
    assert added[2026].added > 0
    assert added[2026].status == CalendarYear.Status.CONFIRMED
    national_day = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (CalendarDay.Kind.HOLIDAY, "国庆节")
    # Saturday 2026-10-10 is worked to make up for the National Day week.
    make_up = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 10))
    assert make_up.kind == CalendarDay.Kind.WORKDAY
    # A holiday on a weekend changes nothing, so it is not stored.
    assert not CalendarDay.objects.filter(calendar=calendar, date=date(2026, 10, 4)).exists()

    again = calendar_import_holidays(calendar=calendar, years=[2026])
    assert again[2026].added == 0
    schedule = calendar.schedule()
    assert date(2026, 10, 1) in schedule.holidays
    assert schedule.windows_on(date(2026, 10, 10)) == schedule.windows_on(date(2026, 10, 12))
    assert schedule.windows_on(date(2026, 10, 11)) == ()


def test_a_manager_edit_survives_a_later_import():
    calendar = BusinessCalendarFactory()
    CalendarDay.objects.create(
        calendar=calendar, date=date(2026, 10, 1), kind=CalendarDay.Kind.WORKDAY, name="on duty"
    )
    calendar_import_holidays(calendar=calendar, years=[2026])
    assert CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 1)).name == "on duty"


def test_seven_by_twenty_four_calendar_has_no_exceptions():
    schedule = CalendarFactory().schedule()
    assert schedule.always_on


def test_contracts_found_by_number_customer_phone_or_serial():
    contract = ContractFactory(number="DJ-2024-017", customer__name="东江水务集团有限公司")
    other = ContractFactory(number="QC-2021-042")
    ContactFactory(customer=contract.customer, phone="+86 139 0000 0041")
    item = CoveredItemFactory(customer=other.customer, serial_number="QC-HW-2231")
    other.covered_items.add(item)

    assert list(contracts_search(query="DJ-2024")) == [contract]
    assert list(contracts_search(query="东江水务")) == [contract]
    assert list(contracts_search(query="139-0000-0041")) == [contract]
    assert list(contracts_search(query="QC-HW-2231")) == [other]
    assert set(contracts_search(query="")) == {contract, other}


def test_contract_rules_give_field_errors():
    contract = ContractFactory.build(
        signed_on=date(2024, 1, 1),
        final_acceptance_on=date(2023, 12, 31),
        after_warranty=AfterWarranty.AGREEMENT,
        maintenance_ends_on=None,
    )
    with pytest.raises(ValidationError) as excinfo:
        contract.clean()
    assert set(excinfo.value.message_dict) == {"final_acceptance_on", "maintenance_ends_on"}
