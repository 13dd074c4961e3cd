"""The spares journey in headless Chromium, at desktop and phone sizes: an engineer on site
takes a part, uses it and installs a substitute device from the ticket page; the branch
manager sees the stock run low and puts parts back on the shelf."""

import pytest
from playwright.sync_api import expect

from spares.demo import OPEN_SUMMARY
from spares.models import PartUse, StockItem, Substitute
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_engineer_takes_a_part_and_installs_a_substitute_then_the_manager_restocks(
    page, live_server, demo, login, shoot
):
    ticket = Ticket.objects.get(summary=OPEN_SUMMARY)
    psu = StockItem.objects.get(name="网关电源模块", branch__code="east")
    login(page, "engineer")
    page.get_by_test_id("my-ticket").filter(has_text=ticket.number).click()
    panel = page.get_by_test_id("spares")
    expect(panel).to_have_attribute("open", "")
    # The demo's engineer already took a main board; now a power supply.
    take = page.get_by_test_id("take-part")
    take.locator("select").select_option(str(psu.pk))
    take.locator("input[name=quantity]").fill("9")
    page.get_by_role("button", name="从库存领用").click()
    # Refused: the quantity kept, the error beside it, nothing taken.
    expect(page.locator('[data-field-error="quantity"]')).to_contain_text("库存仅剩 2 件")
    expect(page.get_by_test_id("take-part").locator("input[name=quantity]")).to_have_value("9")
    page.get_by_test_id("take-part").locator("input[name=quantity]").fill("1")
    page.get_by_role("button", name="从库存领用").click()
    expect(page.locator("body")).to_contain_text("已领用：1 × 网关电源模块 (GW-200)")
    use = PartUse.objects.get(ticket=ticket, stock_item=psu)
    row = page.locator(f'[data-part="{use.pk}"]')
    row.locator("input[name$=used]").fill("1")
    row.get_by_role("button", name="登记使用／退回其余").click()
    expect(page.locator(f'[data-part="{use.pk}"]')).to_contain_text("已用 1 件")

    install = page.get_by_test_id("install-substitute")
    install.locator("input[name=device]").fill("备用数据采集网关")
    install.locator("input[name=serial_number]").fill("GW-SPARE-01")
    install.locator("input[name=location]").fill("二水厂中控室 2 号机柜")
    page.get_by_role("button", name="备用设备已安装").click()
    expect(page.locator("body")).to_contain_text("已安装备用设备")
    clocks = page.get_by_test_id("clocks")
    expect(clocks.locator(".clock").filter(has_text="备用设备")).to_contain_text("达标")
    shoot(page, "spares-engineer")
    assert Substitute.objects.get(ticket=ticket).location == "二水厂中控室 2 号机柜"
    # The gateway's own history: last week's fault, its part and substitute, today's.
    page.get_by_test_id("item-link").click()
    history = page.get_by_test_id("item-history")
    expect(history.locator('[data-kind="part"]')).to_have_count(2)
    expect(history.locator('[data-kind="ticket"]')).to_have_count(2)
    expect(history).to_contain_text("安装备用设备：备用数据采集网关")
    shoot(page, "item-history")
    assert ticket.clocks.get(kind="substitute").status == "met"

    login(page, "manager")
    page.goto(f"{live_server.url}/spares/?q=网关电源模块")
    expect(page.get_by_test_id("low-stock")).to_be_visible()
    page.get_by_text("备件入库").click()
    receive = page.get_by_test_id("receive")
    receive.locator("input[name=name]").fill("网关电源模块")
    receive.locator("input[name=model]").fill("GW-200")
    receive.locator("input[name=quantity]").fill("5")
    receive.locator("input[name=location]").fill("A-01-2")
    page.get_by_role("button", name="入库").click()
    expect(page.locator("body")).to_contain_text("已入库")
    expect(page.get_by_test_id("low-stock")).to_have_count(0)
    shoot(page, "spares-stock")
    assert StockItem.objects.get(pk=psu.pk).quantity == 6
