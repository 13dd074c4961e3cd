"""The engineer's visit on a phone, in Chinese and English: one next step at a time, a fault
report that keeps what was typed when refused, and a double click that saves once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Contract
from tickets.models import Ticket, WorkLog
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch, ticket_transition
from tickets.work_services import ticket_accept

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {
        "accept": "接单",
        "depart": "我已出发",
        "check_in": "到场签到",
        "resolve": "解决",
        "cause": "故障关键点",
        "required": "此项为必填项。",
        "add": "添加到工作记录",
        "not_shared": "未共享位置",
    },
    "en": {
        "accept": "Accept the job",
        "depart": "On my way",
        "check_in": "Check in on site",
        "resolve": "Resolve",
        "cause": "Located cause",
        "required": "This field is required.",
        "add": "Add to work log",
        "not_shared": "Location not shared",
    },
}


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args):
    # Location denied, as a cautious engineer's phone would: check-in must still work.
    return {**browser_context_args, "permissions": []}


def _dispatched(summary: str) -> Ticket:
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


def _as_engineer(page, login, live_server, language, ticket):
    login(page, "engineer")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")


def _no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_visit_offers_one_step_at_a_time_and_saves_a_double_click_once(
    page, live_server, demo, login, shoot, language, viewport
):
    words = WORDS[language]
    ticket = _dispatched("网关离线 " + language)
    _as_engineer(page, login, live_server, language, ticket)
    steps = page.get_by_test_id("engineer-actions")

    def only(step):
        for other in ("accept", "depart", "check_in"):
            button = steps.get_by_role("button", name=words[other], exact=True)
            if other == step:
                expect(button).to_be_visible()
            else:
                expect(button).to_have_count(0)

    only("accept")
    _no_overflow(page)
    shoot(page, f"engineer-step-accept-{language}")
    steps.get_by_role("button", name=words["accept"]).click()
    only("depart")
    steps.get_by_role("button", name=words["depart"]).click()
    only("check_in")
    shoot(page, f"engineer-step-check-in-{language}")
    steps.get_by_role("button", name=words["check_in"]).click()
    expect(page.get_by_test_id("engineer-actions")).to_have_count(0)
    # Location was denied: the check-in went through and the page says so.
    expect(page.locator(".messages")).to_contain_text(words["not_shared"])
    expect(page.get_by_test_id("location-not-shared")).to_have_text(words["not_shared"])

    log = page.get_by_test_id("work-log")
    log.locator("textarea").fill("更换电源适配器 / replaced the adapter")
    log.get_by_role("button", name=words["add"]).dblclick()
    page.wait_for_load_state()
    expect(page.get_by_test_id("timeline")).to_contain_text("replaced the adapter")
    _no_overflow(page)
    shoot(page, f"engineer-work-log-{language}")
    assert WorkLog.objects.filter(ticket=ticket).count() == 1


def test_a_refused_fault_report_keeps_what_was_typed(
    page, live_server, demo, login, shoot, language, viewport
):
    words = WORDS[language]
    ticket = _dispatched("报表离线 " + language)
    engineer = User.objects.get(username="engineer")
    ticket_accept(ticket=ticket, user=engineer)
    for name in ("depart", "check_in"):
        ticket_transition(ticket_id=ticket.pk, name=name, user=engineer)
    _as_engineer(page, login, live_server, language, ticket)
    form = page.get_by_test_id("resolve")
    # Required fields are marked before anything is sent.
    expect(form.locator("label[for=id_cause] .required-mark")).to_be_visible()
    expect(form.locator("#id_cause")).to_have_attribute("required", "")
    typed = {
        "#id_symptoms": "网关指示灯熄灭",
        "#id_analysis": "电源适配器输出为零",
        "#id_solution": "更换电源适配器，恢复采集",
        "#id_prevention": "备用适配器放在站内",
    }
    for selector, text in typed.items():
        form.locator(selector).fill(text)
    form.get_by_role("button", name=words["resolve"], exact=True).click()

    form = page.get_by_test_id("resolve")
    for selector, text in typed.items():
        expect(form.locator(selector)).to_have_value(text)
    cause = form.locator(".field.has-error")
    expect(cause.locator("label")).to_contain_text(re.compile(words["cause"], re.I))
    expect(cause.locator("[data-field-error=cause]")).to_have_text(words["required"])
    body = page.locator("body").inner_text()
    assert not re.search(r"\b(symptoms|cause|solution|photo|text):", body)
    _no_overflow(page)
    cause.scroll_into_view_if_needed()
    shoot(page, f"engineer-report-error-{language}")
    ticket.refresh_from_db()
    assert ticket.state == "on_site"
