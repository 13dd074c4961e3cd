"""The deduction ledger in headless Chromium, at desktop and phone sizes: a manager records
what the buyer paid a third party for a late repair; the customer reads their ledger."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deductions.models import Deduction
from tickets.models import Ticket
from tickets.models.clocks import ticket_breached_q

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_manager_records_a_third_party_repair_and_the_customer_reads_the_ledger(
    page, live_server, demo, login, shoot
):
    late = Ticket.objects.filter(
        ticket_breached_q(timezone.now()), contract__number="DJ-2024-017"
    ).first()
    assert late is not None, "the demo has a late ticket on the water group's contract"
    login(page, "manager")
    page.goto(f"{live_server.url}/deductions/")
    page.get_by_role("link", name="DJ-2024-017").click()
    before = Deduction.objects.filter(contract__number="DJ-2024-017").count()
    page.get_by_text("登记第三方维修").click()
    form = page.get_by_test_id("third-party")
    form.locator("input[name=ticket]").fill(late.number)
    form.locator("input[name=company]").fill("浦东新区弱电维修中心")
    form.locator("input[name=cost]").fill("-5")
    page.get_by_role("button", name="登记并扣款").click()
    expect(page.locator('[data-field-error="cost"]')).to_be_visible()
    expect(page.get_by_test_id("third-party").locator("input[name=company]")).to_have_value(
        "浦东新区弱电维修中心"
    )
    page.get_by_test_id("third-party").locator("input[name=cost]").fill("1500")
    page.get_by_test_id("third-party").locator("input[name=repaired_on]").fill(
        timezone.localdate().isoformat()
    )
    page.get_by_role("button", name="登记并扣款").click()
    expect(page.locator("body")).to_contain_text("已登记第三方维修并扣款")
    expect(page.get_by_test_id("ledger")).to_contain_text("浦东新区弱电维修中心")
    shoot(page, "deductions-manager")
    assert Deduction.objects.filter(contract__number="DJ-2024-017").count() == before + 1

    login(page, "customer")
    page.goto(f"{live_server.url}/deductions/")
    page.get_by_role("link", name="DJ-2024-017").click()
    expect(page.get_by_test_id("ledger")).to_contain_text("浦东新区弱电维修中心")
    expect(page.get_by_test_id("third-party")).to_have_count(0)
    shoot(page, "deductions-customer")
