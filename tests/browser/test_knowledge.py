"""The knowledge base in headless Chromium, at desktop and phone sizes: the engineer opens
a ticket, sees the suggested article and follows its steps; the manager writes an article
from a resolved ticket in one click and publishes it; the customer finds the public one
in the portal by a Chinese search, and never a draft."""

import pytest
from playwright.sync_api import expect

from knowledge.models import Article
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

GATEWAY_ARTICLE = "数据采集网关离线（通讯中断）的排查与恢复"


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_engineer_follows_a_suggestion_manager_publishes_customer_finds_it(
    page, live_server, demo, login, shoot, viewport
):
    # The engineer's dispatched gateway fault: the article is suggested on its page.
    ticket = Ticket.objects.get(summary="二水厂数据采集网关离线")
    login(page, "engineer")
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    panel = page.get_by_test_id("knowledge")
    suggested = panel.get_by_test_id("suggested-articles")
    expect(suggested).to_be_visible()
    expect(suggested).to_contain_text(GATEWAY_ARTICLE)
    _no_overflow(page)
    suggested.get_by_role("link", name=GATEWAY_ARTICLE).click()
    expect(page.get_by_test_id("article-title")).to_have_text(GATEWAY_ARTICLE)
    expect(page.get_by_test_id("steps").locator("li")).to_have_count(5)
    expect(page.get_by_test_id("steps").locator("li").first).to_contain_text("电源指示灯")
    # An engineer writes drafts; publishing is the managers'.
    expect(page.locator("[data-action=publish]")).to_have_count(0)
    _no_overflow(page)
    shoot(page, "knowledge-engineer")

    # The manager writes an article from a resolved ticket in one click and publishes it.
    resolved = Ticket.objects.get(summary="如何导出上月产量报表")
    login(page, "manager")
    page.goto(f"{live_server.url}/desk/tickets/{resolved.number}/")
    panel = page.get_by_test_id("knowledge")
    panel.locator("summary").click()
    panel.locator("[data-action=article-from-ticket]").click()
    form = page.get_by_test_id("article-form")
    expect(form.locator("input[name=title]")).to_have_value("如何导出上月产量报表")
    expect(form.locator("textarea[name=steps]")).to_have_value("1. 增加索引并重建统计信息")
    expect(page.get_by_test_id("from-ticket")).to_have_text(resolved.number)
    _no_overflow(page)
    # Nothing as the symptom: refused, everything typed kept.
    form.locator("textarea[name=symptom]").fill("")
    form.locator("input[name=title]").fill("上月产量报表导出很慢")
    form.locator("[data-action=save-article]").click()
    expect(page.locator('[data-field-error="symptom"]')).to_be_visible()
    form = page.get_by_test_id("article-form")
    expect(form.locator("input[name=title]")).to_have_value("上月产量报表导出很慢")
    form.locator("textarea[name=symptom]").fill("导出上月产量报表时页面长时间无响应")
    form.locator("input[name=is_public]").check()
    form.locator("[data-action=save-article]").click()
    expect(page.get_by_test_id("article-title")).to_have_text("上月产量报表导出很慢")
    article = Article.objects.get(title="上月产量报表导出很慢")
    assert article.source_ticket == resolved and article.state == Article.State.DRAFT
    expect(page.get_by_test_id("source-ticket")).to_have_text(resolved.number)
    page.locator("[data-action=publish]").click()
    expect(page.locator("[data-action=withdraw]")).to_be_visible()
    article.refresh_from_db()
    assert article.is_published and article.is_public
    _no_overflow(page)
    shoot(page, "knowledge-manager")

    # The customer finds it from the portal's menu by a Chinese search; drafts never show.
    login(page, "customer")
    if viewport == "phone":
        page.get_by_test_id("menu-button").click()
    page.locator("nav a[href='/knowledge/']").click()
    filters = page.get_by_test_id("filters")
    if viewport == "phone":
        filters.locator("summary").click()
    filters.locator("input[name=q]").fill("产量报表")
    filters.locator("button[type=submit]").click()
    found = page.get_by_test_id("articles")
    expect(found).to_contain_text("上月产量报表导出很慢")
    expect(found).not_to_contain_text("渗压遥测终端数据中断")
    _no_overflow(page)
    found.get_by_role("link", name="上月产量报表导出很慢").click()
    expect(page.get_by_test_id("steps")).to_contain_text("增加索引并重建统计信息")
    expect(page.get_by_test_id("source-ticket")).to_have_count(0)
    _no_overflow(page)
    shoot(page, "knowledge-customer")
    draft = Article.objects.get(title="渗压遥测终端数据中断")
    assert page.goto(f"{live_server.url}/knowledge/{draft.pk}/").status == 404
