"""The duty roster in headless Chromium, at desktop and phone sizes: the manager opens the
week, sees a holiday ahead that nobody covers in the evening, puts an engineer on site
for it and sees the gap go; the hotline agent sees who is on duty in the console."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import DutyShift, User
from contracts.models import Calendar, CalendarDay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_covers_a_holiday_and_the_agent_sees_the_duty_engineer(
    page, live_server, demo, login, shoot, viewport
):
    # A holiday in four days: the demo's East China roster leaves its evening uncovered
    # (no night engineer planned that night).
    holiday = timezone.localdate() + timedelta(days=4)
    for calendar in Calendar.objects.filter(kind=Calendar.Kind.BUSINESS_HOURS):
        CalendarDay.objects.update_or_create(
            calendar=calendar,
            date=holiday,
            defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "演示假日"},
        )
    night = User.objects.get(username="engineer2")
    login(page, "manager")
    page.goto(f"{live_server.url}/duty/")
    gap = page.locator(f"[data-testid=duty-gaps] [data-gap='{holiday.isoformat()}']")
    expect(gap).to_be_visible()
    expect(page.get_by_test_id("today")).to_be_visible()
    _no_overflow(page)
    shoot(page, "duty-gap")

    form = page.get_by_test_id("add-shift")
    form.locator("summary").click()
    form.locator("select[name=engineer]").select_option(str(night.pk))
    form.locator("input[name=starts_at]").fill(f"{holiday.isoformat()}T20:00")
    # The end before the start: refused, everything typed kept.
    form.locator("input[name=ends_at]").fill(f"{holiday.isoformat()}T19:00")
    form.locator("select[name=mode]").select_option("on_site")
    form.locator("select[name=kind]").select_option("holiday")
    form.locator("select[name=site]").select_option(index=1)
    form.locator("input[name=note]").fill("节日晚间现场值班")
    form.locator("[data-action=add-shift]").click()
    expect(page.locator('[data-field-error="ends_at"]')).to_be_visible()
    form = page.get_by_test_id("add-shift")
    expect(form.locator("input[name=note]")).to_have_value("节日晚间现场值班")
    next_day = (holiday + timedelta(days=1)).isoformat()
    form.locator("input[name=ends_at]").fill(f"{next_day}T00:00")
    form.locator("[data-action=add-shift]").click()

    day = page.locator(f"[data-day='{holiday.isoformat()}']")
    expect(day.locator(f"[data-engineer='{night.username}'] [data-mode=on_site]")).to_be_visible()
    expect(page.locator(f"[data-gap='{holiday.isoformat()}']")).to_have_count(0)
    assert DutyShift.objects.filter(engineer=night, kind="holiday", mode="on_site").exists()
    _no_overflow(page)
    shoot(page, "duty-covered")

    login(page, "agent")
    page.goto(f"{live_server.url}/desk/call/?q=DJ-2024-017")
    on_duty = page.get_by_test_id("on-duty").first
    expect(on_duty.locator("[data-duty-engineer]").first).to_be_visible()
    _no_overflow(page)
    shoot(page, "duty-console")
