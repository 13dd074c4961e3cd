"""Every role's pages on a 360 px phone and a desktop, in Chinese and English: a compact
header whose menu opens and navigates, and no page wider than the screen."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Contract
from tickets.models import Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LANGUAGES = ["zh-hans", "en"]
# Each role's landing page (where the screenshot is taken) comes first.
ROLES = ["manager", "agent", "engineer", "customer", "leader"]
MAX_HEADER_PX = 64


def _ticket() -> Ticket:
    agent = User.objects.get(username="agent")
    contract = Contract.objects.get(number="DJ-2024-017")
    ticket = ticket_create(
        created_by=agent,
        contract=contract,
        site=contract.sites.get(name="调度中心"),
        kind="fault",
        priority="P1",
        summary="调度中心工作站蓝屏，重启后反复出现",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=20),
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=agent)
    ticket_dispatch(ticket_id=ticket.pk, user=agent, engineer=User.objects.get(username="engineer"))
    return ticket


def _speak(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def _nav_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "header nav a", "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_is_wider_than_the_screen(
    page, live_server, demo, login, shoot, viewport, language
):
    ticket = _ticket()
    extra = {
        "manager": [f"/desk/tickets/{ticket.number}/", "/desk/call/"],
        "agent": [f"/desk/tickets/{ticket.number}/"],
        "engineer": [f"/desk/tickets/{ticket.number}/"],
        "customer": [f"/portal/tickets/{ticket.number}/"],
        "leader": [],
    }
    too_wide = []
    for role in ROLES:
        login(page, role)
        _speak(page, live_server, language)
        page.reload()
        landing = page.url
        header = page.locator("header.top").bounding_box()
        if viewport == "phone":
            assert header["height"] <= MAX_HEADER_PX, (role, header["height"])
        shoot(page, f"layout-{role}-{language}")
        for href in [landing, *_nav_links(page), *extra[role]]:
            if "/admin/" in href:
                continue  # Django's admin is not ours to lay out.
            page.goto(href if href.startswith("http") else f"{live_server.url}{href}")
            expect(page.locator("header.top")).to_be_visible()
            if (extra_px := _overflow(page)) > 0:
                too_wide.append((role, page.url, extra_px))
    assert too_wide == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_menu_opens_and_navigates(
    page, live_server, demo, login, shoot, viewport, language
):
    login(page, "manager")
    _speak(page, live_server, language)
    page.reload()
    reports = page.locator("header nav a[href='/reports/']")
    button = page.get_by_test_id("menu-button")
    if viewport == "phone":
        # Closed: one short bar, the links out of sight until the menu button is pressed.
        expect(reports).to_be_hidden()
        assert page.locator("header.top").bounding_box()["height"] <= MAX_HEADER_PX
        expect(button).to_be_visible()
        button.click()
        expect(reports).to_be_visible()
        shoot(page, f"menu-open-{language}")
        # The open menu lies over the page: the page below does not move or widen.
        assert _overflow(page) == 0
    else:
        expect(button).to_be_hidden()
        expect(reports).to_be_visible()
    reports.click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    heading = "报表" if language == "zh-hans" else "Reports"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if viewport == "phone":
        # A new page starts with the menu closed.
        expect(page.locator("header nav a[href='/dashboard/']")).to_be_hidden()


def test_the_dashboard_filters_fold_away_on_a_phone(
    page, live_server, demo, login, shoot, viewport
):
    login(page, "manager")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    period = page.locator("select[name=period]")
    if viewport == "phone":
        # The first figures are on the first screen, the filters one tap away.
        expect(period).to_be_hidden()
        assert page.get_by_test_id("compliance-all").bounding_box()["y"] < 740
        page.get_by_test_id("filters").locator("summary").click()
        expect(period).to_be_visible()
    else:
        expect(period).to_be_visible()
    period.select_option("last_month")
    page.get_by_test_id("filters").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"period=last_month"))
    # The folded button says what is shown.
    summary = page.get_by_test_id("filters").locator("summary")
    expect(summary).to_contain_text("上月")
    shoot(page, "dashboard-filters")
