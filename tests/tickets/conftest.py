"""A small world for ticket tests: one customer with a warranty contract, staff of every tier."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts.models import CalendarDay, WorkingWindow
from contracts.phases import Phase
from tests.factories import (
    BranchFactory,
    BusinessCalendarFactory,
    CalendarFactory,
    ContactFactory,
    ContractFactory,
    CoveredItemFactory,
    ServiceTermsFactory,
    SiteFactory,
    UserFactory,
)


def shanghai(*args) -> datetime:
    """A Shanghai wall-clock time, as the UTC instant the database stores."""
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def branch():
    return BranchFactory(name="East", code="east")


@pytest.fixture
def staff(branch, installed_defaults):
    other_branch = BranchFactory(name="North", code="north")
    return {
        "agent": UserFactory(username="agent", role=Role.AGENT, branch=branch),
        "engineer": UserFactory(username="engineer", role=Role.ENGINEER, branch=branch),
        "engineer_north": UserFactory(
            username="engineer_north", role=Role.ENGINEER, branch=other_branch
        ),
        "manager": UserFactory(username="manager", role=Role.MANAGER, branch=branch),
        "leader": UserFactory(username="leader", role=Role.LEADER),
    }


@pytest.fixture
def business_calendar(db):
    calendar = BusinessCalendarFactory()
    # National Day 2026 and its make-up Saturday, as the State Council published them.
    for day in range(1, 8):
        if date(2026, 10, day).weekday() < 5:
            CalendarDay.objects.create(
                calendar=calendar, date=date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY
            )
    CalendarDay.objects.create(
        calendar=calendar, date=date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY
    )
    assert WorkingWindow.objects.filter(calendar=calendar).count() == 10
    return calendar


@pytest.fixture
def world(staff, branch, business_calendar):
    """Customer 东江水务 with a warranty contract.

    P1 and P2: 30 min / 4 h / 24 h on 7×24; P3 on site and resolution in business hours.
    """
    always = CalendarFactory()
    contract = ContractFactory(
        number="DJ-2024-017",
        customer__name="东江水务集团有限公司",
        signed_on=date(2024, 1, 10),
        final_acceptance_on=date(2025, 9, 25),
        warranty_months=36,
        branch=branch,
        service_manager=staff["manager"],
    )
    customer = contract.customer
    site = SiteFactory(customer=customer, name="调度中心", branch=branch)
    contract.sites.add(site)
    hardware = CoveredItemFactory(customer=customer, site=site, serial_number="DJ-HW-0107")
    contract.covered_items.add(hardware)
    software = CoveredItemFactory(
        customer=customer, site=site, kind="software", name="Platform", serial_number="DJ-SW-1"
    )
    contract.covered_items.add(software)
    for priority in ["P1", "P2"]:
        ServiceTermsFactory(
            contract=contract,
            phase=Phase.WARRANTY,
            priority=priority,
            response_minutes=30,
            onsite_minutes=240,
            resolution_minutes=1440,
            repair_days=7,
            response_calendar=always,
        )
    ServiceTermsFactory(
        contract=contract,
        phase=Phase.WARRANTY,
        priority="P3",
        response_minutes=30,
        onsite_minutes=240,
        resolution_minutes=1440,
        response_calendar=always,
        onsite_calendar=business_calendar,
        resolution_calendar=business_calendar,
        pause_on_customer=True,
    )
    contact = ContactFactory(customer=customer, name="孙丽", phone="+86 139 0000 0041")
    contact.user = UserFactory(username="customer", role=Role.CUSTOMER)
    contact.save()
    other = ContractFactory(number="QC-2021-042", customer__name="青川市文化和旅游局")
    other_contact = ContactFactory(customer=other.customer)
    other_contact.user = UserFactory(username="customer2", role=Role.CUSTOMER)
    other_contact.save()
    return {
        **staff,
        "contract": contract,
        "customer": customer,
        "site": site,
        "hardware": hardware,
        "software": software,
        "contact": contact,
        "customer_user": contact.user,
        "other_contract": other,
        "other_customer_user": other_contact.user,
        "always": always,
        "business": business_calendar,
    }


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def at_shanghai():
    return shanghai


def change_signed_off(ticket, world) -> None:
    """Take a change request through its three sign-offs: the customer signs, the manager
    evaluates, the customer accepts; the request is then approved."""
    from tickets.change_requests import change_accept, change_evaluate, change_sign

    change_sign(ticket=ticket, user=world["customer_user"], approve=True)
    change_evaluate(
        ticket=ticket,
        user=world["manager"],
        scope="新增报表页面",
        effort="3 人日",
        schedule="下周内完成",
        architecture="无影响",
    )
    change_accept(ticket=ticket, user=world["customer_user"], accept=True)
