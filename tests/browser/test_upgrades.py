"""An upgrade and a software notice in headless Chromium, at desktop and phone sizes: the
engineer checks off the seven steps, rolls back once with the reason, retries and
finishes; the customer opens the bug notice, which records the receipt."""

import pytest
from playwright.sync_api import expect

from maintenance.models import NoticeReceipt, SoftwareNotice, Upgrade
from maintenance.upgrades import current_version

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _check_off(page, label: str) -> None:
    page.get_by_test_id("next-step").locator("textarea").fill(f"{label}: 正常")
    page.get_by_role("button", name=f"完成: {label}").click()
    expect(page.locator("body")).to_contain_text("已完成此步骤")


def test_engineer_upgrades_the_gateway_and_the_customer_reads_the_notice(
    page, live_server, demo, login, shoot
):
    upgrade = Upgrade.objects.get(to_version="2.4.1")
    login(page, "engineer")
    page.goto(f"{live_server.url}/maintenance/upgrades/{upgrade.pk}/")
    for label in ("备份原有应用系统", "停止原有应用系统", "安装配置新的应用系统"):
        _check_off(page, label)
    page.get_by_text("出现异常：恢复原有系统").click()
    page.get_by_role("button", name="回退").click()
    expect(page.locator('[data-field-error="reason"]')).to_be_visible()
    page.get_by_test_id("roll-back").locator("textarea").fill("新固件下 Modbus 通讯中断")
    page.get_by_role("button", name="回退").click()
    expect(page.get_by_test_id("upgrade-state")).to_contain_text("已回退")
    page.get_by_role("button", name="从备份开始重新升级").click()
    for label in (
        "备份原有应用系统",
        "停止原有应用系统",
        "安装配置新的应用系统",
        "启动新的应用系统",
        "观察新的应用系统的运行情况",
    ):
        _check_off(page, label)
    expect(page.get_by_test_id("upgrade-state")).to_contain_text("完成")
    expect(page.get_by_test_id("upgrade-steps")).to_contain_text("新固件下 Modbus 通讯中断")
    shoot(page, "upgrade-engineer")
    assert current_version(upgrade.item) == "2.4.1"

    notice = SoftwareNotice.objects.get()
    login(page, "customer")
    page.goto(f"{live_server.url}/maintenance/notices/")
    page.get_by_role("link", name=notice.title).click()
    expect(page.get_by_test_id("notice")).to_contain_text("按月分段导出")
    shoot(page, "notice-customer")
    assert NoticeReceipt.objects.filter(notice=notice, user__username="customer").exists()
