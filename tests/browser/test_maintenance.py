"""Planned downtime in headless Chromium, at desktop and phone sizes: the agent plans a
window with the customer's gateway; the customer finds it on the portal's first page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maintenance.models import DowntimeWindow
from tickets.models import Notification

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_agent_plans_a_window_and_the_customer_sees_it_coming(
    page, live_server, demo, login, shoot
):
    login(page, "agent")
    page.goto(f"{live_server.url}/maintenance/")
    # The demo's window under way at the dispatch centre is listed.
    expect(page.get_by_test_id("windows")).to_contain_text("调度中心服务器操作系统安全补丁")
    page.get_by_text("计划一次停机维护").click()
    form = page.get_by_test_id("plan")
    form.locator("select[name=site]").select_option(label="东江水务集团有限公司 · 调度中心")
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=21, minute=0)
    form.locator("input[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=ends_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=reason]").fill("UPS 电池更换")
    page.get_by_role("button", name="计划并通知客户").click()
    # Ends when it starts: refused, everything typed kept.
    expect(page.locator('[data-field-error="ends_at"]')).to_be_visible()
    expect(page.get_by_test_id("plan").locator("input[name=reason]")).to_have_value("UPS 电池更换")
    end = start + timedelta(hours=2)
    page.get_by_test_id("plan").locator("input[name=ends_at]").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="计划并通知客户").click()
    expect(page.locator("body")).to_contain_text("已计划，并已通知客户人员")
    window = DowntimeWindow.objects.get(reason="UPS 电池更换")
    assert Notification.objects.filter(key=f"downtime:{window.pk}:v1:planned").exists()
    shoot(page, "maintenance-agent")

    login(page, "customer")
    expect(page.get_by_test_id("upcoming-downtime")).to_contain_text("UPS 电池更换")
    page.get_by_test_id("upcoming-downtime").get_by_role("link").filter(
        has_text=start.strftime("%Y-%m-%d %H:%M")
    ).click()
    expect(page.get_by_test_id("window")).to_contain_text("UPS 电池更换")
    expect(page.get_by_test_id("change")).to_have_count(0)
    shoot(page, "maintenance-customer")
