"""A change request's sign-offs in headless Chromium, at desktop and phone sizes: the
customer signs a new request in the portal, the manager evaluates it on the ticket
page (a missing field is refused, what was typed is kept), the customer accepts."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Site
from tickets.models import State, Ticket
from tickets.services.creation import ticket_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_customer_signs_manager_evaluates_customer_accepts(page, live_server, demo, login, shoot):
    site = Site.objects.get(customer__name="东江水务集团有限公司", name="调度中心")
    change = ticket_create(
        created_by=User.objects.get(username="agent"),
        kind="change_request",
        priority="P3",
        summary="新增泵站能耗日报",
        channel="phone",
        customer=site.customer,
        site=site,
    )
    portal = f"{live_server.url}/portal/tickets/{change.number}/"
    login(page, "customer")
    page.goto(portal)
    card = page.get_by_test_id("change-request")
    expect(card.get_by_test_id("change-stage")).to_have_text("等待客户签字")
    card.locator("[data-action=change-approve]").click()
    expect(page.get_by_test_id("change-stage")).to_have_text("等待我方项目经理评估")

    login(page, "manager")
    page.goto(f"{live_server.url}/desk/tickets/{change.number}/")
    form = page.get_by_test_id("change-evaluate")
    form.locator("textarea[name=scope]").fill("短信网关接入水质超标告警")
    form.locator("input[name=effort]").fill("3 人日")
    form.locator("[data-action=evaluate]").click()
    # Refused: schedule and architecture missing; what was typed is still there.
    expect(page.get_by_test_id("change-evaluate").locator("textarea[name=scope]")).to_have_value(
        "短信网关接入水质超标告警"
    )
    form = page.get_by_test_id("change-evaluate")
    form.locator("input[name=schedule]").fill("本周五上线")
    form.locator("textarea[name=architecture]").fill("新增短信网关接口，不影响现有系统")
    form.locator("[data-action=evaluate]").click()
    expect(page.get_by_test_id("change-stage")).to_have_text("等待客户确认评估")
    shoot(page, "change-manager")

    login(page, "customer")
    page.goto(portal)
    expect(page.get_by_test_id("change-evaluation")).to_contain_text("3 人日")
    page.locator("[data-action=change-approve]").click()
    expect(page.get_by_test_id("change-stage")).to_have_text("已确认：可以开始实施")
    assert Ticket.objects.get(pk=change.pk).state == State.APPROVED
    shoot(page, "change-customer")
