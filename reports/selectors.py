"""Reads behind the reports pages: a person's report jobs with their parameters in words, and
the one rule of who sees which issued report."""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.roles import MANAGER_ROLES, Role
from accounts.selectors import customer_id_of, role_of
from contracts.models import Contract, Customer
from inspections.models import Inspection
from reports.models import IssuedReport, ReportJob


def report_jobs_of(user, *, limit: int) -> list[ReportJob]:
    """The user's latest jobs (not those issued to a customer), each with `params_text`:
    "2026年11月 · 东江水务" rather than "year 2026, month 11, customer 3". Names are looked
    up in one query per model."""
    # Reports issued to customers are listed apart (issued_reports_visible_to).
    jobs = list(
        ReportJob.objects.filter(requested_by=user, issue__isnull=True).order_by(
            "-created_at", "-pk"
        )[:limit]
    )
    wanted = {"customer": set(), "contract": set(), "inspection": set()}
    for job in jobs:
        for name, keys in wanted.items():
            if isinstance(job.params.get(name), int):
                keys.add(job.params[name])
    names = {
        "customer": dict(
            Customer.objects.filter(pk__in=wanted["customer"]).values_list("pk", "name")
        ),
        "contract": {
            c.pk: f"{c.number} {c.title}".strip()
            for c in Contract.objects.filter(pk__in=wanted["contract"]).only("number", "title")
        },
        "inspection": {
            i.pk: _("Inspection of %(contract)s due %(day)s")
            % {"contract": i.contract.number, "day": date_format(i.due_on, "DATE_FORMAT")}
            for i in Inspection.objects.filter(pk__in=wanted["inspection"]).select_related(
                "contract"
            )
        },
    }
    for job in jobs:
        job.params_text = params_text(job.params, names)
    return jobs


def params_text(params: dict, names: dict[str, dict[int, str]]) -> str:
    """A job's parameters as a reader says them, in the active language."""
    parts = []
    if params.get("day"):
        try:
            parts.append(date_format(date.fromisoformat(params["day"]), "DATE_FORMAT"))
        except (TypeError, ValueError):
            parts.append(str(params["day"]))
    year, month = params.get("year"), params.get("month")
    if year and month:
        parts.append(date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT"))
    elif year:
        parts.append(_("Year %(year)s") % {"year": year})
    for name in ("inspection", "customer", "contract"):
        key = params.get(name)
        if key:
            # A row deleted since the job was asked for keeps its number, said in words.
            parts.append(names.get(name, {}).get(key) or _("#%(id)s (deleted)") % {"id": key})
    if "customer" in params and not params.get("customer") and not params.get("contract"):
        parts.append(_("All customers"))
    return " · ".join(parts)


def replaced_by_later_version() -> Exists:
    """A later version of the same report (customer, kind, year) is ready: until then the
    customer keeps the one they have, with the new one shown as being prepared."""
    return Exists(
        IssuedReport.objects.filter(
            customer_id=OuterRef("customer_id"),
            kind=OuterRef("kind"),
            year=OuterRef("year"),
            version__gt=OuterRef("version"),
            job__status=ReportJob.Status.DONE,
        )
    )


def issued_reports_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[IssuedReport]:
    """Who sees which issued report: the portal page, its downloads, the API and the admin ask
    this, nothing else. Each row carries `replaced`: a later version took its place.

    - managers, leaders and admins: every issue of every customer, each version, failed
      renders included (they retry them);
    - a customer's contacts: their own organisation's, and of each report (kind and year)
      the latest ready version, with a newer one still being prepared; a failed render
      is not shown (the earlier version stays);
    - everyone else (agents, engineers, anonymous visitors): none.
    """
    reports = IssuedReport.objects.all() if queryset is None else queryset
    reports = reports.select_related("customer", "job", "issued_by").annotate(
        replaced=replaced_by_later_version()
    )
    role = role_of(user)
    if role in MANAGER_ROLES:
        return reports
    customer_id = customer_id_of(user) if role == Role.CUSTOMER else None
    if customer_id is None:
        return reports.none()
    return reports.filter(customer_id=customer_id, replaced=False).exclude(
        job__status=ReportJob.Status.FAILED
    )
