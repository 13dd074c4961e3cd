"""What the system wrote is read in the reader's language, and the customer cannot withdraw a
request in one tap: in both languages at desktop and phone sizes, with screenshots."""

import re

import pytest
from playwright.sync_api import expect

from tickets.models import State, Ticket, TicketEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TEXT = {
    "zh-CN": {
        "warning": "时限预警",
        "foreign": "deadline at risk",
        "covered": "在保",
        "reason": "我们自己重启后已经好了",
        "cancelled": "已取消",
    },
    "en-US": {
        "warning": "deadline at risk",
        "foreign": "时限预警",
        "covered": "covered",
        "reason": "It works again after our own restart",
        "cancelled": "cancelled",
    },
}
# The demo's newest P1: its response clock has passed its 50 % warning when the demo loads.
DEMO_AT_RISK = "调度大屏画面冻结，数据不刷新"


@pytest.fixture(params=["zh-CN", "en-US"])
def language(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, language):
    return {**browser_context_args, "locale": language}


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_escalation_texts_history_and_phase_read_in_the_readers_language(
    page, live_server, demo, login, shoot, language
):
    words = TEXT[language]
    # The warning reaches the engineers of the ticket's branch (nobody is dispatched yet).
    login(page, "engineer")
    page.goto(f"{live_server.url}/notifications/")
    body = page.locator("main")
    expect(body).to_contain_text(words["warning"])
    expect(body).not_to_contain_text(words["foreign"])
    _no_overflow(page)
    shoot(page, f"notifications-{language}")

    ticket = Ticket.objects.get(summary=DEMO_AT_RISK)
    login(page, "agent")
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    expect(page.locator("main")).to_contain_text(words["covered"])
    # The escalation in the history was stored once, as a message key: here in this language.
    expect(page.locator("main")).to_contain_text(words["warning"])
    expect(page.locator("main")).not_to_contain_text(words["foreign"])
    _no_overflow(page)
    shoot(page, f"ticket-history-{language}")


def test_the_customer_withdraws_a_request_only_with_a_reason(
    page, live_server, demo, login, shoot, language
):
    words = TEXT[language]
    login(page, "customer")
    page.goto(f"{live_server.url}/portal/new/")
    page.fill("#id_summary", "Kiosk screen flickers")
    page.get_by_test_id("request-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/"))
    ticket = Ticket.objects.filter(summary="Kiosk screen flickers").get()

    withdraw = page.get_by_test_id("do-cancel")
    # Nothing irreversible in one tap: the withdraw button is folded away under its own heading.
    expect(withdraw).to_be_hidden()
    page.get_by_test_id("withdraw").locator("summary").click()
    expect(withdraw).to_be_visible()
    withdraw.click()
    # The browser holds the form back until the reason is given; nothing changed.
    assert page.locator("#withdraw-note").evaluate("el => !el.validity.valid")
    assert Ticket.objects.get(pk=ticket.pk).state == State.NEW
    _no_overflow(page)
    shoot(page, f"portal-withdraw-asks-reason-{language}")

    page.fill("#withdraw-note", words["reason"])
    withdraw.click()
    expect(page.get_by_test_id("state")).to_have_text(re.compile(words["cancelled"], re.I))
    event = TicketEvent.objects.get(ticket=ticket, to_state=State.CANCELLED)
    assert event.note == words["reason"]
    expect(page.locator("main")).to_contain_text(words["reason"])
    shoot(page, f"portal-withdrawn-{language}")
