"""Writes on contracts, their terms and calendars."""

from datetime import date

from django.db import transaction

from contracts.models import (
    Calendar,
    CalendarDay,
    Contract,
    ContractTemplate,
    ServiceTerms,
    TemplateTerms,
)


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
    contract.full_clean(exclude=["sites", "covered_items"])
    contract.save()
    contract.terms.all().delete()
    ServiceTerms.objects.bulk_create(
        ServiceTerms(contract=contract, **terms.term_values()) for terms in template.terms.all()
    )
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


@transaction.atomic
def calendar_import_cn_holidays(*, calendar: Calendar, years: list[int]) -> dict[int, int]:
    """Copy mainland China's public holidays and make-up workdays into a calendar.

    Uses the chinese-calendar package, which follows the State Council's yearly
    notice. Only weekdays that are holidays and weekend days that are workdays
    depart from the weekly pattern, so only those are stored. Days a manager
    already edited are left alone. Returns how many days each year added; a
    year the package does not know yet adds none (the notice for the next year
    comes out in November), and a manager enters it by hand.
    """
    from chinese_calendar.constants import holidays, workdays

    existing = set(calendar.days.values_list("date", flat=True))
    added: dict[int, int] = {}
    new_days = []
    for year in years:
        count = 0
        for day, value in sorted(holidays.items()):
            if day.year == year and day.weekday() < 5 and day not in existing:
                new_days.append(
                    CalendarDay(
                        calendar=calendar,
                        date=day,
                        kind=CalendarDay.Kind.HOLIDAY,
                        name=_holiday_name(value),
                    )
                )
                count += 1
        for day, value in sorted(workdays.items()):
            if day.year == year and day.weekday() >= 5 and day not in existing:
                new_days.append(
                    CalendarDay(
                        calendar=calendar,
                        date=day,
                        kind=CalendarDay.Kind.WORKDAY,
                        name=_holiday_name(value),
                        follows_weekday=_weekday_made_up_for(day),
                    )
                )
                count += 1
        added[year] = count
    CalendarDay.objects.bulk_create(new_days)
    return added


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
