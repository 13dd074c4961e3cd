"""The monthly SLA report: compliance, each ticket's clocks, escalations, inspections."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.targets import compliance_target
from deductions.selectors import deducted_per_ticket, deductions_between
from reports import charts
from reports.documents.formats import csv_bytes, local_text, percent_text, person_name, pk_of
from reports.pdf import render_pdf
from reports.sla.compliance import kind_label
from reports.sla.durations import detection_latency
from reports.sla.period import KINDS, Period, StatFilters, tickets_in
from reports.sla.report import sla_report
from tickets.models.clocks import Outcome


@dataclass
class ClockCell:
    kind: str
    target: str
    stopped: str
    outcome: str  # an Outcome value (tickets.models.clocks), "" when the ticket has no such clock

    @property
    def label(self) -> str:
        return _outcome_label(self.outcome)


def _outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome else ""


def _ticket_rows(period: Period, filters: StatFilters, *, now) -> list[dict]:
    """The month's tickets, each with the target, stop and outcome of every kind of clock."""
    from tickets.models import SlaClock, clock_outcome

    tickets = (
        tickets_in(period, filters)
        .select_related("customer", "contract", "site", "assigned_engineer")
        .prefetch_related(Prefetch("clocks", queryset=SlaClock.objects.order_by("pk")))
        .order_by("reported_at", "pk")
    )
    rows = []
    for ticket in tickets:
        by_kind = {c.kind: c for c in ticket.clocks.all()}
        cells = []
        for kind in KINDS:
            clock = by_kind.get(kind)
            cells.append(
                ClockCell(
                    kind=kind,
                    target=local_text(clock.target_at) if clock else "",
                    stopped=local_text(clock.stopped_at) if clock else "",
                    outcome=clock_outcome(clock, now) if clock else "",
                )
            )
        rows.append({"ticket": ticket, "cells": cells})
    return rows


def _escalations(period: Period, filters: StatFilters) -> list:
    from tickets.models import EscalationStep

    return list(
        EscalationStep.objects.filter(
            filters.ticket_q("ticket__"),
            ticket__reported_at__gte=period.start_at,
            ticket__reported_at__lt=period.end_at,
            superseded=False,
        )
        .select_related("ticket", "clock")
        .order_by("fired_at", "pk")
    )


def _inspections(period: Period, filters: StatFilters) -> list:
    """The inspections due in the month, with their items checked and anomalies."""
    from inspections.models import Inspection

    inspections = Inspection.objects.filter(
        due_on__gte=period.start, due_on__lt=period.end
    ).exclude(state="cancelled")
    if filters.customer:
        inspections = inspections.filter(contract__customer_id=filters.customer)
    if filters.contract:
        inspections = inspections.filter(contract_id=filters.contract)
    inspections = list(
        inspections.select_related("contract__customer", "site", "engineer").order_by(
            "due_on", "pk"
        )
    )
    _annotate_inspections(inspections)
    return inspections


def _compliance_chart(report, target) -> str:
    return charts.bar_chart(
        [
            charts.Bar(
                label=row.label,
                value=row.total.percent,
                note=f"{row.total.met}/{row.total.decided}",
            )
            for row in report.groups["customer"]
        ],
        title=_("Compliance per customer"),
        target=target.target,
        warn_below=target.warn_below,
        width=640,
    )


