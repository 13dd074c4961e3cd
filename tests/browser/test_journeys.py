"""Each role's everyday journey, end to end in headless Chromium, at desktop and phone sizes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Contract
from tests.images import tiny_png
from tickets.models import CheckIn, SignOff, Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import (
    ticket_acknowledge,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
)
from tickets.work_services import remote_access_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _dispatched_ticket(summary: str) -> Ticket:
    agent = User.objects.get(username="agent")
    contract = Contract.objects.get(number="DJ-2024-017")
    ticket = ticket_create(
        created_by=agent,
        contract=contract,
        site=contract.sites.get(name="调度中心"),
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=20),
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=agent)
    ticket_dispatch(ticket_id=ticket.pk, user=agent, engineer=User.objects.get(username="engineer"))
    return ticket


def test_agent_logs_a_call_acknowledges_and_dispatches(page, live_server, demo, login, shoot):
    login(page, "agent")
    expect(page).to_have_url(re.compile(r"/desk/call/$"))
    # Phone in hand: type the caller's number the way they say it.
    page.get_by_label(re.compile("电话号码")).fill("139 0000 0041")
    expect(page.get_by_test_id("customer-card")).to_contain_text("东江水务集团有限公司")
    expect(page.get_by_test_id("customer-card")).to_contain_text("孙丽")
    expect(page.get_by_test_id("customer-card")).to_contain_text("质保期")
    page.keyboard.press("Enter")
    form = page.get_by_test_id("call-form")
    expect(form).to_contain_text("东江水务集团有限公司")
    site = Contract.objects.get(number="DJ-2024-017").sites.get(name="调度中心")
    page.select_option("#id_site", str(site.pk))
    page.select_option("#id_priority", "P1")
    page.fill("#id_summary", "调度中心大屏全部黑屏")
    page.fill("#id_description", "来电人称 10 分钟前开始")
    page.get_by_role("button", name="创建工单").click()
    expect(page.get_by_test_id("state")).to_have_text("已受理")
    ticket = Ticket.objects.get(summary="调度中心大屏全部黑屏")
    assert ticket.clocks.get(kind="response").status == "met"
    assert ticket.contact.name == "孙丽"

    engineer = User.objects.get(username="engineer")
    page.select_option("#engineer", str(engineer.pk))
    page.get_by_role("button", name="派工", exact=True).click()
    expect(page.get_by_test_id("state")).to_have_text("已派工")
    expect(page.get_by_test_id("timeline")).to_contain_text("已受理 → 已派工")
    shoot(page, "agent-journey")
    ticket.refresh_from_db()
    assert ticket.assigned_engineer == engineer

    page.goto(f"{live_server.url}/desk/")
    row = page.locator(f"tr[data-number='{ticket.number}']")
    expect(row).to_be_visible()
    shoot(page, "agent-queue")


def test_engineer_checks_in_reports_and_resolves_with_a_signature(
    page, live_server, demo, login, shoot, tmp_path
):
    ticket = _dispatched_ticket("数据采集网关离线")
    login(page, "engineer")
    expect(page).to_have_url(re.compile(r"/m/$"))
    page.get_by_test_id("my-ticket").filter(has_text=ticket.number).click()
    page.get_by_role("button", name="接单").click()
    page.get_by_role("button", name="我已出发").click()
    expect(page.get_by_test_id("state")).to_have_text("在途")
    photo = tmp_path / "arrival.png"
    tiny_png(photo)
    page.set_input_files("#checkin-photo", str(photo))
    # Wait for the browser's position to reach the form before checking in.
    expect(page.locator("[data-location-note]")).to_contain_text("31.23")
    page.get_by_role("button", name="到场签到").click()
    expect(page.get_by_test_id("state")).to_have_text("到场")
    check_in = CheckIn.objects.get(ticket=ticket)
    assert float(check_in.latitude) == pytest.approx(31.2304)
    assert check_in.photo
    assert ticket.clocks.get(kind="onsite").status == "met"

    page.fill("#signer", "孙丽")
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 18, box["y"] + 60 + (step % 3) * 25)
    page.mouse.up()
    page.get_by_role("button", name="保存签名").click()
    expect(page.locator("body")).to_contain_text("签名已保存")
    assert SignOff.objects.get(ticket=ticket).image

    page.fill("#id_symptoms", "网关指示灯熄灭，平台收不到数据")
    page.fill("#id_analysis", "电源适配器输出为零")
    page.fill("#id_cause", "电源适配器损坏")
    page.fill("#id_solution", "更换电源适配器，恢复采集")
    page.fill("#id_prevention", "备用适配器放在站内")
    page.get_by_role("button", name="解决", exact=True).click()
    expect(page.get_by_test_id("state")).to_have_text("已解决")
    shoot(page, "engineer-journey")
    ticket.refresh_from_db()
    assert ticket.fault_report.cause == "电源适配器损坏"
    assert ticket.clocks.get(kind="resolution").status == "met"


def _resolved_ticket(summary: str) -> Ticket:
    ticket = _dispatched_ticket(summary)
    engineer = User.objects.get(username="engineer")
    for name in ("depart", "check_in"):
        ticket_transition(ticket_id=ticket.pk, name=name, user=engineer)
    remote_access_request(
        ticket=ticket, user=engineer, reason="Check the historian logs remotely", minutes=60
    )
    ticket_resolve(
        ticket_id=ticket.pk,
        user=engineer,
        report={"symptoms": "No data", "cause": "Full disk", "solution": "Rotated logs"},
    )
    return ticket


def test_customer_submits_confirms_rates_and_authorises(
    page, live_server, demo, login, shoot, tmp_path
):
    ticket = _resolved_ticket("报表页面打不开")
    login(page, "customer")
    expect(page).to_have_url(re.compile(r"/portal/$"))

    # A new request with a screenshot attached.
    page.get_by_test_id("new-request").click()
    page.select_option("select[name=site]", label="调度中心")
    page.fill("input[name=summary]", "历史曲线显示空白")
    page.fill("textarea[name=description]", "今天上午开始，所有曲线空白")
    shot = tmp_path / "screen.png"
    tiny_png(shot)
    page.set_input_files("input[type=file]", str(shot))
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page.get_by_test_id("state")).to_be_visible()
    created = Ticket.objects.get(summary="历史曲线显示空白")
    assert created.channel == "portal" and created.attachments.count() == 1
    assert created.clocks.exists()

    # The engineer asked for remote access: approve it for the proposed window.
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/")
    page.get_by_role("button", name=re.compile("批准")).first.click()
    remote = ticket.remote_requests.get()
    assert remote.status == "approved" and remote.window_end > remote.window_start

    page.get_by_test_id("do-confirm").click()
    expect(page.get_by_test_id("state")).to_have_text("已关闭")
    # Rating comes first; reopening is offered below it, folded.
    rating_form, reopen = page.get_by_test_id("rating-form"), page.get_by_test_id("reopen")
    assert rating_form.bounding_box()["y"] < reopen.bounding_box()["y"]
    expect(page.locator("#reopen-note")).to_be_hidden()
    page.locator("input[name=score][value='5']").check()
    page.fill("textarea[name=comment]", "工程师响应很快")
    page.get_by_role("button", name=re.compile("评价")).click()
    expect(page.get_by_test_id("rating")).to_be_visible()
    shoot(page, "customer-journey")
    ticket.refresh_from_db()
    assert ticket.confirmed_by_customer and ticket.rating.score == 5


def _met(page, kind: str) -> int:
    text = page.get_by_test_id(f"compliance-{kind}").inner_text()
    return int(re.search(r"(\d+)\s*(?:个)?\s*(?:达标|met)", text).group(1))


def test_manager_sees_the_ticket_counted_and_acknowledges_an_escalation(
    page, live_server, demo, login, shoot
):
    login(page, "manager")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    # The last seven days hold the ticket reported 20 minutes ago even just after midnight
    # on the first of a month, when "this month" (the default) would not.
    page.goto(f"{live_server.url}/dashboard/?period=last_7_days")
    before = _met(page, "onsite")
    _resolved_ticket("水厂网关重启后无数据")
    page.reload()
    assert _met(page, "onsite") == before + 1
    expect(page.locator(".chart svg").first).to_be_visible()
    shoot(page, "manager-dashboard")

    page.goto(f"{live_server.url}/dashboard/escalations/")
    button = page.locator("[data-testid^=acknowledge-]").first
    step_id = int(button.get_attribute("data-testid").split("-")[1])
    button.click()
    expect(page.locator(f"[data-testid=acknowledge-{step_id}]")).to_have_count(0)
    shoot(page, "manager-escalations")
    from tickets.models import EscalationStep

    step = EscalationStep.objects.get(pk=step_id)
    assert step.acknowledged_by.username == "manager"
