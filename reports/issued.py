"""Issuing written reports to a customer (提交书面报告, seed 002, 4.5.4).

A service manager (or the leadership) issues the yearly satisfaction analysis of
one customer and one year: the report is rendered for that customer alone, by the
report job machinery (reports.rendering) so a long render never blocks a request,
and kept as an `IssuedReport`. When its job is done, the customer's contacts with
a portal login are told. Who sees which issue is `reports.selectors.issued_reports_visible_to`.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER_ROLES
from accounts.selectors import role_of
from contracts.models import Customer
from core.inputs import as_id, clean_number
from reports.models import IssuedReport, ReportJob
from reports.rendering import report_job_request
from tickets.rollups import service_tz

FIRST_YEAR = 2000


def may_issue_reports(user) -> bool:
    """Service managers, the leadership and admins issue reports to customers."""
    return role_of(user) in MANAGER_ROLES


def issue_years(*, now: datetime | None = None) -> tuple[int, int]:
    """The years a report may be issued for: 2000 up to the current year (service time);
    a year that has not begun has nothing to analyse."""
    today = timezone.localdate(now or timezone.now(), service_tz())
    return FIRST_YEAR, today.year


def issued_report_issue(
    *, user, customer, year, kind: str = IssuedReport.Kind.SATISFACTION_YEAR, now=None
) -> IssuedReport:
    """Issue a report to a customer: a new version, rendered in the background.

    `customer` is a Customer or its id, `year` a number from `issue_years`. A wrong
    one raises ValidationError naming the field; someone other than a manager,
    leader or admin gets PermissionDenied. Issuing again for the same customer and
    year adds the next version, which replaces the earlier one for the customer.
    """
    if not may_issue_reports(user):
        raise PermissionDenied
    if kind not in IssuedReport.Kind.values:
        raise ValidationError({"kind": _("Unknown report.")})
    now = now or timezone.now()
    first, last = issue_years(now=now)
    errors = {}
    try:
        year = clean_number(year, field="year", integer=True, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not first <= year <= last:
            errors["year"] = [
                _("Choose a year from %(first)s to %(last)s.") % {"first": first, "last": last}
            ]
    customer_id = as_id(getattr(customer, "pk", customer))
    if customer is None or customer == "":
        errors["customer"] = [_("This field is required.")]
    with transaction.atomic():
        # The customer's row is locked: two issues at once get consecutive versions.
        found = (
            Customer.objects.select_for_update().filter(pk=customer_id).first()
            if customer_id is not None
            else None
        )
        if found is None and "customer" not in errors:
            errors["customer"] = [_("No such customer.")]
        if errors:
            raise ValidationError(errors)
        job = report_job_request(
            user=user,
            kind=ReportJob.Kind.SATISFACTION_YEAR,
            format=ReportJob.Format.PDF,
            params={"year": year, "customer": found.pk},
        )
        latest = IssuedReport.objects.filter(customer=found, kind=kind, year=year).aggregate(
            latest=Max("version")
        )["latest"]
        return IssuedReport.objects.create(
            customer=found,
            kind=kind,
            year=year,
            version=(latest or 0) + 1,
            job=job,
            issued_by=user,
            issued_at=now,
        )
