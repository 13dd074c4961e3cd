"""E-mail intake in headless Chromium, at desktop and phone sizes: mail reaches the demo's
hotline mailbox on the test IMAP server; the dispatcher's fault becomes a ticket by
itself, the agent logs a ticket from the unknown sender's question, and the customer's
reply by e-mail is on the ticket in the portal."""

import uuid

import pytest
from playwright.sync_api import expect

from mail_intake.models import Mailbox
from mail_intake.services import mailboxes_poll
from tests.mail_intake.conftest import IMAP_PASSWORD, IMAP_PORT, Inbox, mail
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_mail_becomes_tickets_and_replies(page, live_server, demo, login, shoot):
    inbox = Inbox(f"hotline-{uuid.uuid4().hex[:8]}@example.test")
    Mailbox.objects.filter(address="hotline@servicedesk.example").update(
        port=IMAP_PORT, username=inbox.user, password=IMAP_PASSWORD, active=True
    )
    inbox.deliver(
        mail(
            sender="马超 <machao@djsw.example>",
            subject="二号水厂加药系统通讯中断",
            body="请派人检查。",
        )
    )
    inbox.deliver(
        mail(
            sender="张伟 <zhangwei@beichen-oil.example>",
            subject="咨询：机房巡检报告",
            body="请问上季度的巡检报告在哪里下载？",
            files=[("截图.png", "image/png", b"\x89PNG....")],
        )
    )
    mailboxes_poll()
    by_mail = Ticket.objects.get(summary="二号水厂加药系统通讯中断")
    assert by_mail.channel == "email"

    login(page, "agent")
    # The menu says one mail waits (behind the menu button on a phone).
    expect(page.get_by_test_id("mail-waiting")).to_have_text("1")
    page.goto(f"{live_server.url}/mail/")
    expect(page.get_by_test_id("mail-waiting-list")).to_contain_text("发件人不是任何客户的联系人")
    expect(page.get_by_test_id("mail-recent")).to_contain_text(by_mail.number)
    page.get_by_test_id("mail-waiting-list").get_by_role("link", name="咨询：机房巡检报告").click()
    expect(page.get_by_test_id("mail")).to_contain_text("截图.png")
    form = page.get_by_test_id("make-ticket")
    # The oil field's other contact writes from the same domain: its customer is suggested.
    expect(form).to_contain_text("北辰油田信息中心 的其他联系人也使用此域名的邮箱")
    form.locator("select[name=priority]").select_option("P2")
    shoot(page, "mail-triage")
    page.get_by_role("button", name="登记工单").click()
    expect(page.locator("body")).to_contain_text("已根据邮件登记工单")
    ticket = Ticket.objects.get(summary="咨询：机房巡检报告")
    assert ticket.customer.name == "北辰油田信息中心" and ticket.priority == "P2"
    expect(page.locator("body")).to_contain_text("截图.png")
    page.goto(f"{live_server.url}/mail/")
    expect(page.get_by_test_id("mail-waiting-list")).to_contain_text("没有待处理的邮件")

    # The customer answers the ticket's e-mail; the reply is on the ticket in the portal.
    inbox.deliver(
        mail(
            sender="customer@example.com",
            subject=f"回复：[#{by_mail.number}] 已受理",
            body="泵站已恢复通讯，谢谢。\n\n在 2026年12月1日，服务台 写道：\n> 已受理",
        )
    )
    mailboxes_poll()
    login(page, "customer")
    page.goto(f"{live_server.url}/portal/tickets/{by_mail.number}/")
    expect(page.locator("body")).to_contain_text("泵站已恢复通讯，谢谢。")
    expect(page.locator("body")).not_to_contain_text("> 已受理")
    shoot(page, "mail-reply-portal")
