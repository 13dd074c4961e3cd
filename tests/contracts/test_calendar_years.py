"""Holiday years: confirmed from chinese-calendar, provisional from `holidays`, or unknown."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contracts.models import CalendarDay, CalendarYear
from contracts.services import calendar_import_holidays, calendar_year_confirm
from tests.factories import BusinessCalendarFactory, CalendarFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = CalendarYear.Status


def test_a_published_year_is_imported_confirmed_with_its_make_up_workdays():
    calendar = BusinessCalendarFactory()
    result = calendar_import_holidays(calendar=calendar, years=[2026])[2026]
    assert result.status == Status.CONFIRMED
    assert result.source.startswith("chinese-calendar ")
    year = calendar.years.get(year=2026)
    assert year.is_confirmed and year.confirmed_at is not None
    assert CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 10)).kind == "workday"
    assert 2026 in calendar.schedule().confirmed_years


def test_next_year_without_the_notice_is_imported_provisional_from_the_statutory_days():
    calendar = BusinessCalendarFactory()
    result = calendar_import_holidays(calendar=calendar, years=[2027])[2027]
    assert result.status == Status.PROVISIONAL
    assert result.source.startswith("holidays ")
    assert result.added > 0
    days = {d.date: d for d in calendar.days.all()}
    assert days[date(2027, 1, 1)].kind == CalendarDay.Kind.HOLIDAY
    assert days[date(2027, 1, 1)].name == "元旦"
    assert days[date(2027, 10, 1)].name == "国庆节"
    # The statutory days only: no make-up workdays are known yet.
    assert not calendar.days.filter(kind=CalendarDay.Kind.WORKDAY).exists()
    assert calendar.years.get(year=2027).status == Status.PROVISIONAL
    assert 2027 not in calendar.schedule().confirmed_years


def test_a_year_no_source_knows_imports_nothing_and_says_so():
    calendar = BusinessCalendarFactory()
    result = calendar_import_holidays(calendar=calendar, years=[1949])[1949]
    assert (result.added, result.status) == (0, None)
    assert not calendar.years.exists()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("holiday_years", "import", calendar.code, "1949", stderr=err)
    assert "1949: no source knows this year; nothing imported" in err.getvalue()


def test_a_confirmed_year_stays_confirmed_and_keeps_the_managers_days():
    calendar = BusinessCalendarFactory()
    manager = UserFactory(username="manager")
    calendar_import_holidays(calendar=calendar, years=[2027])
    # The manager enters the bridging day and the make-up Saturday, then confirms.
    CalendarDay.objects.create(calendar=calendar, date=date(2027, 10, 6), kind="holiday")
    CalendarDay.objects.create(calendar=calendar, date=date(2027, 10, 9), kind="workday")
    CalendarDay.objects.filter(calendar=calendar, date=date(2027, 10, 5)).update(name="国庆")
    # The notice keeps 4 October a working day (hypothetically): the manager removes it.
    CalendarDay.objects.filter(calendar=calendar, date=date(2027, 10, 4)).delete()
    year = calendar_year_confirm(calendar=calendar, year=2027, user=manager)
    assert (year.status, year.confirmed_by) == (Status.CONFIRMED, manager)

    again = calendar_import_holidays(calendar=calendar, years=[2027])[2027]
    assert (again.added, again.status) == (0, Status.CONFIRMED)
    assert calendar.years.get(year=2027).confirmed_by == manager
    assert CalendarDay.objects.get(calendar=calendar, date=date(2027, 10, 5)).name == "国庆"
    assert calendar.days.filter(date=date(2027, 10, 9), kind="workday").exists()
    assert not calendar.days.filter(date=date(2027, 10, 4)).exists()


def test_the_command_lists_imports_and_confirms():
    calendar = BusinessCalendarFactory()
    UserFactory(username="manager")
    out = StringIO()
    call_command("holiday_years", "import", calendar.code, "2026", "2027", stdout=out)
    assert "2026: " in out.getvalue() and "confirmed (chinese-calendar" in out.getvalue()
    assert "2027: " in out.getvalue() and "provisional (holidays" in out.getvalue()
    out = StringIO()
    call_command("holiday_years", "confirm", calendar.code, "2027", "--user", "manager", stdout=out)
    assert calendar.years.get(year=2027).is_confirmed
    assert "2027: confirmed" in out.getvalue()


def test_a_seven_by_twenty_four_calendar_has_nothing_to_confirm():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        calendar_year_confirm(calendar=CalendarFactory(), year=2027, user=None)


def test_the_admin_shows_the_years_and_says_when_no_source_knows_one(client, installed_defaults):
    from accounts.roles import Role

    calendar = BusinessCalendarFactory()
    manager = UserFactory(username="manager", role=Role.MANAGER)
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    imported = client.post(
        "/admin/contracts/calendar/",
        {"action": "import_holidays", "_selected_action": [calendar.pk], "year": "2027"},
        follow=True,
    )
    page = imported.content.decode()
    assert "statutory holidays added; the year is provisional" in page
    assert "2027 Provisional" in page  # the calendar list shows each year's status
    unknown = client.post(
        "/admin/contracts/calendar/",
        {"action": "import_holidays", "_selected_action": [calendar.pk], "year": "1949"},
        follow=True,
    )
    assert "1949: no source knows this year&#x27;s holidays; nothing was imported" in (
        unknown.content.decode()
    )
    change = client.get(f"/admin/contracts/calendar/{calendar.pk}/change/")
    assert change.status_code == 200
    assert "holiday years" in change.content.decode().lower()