def sla_month_context(*, year: int, month: int, customer=None, contract=None, now=None) -> dict:
    from contracts.models import Contract, Customer

    now = now or timezone.now()
    period = Period.month_of(date(year, month, 1))
    filters = StatFilters(customer=pk_of(customer), contract=pk_of(contract))
    report = sla_report(period, filters, now=now, limit=50)
    rows = _ticket_rows(period, filters, now=now)
    escalations = _escalations(period, filters)
    inspections = _inspections(period, filters)
    customer = Customer.objects.filter(pk=filters.customer).first() if filters.customer else None
    contract = Contract.objects.filter(pk=filters.contract).first() if filters.contract else None
    target = compliance_target(contract)
    deductions, deducted = deductions_between(
        period.start_at, period.end_at, contract_id=filters.contract, customer_id=filters.customer
    )
    return {
        "report": report,
        "period": period,
        "now": now,
        "year": year,
        "month": month,
        "customer": customer,
        "contract": contract,
        "rows": rows,
        "kinds": [{"kind": k, "label": kind_label(k)} for k in KINDS],
        "compliance": [
            {
                "kind": k,
                "label": kind_label(k),
                "value": report.compliance[k],
                "percent": percent_text(report.compliance[k].percent),
            }
            for k in report.kinds_used
        ],
        "total": {"value": report.total, "percent": percent_text(report.total.percent)},
        "target": percent_text(target.target),
        "breached_tickets": sum(
            1 for row in rows if any(c.outcome == Outcome.BREACHED for c in row["cells"])
        ),
        "escalations": escalations,
        "detection": detection_latency(period, filters),
        "inspections": inspections,
        "inspection_anomalies": sum(i.anomaly_count for i in inspections),
        "compliance_chart": _compliance_chart(report, target),
        # What late service cost this month (seed 004, 7.2.1): penalties, third-party repairs.
        "deductions": list(deductions),
        "deducted": deducted,
        "title": _("Monthly SLA report %(year)s-%(month)02d") % {"year": year, "month": month},
        "header": (
            contract.number if contract else customer.name if customer else _("All customers")
        ),
    }


def _annotate_inspections(inspections: list) -> None:
    """Items checked and anomalies per inspection: one query for all of them."""
    from django.db.models import Count

    from inspections.models import InspectionResult

    counts = {
        row["inspection_id"]: row
        for row in InspectionResult.objects.filter(inspection__in=[i.pk for i in inspections])
        .order_by()
        .values("inspection_id")
        .annotate(results=Count("pk"), anomalies=Count("pk", filter=Q(anomaly=True)))
    }
    for inspection in inspections:
        row = counts.get(inspection.pk, {})
        inspection.result_count = row.get("results", 0)
        inspection.anomaly_count = row.get("anomalies", 0)


def sla_month_pdf(*, year: int, month: int, customer=None, contract=None, now=None) -> bytes:
    context = sla_month_context(
        year=year, month=month, customer=customer, contract=contract, now=now
    )
    return render_pdf("reports/sla_month.html", context)


def sla_month_csv(*, year: int, month: int, customer=None, contract=None, now=None) -> bytes:
    """One row per ticket of the month, with target, stop time and outcome of each clock,
    its escalations and what it cost in deductions (penalties and third-party repairs)."""
    context = sla_month_context(
        year=year, month=month, customer=customer, contract=contract, now=now
    )
    header = [
        _("Ticket"),
        _("Customer"),
        _("Contract"),
        _("Site"),
        _("Priority"),
        _("Kind"),
        _("State"),
        _("Reported at"),
        _("Engineer"),
    ]
    for kind in KINDS:
        label = kind_label(kind)
        header += [
            # Times, said as times: "stopped" alone read as "paused" (暂停) in Chinese.
            _("%(clock)s: due by") % {"clock": label},
            _("%(clock)s: stopped at") % {"clock": label},
            _("%(clock)s: outcome") % {"clock": label},
        ]
    escalations: dict[int, int] = {}
    for step in context["escalations"]:
        escalations[step.ticket_id] = escalations.get(step.ticket_id, 0) + 1
    header += [_("Escalations"), _("Deducted (CNY)")]
    deducted = deducted_per_ticket([row["ticket"].pk for row in context["rows"]])
    rows = []
    for row in context["rows"]:
        t = row["ticket"]
        line = [
            t.number,
            t.customer.name,
            t.contract.number if t.contract else "",
            t.site.name if t.site else "",
            t.priority,
            t.get_kind_display(),
            t.get_state_display(),
            local_text(t.reported_at),
            person_name(t.assigned_engineer),
        ]
        for cell in row["cells"]:
            line += [cell.target, cell.stopped, _outcome_label(cell.outcome)]
        line += [escalations.get(t.pk, 0), deducted.get(t.pk, "")]
        rows.append(line)
    return csv_bytes(header, rows)
