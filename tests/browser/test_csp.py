"""The admin and the API docs work under the Content-Security-Policy (no violation logged)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_and_api_docs_load_under_the_policy(
    page, live_server, demo, login, _no_csp_violations
):
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{live_server.url}/admin/tickets/ticket/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("form#ticket_form")).to_be_visible()

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Service desk API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert all(url.startswith((live_server.url, "data:")) for url in requests), requests
    assert _no_csp_violations == []


def test_the_login_page_and_password_reset_under_the_policy(
    page, live_server, transactional_db, _no_csp_violations
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("forgot-password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password_reset/$"))
    page.fill("#id_email", "nobody@example.com")
    page.get_by_role("button", name="发送链接").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    assert _no_csp_violations == []
