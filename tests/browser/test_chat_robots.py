"""Chat-group robots in headless Chromium, at desktop and phone sizes: the administrator
adds the east branch's WeCom group in the admin; an escalation step is posted to it (a
local receiver answers as WeCom does); the manager sees on the escalations page that the
group was reached."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Site
from tests.chat.test_chat_robots import Receiver
from tickets.chat import chat_deliver
from tickets.escalation import sweep_due_steps
from tickets.models import ChatMessage, ChatRobot
from tickets.services.creation import ticket_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def test_admin_adds_a_group_and_the_manager_sees_it_reached(
    page, live_server, demo, login, shoot, receiver
):
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/tickets/chatrobot/add/")
    page.fill("#id_name", "华东服务中心 · 值班群")
    page.select_option("#id_kind", "wecom")
    page.fill("#id_webhook_url", f"{receiver.url}/cgi-bin/webhook/send?key=k")
    page.select_option("#id_branch", label="华东服务中心")
    page.check("input[name=tiers][value=implementation]")
    page.check("input[name=tiers][value=management]")
    page.click("input[name=_save]")
    robot = ChatRobot.objects.get(name="华东服务中心 · 值班群")
    assert robot.tiers == ["implementation", "management"] and robot.active

    # A P1 call at the water group's dispatch centre, unanswered for 25 minutes.
    site = Site.objects.get(customer__name="东江水务集团有限公司", name="调度中心")
    now = timezone.now()
    ticket = ticket_create(
        created_by=User.objects.get(username="agent"),
        kind="fault",
        priority="P1",
        summary="调度大屏全部黑屏",
        channel="phone",
        customer=site.customer,
        site=site,
        reported_at=now - timedelta(minutes=25),
    )
    assert ticket.branch == robot.branch
    sweep_due_steps(now=now)
    chat_deliver()
    posted = ChatMessage.objects.filter(robot=robot, sent_at__isnull=False)
    assert posted.exists() and receiver.posts

    login(page, "manager")
    page.goto(f"{live_server.url}/dashboard/escalations/")
    section = page.get_by_test_id("chat-robots")
    expect(section).to_contain_text("华东服务中心 · 值班群")
    expect(section).to_contain_text("最近发送")
    expect(section.get_by_test_id("robot-failing")).to_have_count(0)
    shoot(page, "chat-robots")
