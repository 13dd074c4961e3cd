"""Training in headless Chromium, at desktop and phone sizes: the manager plans a session
with a customer contact and a typed attendee, records who came and marks it held; the
customer finds it from the menu and reads the attendees, materials and sign-in sheet."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Contact, Contract
from training.models import TrainingSession

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TOPIC = "调度平台报表操作培训"


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_plans_records_attendance_and_the_customer_sees_it(
    page, live_server, demo, login, shoot, viewport
):
    contract = Contract.objects.get(number="DJ-2024-017")
    contact = Contact.objects.get(customer=contract.customer, name="孙丽")
    login(page, "manager")
    page.goto(f"{live_server.url}/training/")
    # The demo's held sessions are listed.
    expect(page.get_by_test_id("sessions")).to_contain_text("智慧调度平台软件操作培训")
    _no_overflow(page)
    plan = page.get_by_test_id("plan")
    plan.locator("summary").click()
    plan.locator("select[name=contract]").select_option(str(contract.pk))
    plan.locator("input[name=topic]").fill(TOPIC)
    plan.locator("select[name=kind]").select_option("operation")
    plan.locator("select[name=trainer]").select_option(label="陈杰")
    # Held this morning: it is recorded straight after.
    start = timezone.localtime(timezone.now() - timedelta(hours=3))
    plan.locator("input[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    plan.locator("input[name=duration_minutes]").fill("90")
    plan.locator(f"input[name=contacts][value='{contact.pk}']").check()
    plan.locator("textarea[name=others]").fill("调度员甲, 东江水务集团有限公司, 调度员")
    plan.locator("[data-action=plan]").click()
    # No place: refused, everything typed kept.
    expect(page.locator('[data-field-error="place"]')).to_be_visible()
    plan = page.get_by_test_id("plan")
    expect(plan.locator("input[name=topic]")).to_have_value(TOPIC)
    expect(plan.locator("textarea[name=others]")).to_have_value(
        "调度员甲, 东江水务集团有限公司, 调度员"
    )
    plan.locator("input[name=place]").fill("调度中心三楼会议室")
    plan.locator("[data-action=plan]").click()
    expect(page.get_by_test_id("session")).to_contain_text(TOPIC)
    session = TrainingSession.objects.get(topic=TOPIC)
    attendees = page.get_by_test_id("attendees")
    expect(attendees).to_contain_text("孙丽")
    expect(attendees).to_contain_text("调度员甲")
    _no_overflow(page)
    # Sun Li came, the dispatcher did not; held at once.
    sun = session.attendees.get(name="孙丽")
    attendees.locator(f"input[name=attended][value='{sun.pk}']").check()
    attendees.locator("[data-action=record-and-hold]").click()
    expect(page.locator("body")).to_contain_text(TOPIC)
    session.refresh_from_db()
    assert session.state == "held"
    assert dict(session.attendees.values_list("name", "attended")) == {
        "孙丽": True,
        "调度员甲": False,
    }
    shoot(page, "training-manager")

    login(page, "customer")
    if viewport == "phone":
        page.get_by_test_id("menu-button").click()
    page.locator("nav a[href='/training/']").click()
    row = page.locator(f"[data-session='{session.pk}']")
    expect(row).to_contain_text(TOPIC)
    _no_overflow(page)
    row.get_by_role("link").filter(has_text=TOPIC).click()
    expect(page.get_by_test_id("session")).to_contain_text(TOPIC)
    expect(page.get_by_test_id("attendees")).to_contain_text("孙丽")
    expect(page.get_by_test_id("attendance-form")).to_have_count(0)
    expect(page.get_by_test_id("plan")).to_have_count(0)
    expect(page.get_by_test_id("signin-pdf")).to_be_visible()
    _no_overflow(page)
    shoot(page, "training-customer")
    # Another organisation's contact gets nothing.
    login(page, "customer2")
    response = page.goto(f"{live_server.url}/training/{session.pk}/")
    assert response.status == 404
