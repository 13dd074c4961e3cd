"""Reads behind the reports page: a person's report jobs with their parameters in words."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contracts.models import Contract, Customer
from inspections.models import Inspection
from reports.models import ReportJob


def report_jobs_of(user, *, limit: int) -> list[ReportJob]:
    """The user's latest jobs, each with `params_text`: "2026年11月 · 东江水务" rather than
    "year 2026, month 11, customer 3". Names are looked up in one query per model."""
    jobs = list(ReportJob.objects.filter(requested_by=user).order_by("-created_at", "-pk")[:limit])
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
