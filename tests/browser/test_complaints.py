"""A complaint in headless Chromium, at desktop and phone sizes: the manager answers the
demo's open complaint on its ticket page (a missing answer is refused, what was typed is
kept), the customer reads the answer in the portal, the month's report counts it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tickets.models import ComplaintAnswer, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_manager_answers_and_the_customer_reads_it(page, live_server, demo, login, shoot):
    complaint = Ticket.objects.get(summary="热线电话早上八点无人接听")
    login(page, "manager")
    page.goto(f"{live_server.url}/desk/tickets/{complaint.number}/")
    form = page.get_by_test_id("complaint-form")
    form.locator("textarea[name=finding]").fill("早班坐席八点交接时热线无人接听约十分钟")
    form.locator("input[name=justified][value=yes]").check()
    form.locator("[data-action=answer-complaint]").click()
    # No answer typed: refused, the finding kept.
    expect(page.get_by_test_id("complaint-form").locator("textarea[name=finding]")).to_have_value(
        "早班坐席八点交接时热线无人接听约十分钟"
    )
    form = page.get_by_test_id("complaint-form")
    form.locator("textarea[name=answer]").fill(
        "您好，情况属实，交接班已改为提前十五分钟，确保热线有人接听。"
    )
    form.locator("[data-action=answer-complaint]").click()
    expect(page.get_by_test_id("answer-clock")).to_have_text("达标")
    assert ComplaintAnswer.objects.filter(ticket=complaint, justified=True).exists()
    shoot(page, "complaint-manager")
    month = timezone.localtime(complaint.reported_at).strftime("%Y-%m")
    page.goto(f"{live_server.url}/reports/complaints/?month={month}")
    expect(page.get_by_test_id("complaints")).to_contain_text(complaint.number)

    login(page, "customer")
    page.goto(f"{live_server.url}/portal/tickets/{complaint.number}/")
    expect(page.get_by_test_id("complaint-answer")).to_contain_text("交接班已改为提前十五分钟")
    expect(page.locator("body")).not_to_contain_text("早班坐席八点交接时")
    shoot(page, "complaint-customer")
