"""The trial-phase answer in headless Chromium, at desktop and phone sizes: the agent
completes the demo's half-written answer on the oilfield's fault (a fix date before the
report is refused, what was typed is kept), the response clock stops, the fix is recorded
as deployed; the oilfield's contact reads our answer and confirms the fix already deployed."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tickets.models import SlaClock, Ticket, TrialAnswer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _moment(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_agent_answers_deploys_and_the_customer_confirms(page, live_server, demo, login, shoot):
    waiting = Ticket.objects.get(summary="实时产量曲线偶发断点")
    login(page, "agent")
    page.goto(f"{live_server.url}/desk/tickets/{waiting.number}/")
    expect(page.get_by_test_id("trial-missing")).to_be_visible()
    form = page.get_by_test_id("trial-form")
    # The cause typed so far is there; a fix date before the report is refused.
    expect(form.locator("textarea[name=cause]")).to_have_value(waiting.trial_answer.cause)
    form.locator("input[name=fix_due_at]").fill(
        _moment(waiting.reported_at - timezone.timedelta(hours=1))
    )
    form.locator("input[name=size][value=small]").check()
    form.locator("[data-action=trial-answer]").click()
    form = page.get_by_test_id("trial-form")
    expect(form.locator("input[name=size][value=small]")).to_be_checked()
    expect(form).to_contain_text("报告")  # the refusal, beside the field
    form.locator("input[name=fix_due_at]").fill(
        _moment(waiting.reported_at + timezone.timedelta(hours=8))
    )
    form.locator("[data-action=trial-answer]").click()
    expect(page.get_by_test_id("trial-answer-clock")).to_have_text("达标")
    expect(page.get_by_test_id("trial-missing")).to_have_count(0)
    clock = waiting.clocks.get(kind="response")
    assert clock.status == SlaClock.Status.MET
    deployment = page.get_by_test_id("trial-deployment-form")
    deployment.locator("textarea[name=deployment]").fill("V7.1.4：采集服务重连时保留缓存数据点")
    deployment.locator("input[name=tested]").check()
    deployment.locator("[data-action=trial-deployed]").click()
    expect(page.get_by_test_id("trial-deployed")).to_contain_text("V7.1.4")
    assert TrialAnswer.objects.get(ticket=waiting).deployed_at is not None
    shoot(page, "trial-answer-agent")

    fixed = Ticket.objects.get(summary="单井日报导出超时")
    login(page, "customer3")
    page.goto(f"{live_server.url}/portal/tickets/{fixed.number}/")
    expect(page.get_by_test_id("trial-record")).to_contain_text("复合索引")
    expect(page.get_by_test_id("trial-deployed")).to_contain_text("V7.1.3")
    shoot(page, "trial-answer-customer")
    page.get_by_test_id("do-confirm").click()
    expect(page.get_by_test_id("state")).to_have_text("已关闭")
    fixed.refresh_from_db()
    assert fixed.confirmed_by_customer
