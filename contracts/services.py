"""Writes on contracts, their terms and calendars."""

import importlib.metadata
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.cache import reference_changed
from contracts.models import (
    Calendar,
    CalendarDay,
    CalendarYear,
    Contract,
    ContractTemplate,
    ServiceTerms,
    TemplateTerms,
)
from contracts.signals import calendar_changed

Status = CalendarYear.Status


@transaction.atomic
def contract_apply_template(*, contract: Contract, template: ContractTemplate) -> Contract:
    """Give the contract the template's promises, replacing whatever terms it had.

    The template's warranty length and after-warranty rule come along; the
    dates stay the contract's own. Tickets already open keep the terms they
    were logged under (they store a copy), so this never rewrites a clock.
    """
    contract.template = template
    contract.warranty_months = template.warranty_months
    contract.after_warranty = template.after_warranty
    contract.substitute_device_hours = template.substitute_device_hours
    contract.trial_small_fix_hours = template.trial_small_fix_hours
    contract.trial_large_fix_hours = template.trial_large_fix_hours
    contract.full_clean(exclude=["sites", "covered_items"])
    contract.save()
    contract.terms.all().delete()
    ServiceTerms.objects.bulk_create(
        ServiceTerms(contract=contract, **terms.term_values()) for terms in template.terms.all()
    )
    reference_changed()  # bulk_create sends no signals (contracts/cache.py)
    return contract


# chinese-calendar names holidays in English only.
_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(value: object) -> str:
    name = str(value)
    return _HOLIDAY_NAMES_ZH.get(name, name)


@dataclass(frozen=True)
class YearImport:
    """What importing one year did: days added, and what the calendar now knows of the year.

    `status` is None when no source knows the year: nothing was imported, and a
    manager has to enter the days by hand and confirm the year.
    """

    year: int
    added: int
    status: str | None
    source: str


def _chinese_calendar_years() -> set[int]:
    from chinese_calendar.constants import holidays

    return {day.year for day in holidays}


def _confirmed_days(year: int) -> list[tuple[date, str, str]]:
    """(date, kind, name) of a year the State Council's notice is known for (chinese-calendar)."""
    from chinese_calendar.constants import holidays, workdays

    days = [
        (day, CalendarDay.Kind.HOLIDAY, _holiday_name(value))
        for day, value in holidays.items()
        if day.year == year
    ]
    days += [
        (day, CalendarDay.Kind.WORKDAY, _holiday_name(value))
        for day, value in workdays.items()
        if day.year == year
    ]
    return days


def _statutory_days(year: int) -> list[tuple[date, str, str]]:
    """The statutory holidays of a year from the `holidays` package: no make-up workdays."""
    import holidays as holidays_package

    known = holidays_package.China(years=year, language="zh_CN")
    return [(day, CalendarDay.Kind.HOLIDAY, str(name)) for day, name in known.items()]


def _source_name(package: str) -> str:
    return f"{package} {importlib.metadata.version(package)}"


@transaction.atomic
def calendar_import_holidays(
    *, calendar: Calendar, years: list[int], now: datetime | None = None
) -> dict[int, YearImport]:
    """Copy mainland China's public holidays and make-up workdays into a calendar.

    A year the chinese-calendar package knows (it follows the State Council's
    yearly notice, published in November) is imported with its make-up
    workdays and marked confirmed. A year it does not know yet is imported
    from the `holidays` package, which has the statutory holidays but no
    make-up workdays, and is marked provisional until a manager enters those
    and confirms the year. A year neither knows imports nothing and says so
    (status None). Only weekdays that are holidays and weekend days that are
    workdays depart from the weekly pattern, so only those are stored. Days a
    manager already edited are left alone; a year already confirmed is left
    exactly as it is (a day a manager removed does not come back).
    The clocks on the calendar are recomputed after the commit.
    """
    now = now or timezone.now()
    existing = set(calendar.days.values_list("date", flat=True))
    known_years = {y.year: y for y in calendar.years.select_for_update()}
    results: dict[int, YearImport] = {}
    new_days: list[CalendarDay] = []
    changes: list[dict] = []
    for year in years:
        status, source, days = _published_days(year)
        if not days:
            results[year] = YearImport(year=year, added=0, status=None, source="")
            continue
        row = known_years.get(year)
        if row is not None and row.is_confirmed:
            # The year is settled: a day a manager removed must not come back.
            results[year] = YearImport(year=year, added=0, status=row.status, source=row.source)
            continue
        added = _days_departing_from_week(calendar, days, existing=existing)
        new_days += added
        changed = row is None or row.status != status
        row = _year_record(calendar, row, year=year, status=status, source=source, now=now)
        results[year] = YearImport(
            year=year, added=len(added), status=row.status, source=row.source
        )
        if added or changed:
            changes.append({"what": "imported", "year": year, "status": row.status})
    CalendarDay.objects.bulk_create(new_days)
    reference_changed()  # bulk_create sends no signals (contracts/cache.py)
    calendar_changed_notify(calendar=calendar, changes=changes)
    return results


