"""Deadlines that read unconfirmed holiday years: flagged, recomputed when the calendar changes.

Every deadline here is computed by hand from the business calendar of the
test world: Monday to Friday 09:00–12:00 and 13:30–18:00, Asia/Shanghai.
"""

import os
import time
from io import StringIO

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from contracts.models import CalendarYear, ServiceTerms
from contracts.phases import Phase
from contracts.services import calendar_import_holidays, calendar_year_confirm
from servicedesk.celery import app
from tickets.calendar_years import clock_moved_text, holiday_years_remind
from tickets.clocks import clock_stop
from tickets.models import Notification, TicketEvent
from tickets.services.creation import ticket_create
from tickets.tasks import holiday_years_remind as remind_task

from .conftest import shanghai

CAVEAT_ZH = "2027 年节假日安排尚未确认"
CAVEAT_EN = "2027 holidays not confirmed yet"


@pytest.fixture
def eager_tasks():
    """Queued tasks run at once, in this process: the recompute itself is the real one."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def year_2026(world):
    """2026 imported from chinese-calendar (confirmed), as the demo and a deploy do."""
    result = calendar_import_holidays(calendar=world["business"], years=[2026])
    assert result[2026].status == CalendarYear.Status.CONFIRMED
    return world


def _report(world, *, priority: str, at):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority=priority,
        summary="Pump station offline",
        channel="phone",
        reported_at=at,
        now=at,
    )


def _clock_events(ticket, kind: str) -> list[TicketEvent]:
    return [e for e in ticket.events.filter(kind=TicketEvent.Kind.CLOCK) if e.data["clock"] == kind]


@pytest.mark.django_db
def test_p3_on_new_years_eve_moves_past_new_years_day_once_2027_is_imported(
    year_2026, eager_tasks, django_capture_on_commit_callbacks
):
    world = year_2026
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    onsite = ticket.clocks.get(kind="onsite")
    # Without 2027: 16:00–18:00 on Thursday 31 December, then 09:00–11:00 on
    # 1 January counted as a working day. Wrong, but at least flagged now.
    assert onsite.target_at == shanghai(2027, 1, 1, 11)
    assert (onsite.provisional, onsite.unconfirmed_years) == (True, [2027])

    with django_capture_on_commit_callbacks(execute=True):
        result = calendar_import_holidays(calendar=world["business"], years=[2027])
    assert result[2027].status == CalendarYear.Status.PROVISIONAL

    onsite.refresh_from_db()
    # 2 h on 31 December; New Year's Day (Friday) off, the weekend, then
    # 09:00–11:00 on Monday 4 January.
    assert onsite.target_at == shanghai(2027, 1, 4, 11)
    assert onsite.provisional
    # The next escalation step follows the new schedule: 50 % (2 h) was 18:00 on 31 December.
    assert onsite.next_step_at == shanghai(2026, 12, 31, 18)
    resolution = ticket.clocks.get(kind="resolution")
    # 24 h: 2 h on 31 Dec, 7.5 h on 4 and 5 Jan (17 h), 7 h on 6 Jan: 17:30.
    assert resolution.target_at == shanghai(2027, 1, 6, 17, 30)
    response = ticket.clocks.get(kind="response")
    assert (response.target_at, response.provisional) == (shanghai(2026, 12, 31, 16, 30), False)

    [event] = _clock_events(ticket, "onsite")
    assert event.data["from"] == shanghai(2027, 1, 1, 11).isoformat()
    assert event.data["to"] == shanghai(2027, 1, 4, 11).isoformat()
    with translation.override("en"):
        text = clock_moved_text(event.data)
    assert text.startswith("On site deadline moved from 2027-01-01 11:00 to 2027-01-04 11:00")
    assert "calendar “Business hours” changed: 2027 holidays imported." in text
    assert CAVEAT_EN in text
    with translation.override("zh-hans"):
        assert CAVEAT_ZH in clock_moved_text(event.data)


@pytest.mark.django_db
def test_p2_on_the_eve_of_national_day_2027_no_longer_counts_the_holiday(
    year_2026, eager_tasks, django_capture_on_commit_callbacks
):
    world = year_2026
    # A promise of 3 h on site in business hours for P2.
    ServiceTerms.objects.filter(
        contract=world["contract"], phase=Phase.WARRANTY, priority="P2"
    ).update(onsite_minutes=180, onsite_calendar=world["business"])
    ticket = _report(world, priority="P2", at=shanghai(2027, 9, 30, 17))
    onsite = ticket.clocks.get(kind="onsite")
    # Nothing known of 2027: 17:00–18:00 on Thursday 30 September, 2 h on 1 October.
    assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 10, 1, 11), True)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_holidays(calendar=world["business"], years=[2027])
    onsite.refresh_from_db()
    # 1–3 October statutory (Friday to Sunday), 4 and 5 October in lieu: the
    # second and third hours fall on Wednesday 6 October, 09:00–11:00.
    assert onsite.target_at == shanghai(2027, 10, 6, 11)
    assert onsite.unconfirmed_years == [2027]


@pytest.mark.django_db
def test_a_manager_adds_the_make_up_workday_and_confirms_2027_in_the_admin(
    client, year_2026, eager_tasks, django_capture_on_commit_callbacks, api
):
    world = year_2026
    business = world["business"]
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_holidays(calendar=business, years=[2027])
    with time_machine.travel(shanghai(2026, 12, 31, 16, 10), tick=False):
        client.force_login(world["manager"])
        # Before: the page and the API say the deadline may still move.
        page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
        assert f'data-testid="provisional">{CAVEAT_ZH}<' in page
        clocks = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()["clocks"]
        assert {c["kind"]: c["provisional"] for c in clocks} == {
            "response": False,
            "onsite": True,
            "resolution": True,
        }

        # The notice makes Saturday 2 January a working day (hypothetically).
        with django_capture_on_commit_callbacks(execute=True):
            added = client.post(
                "/admin/contracts/calendarday/add/",
                {
                    "calendar": business.pk,
                    "date": "2027-01-02",
                    "kind": "workday",
                    "name": "调休上班",
                    "follows_weekday": 4,
                },
            )
        assert added.status_code == 302, added.content.decode()[:2000]
        onsite = ticket.clocks.get(kind="onsite")
        # 2 h on 31 December, 09:00–11:00 on the make-up Saturday.
        assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 1, 2, 11), True)

        with django_capture_on_commit_callbacks(execute=True):
            confirmed = client.post(
                "/admin/contracts/calendar/",
                {"action": "confirm_year", "_selected_action": [business.pk], "year": "2027"},
            )
        assert confirmed.status_code == 302
        year = business.years.get(year=2027)
        assert (year.status, year.confirmed_by) == ("confirmed", world["manager"])
        onsite.refresh_from_db()
        assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 1, 2, 11), False)

        page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
        assert 'data-testid="provisional"' not in page
        clocks = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()["clocks"]
        assert not any(c["provisional"] for c in clocks)

    moves = _clock_events(ticket, "onsite")
    assert [(e.data["from"], e.data["to"]) for e in moves] == [
        (shanghai(2027, 1, 1, 11).isoformat(), shanghai(2027, 1, 4, 11).isoformat()),
        (shanghai(2027, 1, 4, 11).isoformat(), shanghai(2027, 1, 2, 11).isoformat()),
    ]
    assert moves[1].data["changes"] == [{"what": "workday", "date": "2027-01-02"}]
    with translation.override("en"):
        assert "2027-01-02 marked make-up workday" in clock_moved_text(moves[1].data)
    # The history on the ticket page tells it in the reader's language.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert "On site deadline moved from 2027-01-04 11:00 to 2027-01-02 11:00" in page


@pytest.mark.django_db
def test_the_portal_and_the_explanation_show_the_caveat(
    client, year_2026, eager_tasks, django_capture_on_commit_callbacks, api
):
    world = year_2026
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    with time_machine.travel(shanghai(2026, 12, 31, 16, 10), tick=False):
        client.force_login(world["customer_user"])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
        assert f'data-testid="provisional">{CAVEAT_EN}<' in page
        detail = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()
    onsite = next(c for c in detail["clocks"] if c["kind"] == "onsite")
    assert onsite["explanation"]["provisional"] is True
    assert onsite["explanation"]["unconfirmed_years"] == [2027]
    assert any("2027" in line and "尚未确认" in line for line in onsite["explanation"]["text"])


@pytest.mark.django_db
def test_a_stopped_clock_never_changes(year_2026, eager_tasks, django_capture_on_commit_callbacks):
    world = year_2026
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    onsite = ticket.clocks.get(kind="onsite")
    clock_stop(onsite, at=shanghai(2026, 12, 31, 17))
    before = (onsite.target_at, onsite.status, onsite.stopped_at)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_holidays(calendar=world["business"], years=[2027])
        calendar_year_confirm(calendar=world["business"], year=2027, user=world["manager"])
    onsite.refresh_from_db()
    assert (onsite.target_at, onsite.status, onsite.stopped_at) == before
    assert onsite.target_at == shanghai(2027, 1, 1, 11)
    assert not onsite.provisional
    assert _clock_events(ticket, "onsite") == []
    # The resolution clock still counts: it moved.
    assert _clock_events(ticket, "resolution")


@pytest.mark.django_db
def test_a_seven_by_twenty_four_clock_is_never_provisional(year_2026, api):
    world = year_2026
    # P1: every promise on 7×24; the resolution deadline is 23:00 on 1 January 2027.
    ticket = _report(world, priority="P1", at=shanghai(2026, 12, 31, 23))
    resolution = ticket.clocks.get(kind="resolution")
    assert resolution.target_at == shanghai(2027, 1, 1, 23)
    assert all(c.unconfirmed_years == [] for c in ticket.clocks.all())
    with time_machine.travel(shanghai(2026, 12, 31, 23, 5), tick=False):
        clocks = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()["clocks"]
    assert clocks and all(c["provisional"] is False for c in clocks)


@pytest.mark.django_db
def test_managers_are_told_once_from_1_november_until_next_year_is_confirmed(year_2026):
    world = year_2026
    assert holiday_years_remind(now=shanghai(2026, 10, 31, 23)) == 0
    assert holiday_years_remind(now=shanghai(2026, 11, 1, 8)) == 1
    assert holiday_years_remind(now=shanghai(2026, 11, 2, 8)) == 0
    out = StringIO()
    call_command("calendar_clocks", "remind", stdout=out)  # today is 30 November 2026
    assert "0 notifications created." in out.getvalue()
    [note] = Notification.objects.filter(key="holiday-year-2027")
    assert note.user == world["manager"]
    assert note.title == CAVEAT_ZH
    assert world["business"].name in note.body


@pytest.mark.django_db
def test_no_reminder_once_next_year_is_confirmed(year_2026):
    world = year_2026
    calendar_year_confirm(calendar=world["business"], year=2027, user=world["manager"])
    assert holiday_years_remind(now=shanghai(2026, 11, 1, 8)) == 0
    assert not Notification.objects.filter(key__startswith="holiday-year").exists()


def test_the_reminder_runs_from_beat():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == remind_task.name]
    assert len(entries) == 1


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
    reason="bin/test runs this against a real Redis",
)
@pytest.mark.django_db(transaction=True)
def test_confirming_a_year_recomputes_in_a_real_worker_over_redis(world):
    calendar_import_holidays(calendar=world["business"], years=[2026, 2027])
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    onsite = ticket.clocks.get(kind="onsite")
    assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 1, 4, 11), True)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            calendar_year_confirm(calendar=world["business"], year=2027, user=world["manager"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            onsite.refresh_from_db()
            if not onsite.provisional:
                break
            time.sleep(0.2)
    assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 1, 4, 11), False)


@pytest.mark.django_db
def test_the_demo_seeds_2026_confirmed_and_2027_provisional():
    from datetime import date

    from contracts.models import Calendar, Contract
    from servicedesk.demo import demo_load

    demo_load(today=date(2026, 11, 30))
    business = Calendar.objects.get(code="cn-business")
    assert {y.year: y.status for y in business.years.all()} == {
        2026: "confirmed",
        2027: "provisional",
    }
    # The P3 of the issue: the demo's warranty contract, reported 2026-12-31 16:00.
    contract = Contract.objects.get(number="DJ-2024-017")
    ticket = ticket_create(
        created_by=None,
        customer=contract.customer,
        contract=contract,
        site=contract.sites.first(),
        kind="fault",
        priority="P3",
        summary="Pump station offline",
        channel="phone",
        reported_at=shanghai(2026, 12, 31, 16),
        now=shanghai(2026, 12, 31, 16),
    )
    onsite = ticket.clocks.get(kind="onsite")
    assert (onsite.target_at, onsite.provisional) == (shanghai(2027, 1, 4, 11), True)


def _change_form_data(response) -> dict:
    """What the admin change page would post back unchanged: the form and its inlines."""

    def value(form, name):
        bound = form[name]
        data = bound.value()
        if data is None:
            return ""
        if hasattr(data, "strftime") and not hasattr(data, "year"):
            return data.strftime("%H:%M:%S")
        return data

    main = response.context["adminform"].form
    data = {name: value(main, name) for name in main.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.initial_forms:
            for name in form.fields:
                data[form.add_prefix(name)] = value(form, name)
    return data


@pytest.mark.django_db
def test_longer_working_hours_edited_inline_move_the_running_deadlines(
    client, year_2026, eager_tasks, django_capture_on_commit_callbacks
):
    world = year_2026
    business = world["business"]
    ticket = _report(world, priority="P3", at=shanghai(2026, 11, 30, 16))
    onsite = ticket.clocks.get(kind="onsite")
    # Monday 30 November: 16:00–18:00, then 09:00–11:00 on Tuesday.
    assert onsite.target_at == shanghai(2026, 12, 1, 11)
    with time_machine.travel(shanghai(2026, 11, 30, 16, 5), tick=False):
        client.force_login(world["manager"])
        url = f"/admin/contracts/calendar/{business.pk}/change/"
        data = _change_form_data(client.get(url))
        # Monday afternoons now run to 20:00.
        monday_pm = next(
            key[: -len("-ends_at")]
            for key, v in data.items()
            if key.startswith("windows-")
            and key.endswith("-ends_at")
            and v == "18:00:00"
            and data[key.replace("ends_at", "weekday")] == 0
        )
        data[f"{monday_pm}-ends_at"] = "20:00:00"
        with django_capture_on_commit_callbacks(execute=True):
            saved = client.post(url, data)
        assert saved.status_code == 302, saved.content.decode()[:3000]
    onsite.refresh_from_db()
    assert onsite.target_at == shanghai(2026, 11, 30, 20)
    [event] = _clock_events(ticket, "onsite")
    assert event.data["changes"] == [{"what": "windows"}]


@pytest.fixture
def broker_down():
    def reset_pool():
        app._pool = None
        app.amqp._producer_pool = None

    # Celery writes through broker_write_url, which it filled from the broker URL.
    original = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    reset_pool()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = original
        reset_pool()


@pytest.mark.django_db
def test_with_the_broker_down_the_recompute_runs_at_once(
    year_2026, broker_down, django_capture_on_commit_callbacks
):
    world = year_2026
    ticket = _report(world, priority="P3", at=shanghai(2026, 12, 31, 16))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_holidays(calendar=world["business"], years=[2027])
    assert ticket.clocks.get(kind="onsite").target_at == shanghai(2027, 1, 4, 11)
