"""The manager's SLA dashboard (/dashboard/) and the escalations that reached the manager's tier."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Branch, User
from accounts.roles import MANAGER_ROLES, Role, Tier
from contracts.models import Contract, Customer
from contracts.targets import DEFAULT_TARGET, ComplianceTarget, compliance_target
from core.inputs import date_problem
from core.web import role_required
from core.widgets import Select
from reports.charts import Bar, Series, bar_chart, format_percent, trend_chart
from reports.sla.compliance import DIMENSION_LABELS, DIMENSIONS, Compliance, kind_label
from reports.sla.period import MAX_PERIOD_DAYS, Period, StatFilters
from reports.sla.report import sla_report
from tickets.chat import robots_listed
from tickets.escalation import escalation_acknowledge as acknowledge_step
from tickets.models import EscalationStep
from tickets.rollups import service_tz

MAX_DAYS = MAX_PERIOD_DAYS
# Rows shown in each list of clocks (at risk, breached and open, breaches); counts are complete.
LIST_LIMIT = 30
GROUP_TITLES = {
    "customer": gettext_lazy("Compliance by customer"),
    "contract": gettext_lazy("Compliance by contract"),
    "branch": gettext_lazy("Compliance by branch"),
    "engineer": gettext_lazy("Compliance by engineer"),
}
# Long names (contracts, customers) must not widen the page on a phone.
SELECT = {"class": "full-width"}  # no style="": the Content-Security-Policy forbids it


def level(percent: float | None, target: ComplianceTarget = DEFAULT_TARGET) -> str:
    """The badge class for a compliance percentage: ok, warn, bad, or '' when nothing is decided."""
    return target.level(percent)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def preset_period(name: str, today: date) -> Period:
    """The period a preset names, relative to today's local date."""
    if name == "this_week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=7))
    if name == "last_7_days":
        return Period(today - timedelta(days=6), today + timedelta(days=1))
    if name == "last_month":
        first = _month_start(today)
        return Period(_month_start(first - timedelta(days=1)), first)
    return Period(_month_start(today), _next_month(today))