def _published_days(year: int) -> tuple[str, str, list[tuple[date, str, str]]]:
    """The status a year's import earns, its source, and its (date, kind, name) days.

    chinese-calendar when it knows the year (confirmed), else the `holidays`
    package (provisional: statutory holidays only).
    """
    if year in _chinese_calendar_years():
        return Status.CONFIRMED, _source_name("chinese-calendar"), _confirmed_days(year)
    return Status.PROVISIONAL, _source_name("holidays"), _statutory_days(year)


def _days_departing_from_week(
    calendar: Calendar, days: list[tuple[date, str, str]], *, existing: set[date]
) -> list[CalendarDay]:
    """New rows for the days that depart from the weekly pattern and are not stored yet.

    Only weekdays that are holidays and weekend days that are workdays depart;
    a day already in the calendar (a manager may have edited it) is left alone.
    `existing` gains the days returned.
    """
    rows = []
    for day, kind, name in sorted(days):
        departs = day.weekday() < 5 if kind == CalendarDay.Kind.HOLIDAY else day.weekday() >= 5
        if not departs or day in existing:
            continue
        existing.add(day)
        rows.append(
            CalendarDay(
                calendar=calendar,
                date=day,
                kind=kind,
                name=name,
                follows_weekday=_weekday_made_up_for(day),
            )
        )
    return rows


def _year_record(
    calendar: Calendar,
    row: CalendarYear | None,
    *,
    year: int,
    status: str,
    source: str,
    now: datetime,
) -> CalendarYear:
    """Save what the calendar now knows of the year: its status and where it came from."""
    if row is None:
        row = CalendarYear(calendar=calendar, year=year, status=status, source=source)
    row.status, row.source = status, source
    if row.is_confirmed:
        row.confirmed_at = now
    row.save()
    return row


@transaction.atomic
def calendar_year_confirm(
    *, calendar: Calendar, year: int, user: User | None, now: datetime | None = None
) -> CalendarYear:
    """A manager confirms a year: its holidays and make-up workdays are now entered as published.

    Run after entering the make-up workdays (调休) of the State Council's
    notice by hand. Deadlines that read the year stop being provisional; the
    running clocks on the calendar are recomputed after the commit.
    """
    if calendar.is_always_on:
        raise ValidationError(_("A 7×24 calendar has no holidays to confirm."))
    if not 1949 <= year <= 2200:
        raise ValidationError({"year": _("Enter a year between 1949 and 2200.")})
    row, _created = CalendarYear.objects.select_for_update().get_or_create(
        calendar=calendar,
        year=year,
        defaults={"status": Status.PROVISIONAL, "source": "manual"},
    )
    if row.is_confirmed:
        return row
    row.status = Status.CONFIRMED
    row.confirmed_by = user
    row.confirmed_at = now or timezone.now()
    row.save()
    calendar_changed_notify(calendar=calendar, changes=[{"what": "confirmed", "year": year}])
    return row


def calendar_changed_notify(*, calendar: Calendar, changes: list[dict]) -> None:
    """Tell what depends on the calendar (the running SLA clocks) that it changed.

    `changes` says what changed, as data a reader's language can render:
    ``{"what": "holiday" | "workday" | "removed", "date": "2027-10-01"}``,
    ``{"what": "windows"}``, ``{"what": "imported" | "confirmed", "year": 2027}``.
    Receivers act after the commit (see tickets.calendar_years).
    """
    if changes:
        calendar_changed.send(sender=Calendar, calendar_id=calendar.pk, changes=changes)


def calendar_day_change(day: CalendarDay, *, deleted: bool = False) -> dict:
    """How a manager's edit of one day is described to the clocks' readers."""
    what = "removed" if deleted else day.kind
    return {"what": what, "date": day.date.isoformat()}


def _weekday_made_up_for(day: date) -> int:
    # A make-up Saturday or Sunday works a normal weekday; the windows of
    # Monday to Friday are the same in every calendar we ship, so Monday's do.
    return 0


@transaction.atomic
def template_terms_set(*, template: ContractTemplate, rows: list[dict]) -> ContractTemplate:
    """Replace a template's terms with the given rows (used by the demo and tests)."""
    template.terms.all().delete()
    TemplateTerms.objects.bulk_create(TemplateTerms(template=template, **row) for row in rows)
    return template
