"""Which phase of a contract is in force on a given day: pure date arithmetic.

Rules (seed 000, 1.5.2 and 1.6; seed 002, 4.5.1; seed 004, 7.1.1):
- before the signing date the contract is not yet in force;
- from signing up to and including the day the final acceptance (终验) is
  signed, the system is in trial operation (试运行);
- the warranty (质保期 / 缺陷责任期) starts the day after final acceptance
  (终验文件签署之次日) and lasts N months. Its last day follows the PRC Civil
  Code, art. 201 and 203: a period in months starts the next day and ends on the
  corresponding day of the last month, or that month's last day if it has no
  corresponding day. So acceptance on 2023-06-15 with 36 months ends on
  2026-06-15, and acceptance on 2024-02-29 with 36 months ends on 2027-02-28;
- after the warranty, either lifetime basic service (seed 000: 终身免费修复),
  a maintenance agreement (维保协议) up to and including its end date, or
  nothing: the contract has expired.
"""

import calendar
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    TRIAL = "trial", _("Trial operation")
    WARRANTY = "warranty", _("Warranty")
    AFTER_WARRANTY = "after_warranty", _("After warranty")
    EXPIRED = "expired", _("Expired")


# The phases that carry service terms.
SERVICE_PHASES = [Phase.TRIAL, Phase.WARRANTY, Phase.AFTER_WARRANTY]


class AfterWarranty(models.TextChoices):
    LIFETIME = "lifetime", _("Lifetime basic service")
    AGREEMENT = "agreement", _("Maintenance agreement until a date")
    NONE = "none", _("Nothing: the contract ends with the warranty")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def warranty_start(final_acceptance_on: date | None) -> date | None:
    return None if final_acceptance_on is None else final_acceptance_on + timedelta(days=1)


def warranty_end(final_acceptance_on: date | None, warranty_months: int) -> date | None:
    """The last day of warranty, inclusive."""
    if final_acceptance_on is None:
        return None
    return add_months(final_acceptance_on, warranty_months)


def phase_on(
    day: date,
    *,
    signed_on: date,
    final_acceptance_on: date | None,
    warranty_months: int,
    after_warranty: str,
    maintenance_ends_on: date | None,
) -> Phase:
    if day < signed_on:
        return Phase.NOT_STARTED
    if final_acceptance_on is None or day <= final_acceptance_on:
        return Phase.TRIAL
    if day <= warranty_end(final_acceptance_on, warranty_months):
        return Phase.WARRANTY
    if after_warranty == AfterWarranty.LIFETIME:
        return Phase.AFTER_WARRANTY
    if (
        after_warranty == AfterWarranty.AGREEMENT
        and maintenance_ends_on
        and day <= maintenance_ends_on
    ):
        return Phase.AFTER_WARRANTY
    return Phase.EXPIRED