class DashboardForm(forms.Form):
    """Period (a preset or custom dates, both inclusive) and optional filters, sent by GET."""

    PRESETS = [
        ("this_week", gettext_lazy("This week")),
        ("last_7_days", gettext_lazy("Last 7 days")),
        ("this_month", gettext_lazy("This month")),
        ("last_month", gettext_lazy("Last month")),
        ("custom", gettext_lazy("Custom dates")),
    ]

    period = forms.ChoiceField(
        label=gettext_lazy("period"),
        choices=PRESETS,
        required=False,
        widget=Select(attrs=SELECT),
    )
    start = forms.DateField(
        label=gettext_lazy("first day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    customer = forms.ModelChoiceField(
        Customer.objects.order_by("name"),
        label=gettext_lazy("customer"),
        required=False,
        empty_label=gettext_lazy("All customers"),
        widget=Select(attrs=SELECT),
    )
    contract = forms.ModelChoiceField(
        Contract.objects.order_by("number"),
        label=gettext_lazy("contract"),
        required=False,
        empty_label=gettext_lazy("All contracts"),
        widget=Select(attrs=SELECT),
    )
    branch = forms.ModelChoiceField(
        Branch.objects.order_by("name"),
        label=gettext_lazy("branch"),
        required=False,
        empty_label=gettext_lazy("All branches"),
        widget=Select(attrs=SELECT),
    )
    engineer = forms.ModelChoiceField(
        User.objects.filter(groups__name=Role.ENGINEER.value).order_by("username"),
        label=gettext_lazy("engineer"),
        required=False,
        empty_label=gettext_lazy("All engineers"),
        widget=Select(attrs=SELECT),
    )

    def __init__(self, data, *, today: date, **kwargs):
        data = data.copy()
        if not data.get("period"):
            data["period"] = "custom" if data.get("start") or data.get("end") else "this_month"
        super().__init__(data, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("period") or "this_month"
        if name != "custom":
            cleaned["range"] = preset_period(name, self.today)
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start is None or end is None:
            raise forms.ValidationError(_("Give both dates of a custom period."))
        problems = {name: date_problem(day) for name, day in (("start", start), ("end", end))}
        if any(problems.values()):
            for name, problem in problems.items():
                if problem:
                    self.add_error(name, problem)
        elif end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", _("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        else:
            cleaned["range"] = Period.inclusive(start, end)
        return cleaned

    def summary(self) -> str:
        """The current choice in words, on the folded filters' button: "This month · Customer A"."""
        if not self.is_valid():
            return ""
        c = self.cleaned_data
        if c.get("period") == "custom":
            parts = [f"{c['start']:%Y-%m-%d} – {c['end']:%Y-%m-%d}"]
        else:
            parts = [str(dict(self.PRESETS)[c.get("period") or "this_month"])]
        parts += [c["customer"].name] if c.get("customer") else []
        parts += [c["contract"].number] if c.get("contract") else []
        parts += [c["branch"].name] if c.get("branch") else []
        if c.get("engineer"):
            parts.append(c["engineer"].get_full_name() or c["engineer"].username)
        return " · ".join(parts)

    def filters(self) -> StatFilters:
        c = self.cleaned_data
        return StatFilters(
            customer=c["customer"].pk if c.get("customer") else None,
            contract=c["contract"].pk if c.get("contract") else None,
            branch=c["branch"].pk if c.get("branch") else None,
            engineer=c["engineer"].pk if c.get("engineer") else None,
        )


def _cell(value: Compliance, label: str = "", target: ComplianceTarget = DEFAULT_TARGET) -> dict:
    return {
        "label": label,
        "value": value,
        "percent": format_percent(value.percent),
        "level": level(value.percent, target),
    }


def ticket_rows(clocks) -> list[dict]:
    """Clocks of a list grouped by ticket, in the order the tickets first appear."""
    rows: dict[int, dict] = {}
    for clock in clocks:
        row = rows.setdefault(clock.ticket_id, {"ticket": clock.ticket, "clocks": []})
        row["clocks"].append(clock)
    return list(rows.values())


def _compliance_groups(report, kinds: list[str]) -> list[dict]:
    """Compliance by customer, contract, branch and engineer: a table each."""
    groups = []
    for dimension in DIMENSIONS:
        rows = [
            {
                "key": row.key,
                "label": row.label,
                "none": row.is_none,
                "cells": [_cell(row.by_kind[kind], kind_label(kind), row.target) for kind in kinds],
                "total": _cell(row.total, target=row.target),
            }
            for row in report.groups[dimension]
        ]
        groups.append(
            {
                "dimension": dimension,
                "label": DIMENSION_LABELS[dimension],
                "title": GROUP_TITLES[dimension],
                "rows": rows,
            }
        )
    return groups


def _charts(report, kinds: list[str], target: ComplianceTarget) -> dict:
    """The weekly trend and the engineers' bars, as SVG the charts escaped themselves."""
    trend_svg = trend_chart(
        [f"W{week.iso[1]:02d}" for week in report.trend],
        [
            Series(kind_label(kind), [w.by_kind[kind].percent for w in report.trend])
            for kind in kinds
        ],
        title=_("Compliance per week, by clock"),
        y_label=_("compliance"),
        target=target.target,
        target_label=_("target %(percent)s") % {"percent": format_percent(target.target)},
        empty_text=_("No clock decided in this period."),
    )
    engineer_svg = bar_chart(
        [
            Bar(
                label=row.label,
                value=row.total.percent,
                note=f"{row.total.met}/{row.total.decided}",
            )
            for row in report.groups["engineer"]
            if not row.is_none  # not dispatched yet: not an engineer's bar (the table shows it)
        ],
        title=_("Compliance by engineer"),
        target=target.target,
        warn_below=target.warn_below,
        empty_text=_("No clock decided in this period."),
    )
    # The charts escape every label themselves (reports.charts).
    return {"trend_svg": mark_safe(trend_svg), "engineer_svg": mark_safe(engineer_svg)}


def _dashboard_context(report, target: ComplianceTarget = DEFAULT_TARGET) -> dict:
    """`target`: the contract's when the dashboard shows one contract, else the default."""
    kinds = report.kinds_used
    cards = [
        {"kind": kind, **_cell(report.compliance[kind], kind_label(kind), target)} for kind in kinds
    ]
    trend_rows = [
        {
            "label": week.label,
            "monday": week.monday,
            "cells": [_cell(week.by_kind[kind], kind_label(kind), target) for kind in kinds],
            "total": _cell(week.total, target=target),
        }
        for week in report.trend
    ]
    return {
        "report": report,
        "kinds": [{"kind": kind, "label": kind_label(kind)} for kind in kinds],
        "cards": cards,
        "total": _cell(report.total, target=target),
        "groups": _compliance_groups(report, kinds),
        "trend_rows": trend_rows,
        "at_risk_rows": ticket_rows(report.at_risk),
        "breached_open_rows": ticket_rows(report.breached_open),
        "breach_rows": ticket_rows(report.breaches),
        **_charts(report, kinds, target),
    }


def _unacknowledged(user):
    steps = EscalationStep.objects.filter(acknowledged_at__isnull=True, superseded=False)
    return steps if user.is_superuser else steps.filter(tier=user.tier)


@role_required(*MANAGER_ROLES)
def home(request):
    now = timezone.now()
    today = timezone.localdate(now, service_tz())
    form = DashboardForm(request.GET, today=today)
    context = {
        "form": form,
        "filters_summary": form.summary(),
        "now": now,
        "target": format_percent(DEFAULT_TARGET.target),
    }
    if form.is_valid() and "range" in form.cleaned_data:
        period = form.cleaned_data["range"]
        target = compliance_target(form.cleaned_data.get("contract"))
        report = sla_report(period, form.filters(), now=now, limit=LIST_LIMIT)
        context.update(_dashboard_context(report, target))
        context["target"] = format_percent(target.target)
        context["period"] = period
    context["escalations_open"] = _unacknowledged(request.user).count()
    return render(request, "reports/dashboard/home.html", context)


@role_required(*MANAGER_ROLES)
def escalations(request):
    """Steps that reached the user's tier (superusers: every tier), unacknowledged first."""
    steps = EscalationStep.objects.select_related(
        "ticket", "ticket__customer", "clock", "acknowledged_by"
    )
    if not request.user.is_superuser:
        steps = steps.filter(tier=request.user.tier)
    only_open = request.GET.get("open") == "1"
    if only_open:
        steps = steps.filter(acknowledged_at__isnull=True)
    steps = steps.annotate(
        done=Case(
            When(acknowledged_at__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("done", "-fired_at", "-pk")
    page = Paginator(steps, 50).get_page(request.GET.get("page"))
    tier = Tier(request.user.tier).label if request.user.tier else ""
    return render(
        request,
        "reports/dashboard/escalations.html",
        {
            "page": page,
            "only_open": only_open,
            "tier": tier,
            "all_tiers": request.user.is_superuser,
            "robots": robots_listed(),
        },
    )


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "dashboard:escalations"


@require_POST
@role_required(*MANAGER_ROLES)
def escalation_acknowledge(request, pk: int):
    """Take on an escalation step of one's tier; refusals come back as a message."""
    step = get_object_or_404(EscalationStep, pk=pk)
    try:
        step = acknowledge_step(step=step, user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not acknowledge this escalation."))
    else:
        messages.success(
            request,
            _("Escalation of ticket %(number)s acknowledged.") % {"number": step.ticket.number},
        )
    return redirect(_back(request))
