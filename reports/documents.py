"""The report documents (报表): pure functions from the database to PDF or CSV bytes.

- inspection report (巡检报告) of one inspection;
- yearly satisfaction analysis (满意度统计分析报告), seed 002, 4.5.4;
- monthly SLA report: tickets of the month, their clocks, escalations, inspections;
- daily repair report (维修报表): tickets engineers handled that day.

CSV files are UTF-8 with a byte-order mark so Excel on Chinese Windows opens
them correctly; the header row is translated into the active language.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.targets import compliance_target
from reports import charts
from reports.pdf import render_pdf, storage_url
from reports.sla_stats import (
    KINDS,
    Period,
    StatFilters,
    detection_latency,
    kind_label,
    service_tz,
    sla_report,
    tickets_in,
)
from tickets.models.clocks import Outcome

# Helpers ------------------------------------------------------------------------------------


def _pk(value) -> int | None:
    """A model instance or a primary key (or None) -> the primary key."""
    if value is None or value == "":
        return None
    return getattr(value, "pk", None) or int(value)


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, service_tz()).strftime("%Y-%m-%d %H:%M")


def format_number(value: Decimal | float | int | None) -> str:
    """12.5000 -> "12.5", 3.0 -> "3", None -> ""."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent_text(value: float | None) -> str:
    return charts.format_percent(value)


# A spreadsheet reads a cell starting with one of these as a formula (`=HYPERLINK(...)`).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(cell):
    """A cell as written to CSV: None empty; text that a spreadsheet would run as a formula is
    prefixed with a single quote. Every text cell is escaped (a name, a fault cause or a label
    alike), whatever its source; numbers (int, float, Decimal) are data and stay as they are,
    so a negative number the report computes is still a number in Excel."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM, CRLF line ends: what Excel on a Chinese Windows expects.

    The one CSV writer of the site: every CSV download goes through here."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=service_tz())
    return start, start + timedelta(days=1)


# Inspection report (巡检报告) ----------------------------------------------------------------


@dataclass
class ResultRow:
    item: object
    result: object | None
    answer: str
    range: str
    previous: str
    changed: bool
    anomaly: bool
    reason: str
    note: str


@dataclass
class SectionBlock:
    title: str
    rows: list[ResultRow] = field(default_factory=list)


def _answer(item, result) -> str:
    if result is None:
        return ""
    kind = item.answer_kind
    if kind == "pass_fail":
        if result.passed is None:
            return ""
        return _("Pass") if result.passed else _("Fail")
    if kind == "number":
        if result.value is None:
            return ""
        return f"{format_number(result.value)} {item.unit}".strip()
    return result.text


def _answered(result) -> bool:
    return result is not None and (
        result.passed is not None or result.value is not None or bool(result.text.strip())
    )


def _range(item) -> str:
    if item.answer_kind != "number" or (item.min_value is None and item.max_value is None):
        return ""
    low = format_number(item.min_value) if item.min_value is not None else ""
    high = format_number(item.max_value) if item.max_value is not None else ""
    if low and high:
        text = f"{low} – {high}"
    elif low:
        text = f"≥ {low}"
    else:
        text = f"≤ {high}"
    return f"{text} {item.unit}".strip()


def _changed(item, result) -> bool:
    previous = result.previous if result is not None else None
    if previous is None:
        return False
    return (result.passed, result.value, result.text.strip()) != (
        previous.passed,
        previous.value,
        previous.text.strip(),
    )


def inspection_context(inspection) -> dict:
    """Everything the inspection report shows, in a fixed number of queries."""
    from inspections.models import (
        ChecklistSection,
        Inspection,
        InspectionPhoto,
        InspectionResult,
        Rectification,
    )

    inspection = (
        Inspection.objects.select_related(
            "contract", "contract__customer", "site", "template", "engineer", "approved_by"
        )
        .filter(pk=inspection.pk)
        .get()
    )
    results = {
        r.item_id: r
        for r in InspectionResult.objects.filter(inspection=inspection).select_related("previous")
    }
    sections = ChecklistSection.objects.filter(template_id=inspection.template_id).prefetch_related(
        "items"
    )
    blocks = []
    for section in sections:
        block = SectionBlock(title=section.title)
        for item in section.items.all():
            result = results.get(item.pk)
            previous = result.previous if result is not None else None
            block.rows.append(
                ResultRow(
                    item=item,
                    result=result,
                    answer=_answer(item, result),
                    range=_range(item),
                    previous=_answer(item, previous) if previous is not None else "",
                    changed=_changed(item, result),
                    anomaly=bool(result and result.anomaly),
                    reason=result.anomaly_reason if result else "",
                    note=result.note if result else "",
                )
            )
        blocks.append(block)
    rows = [row for block in blocks for row in block.rows]
    photos = list(
        InspectionPhoto.objects.filter(result__inspection=inspection)
        .select_related("result__item")
        .order_by("result__item__section__order", "result__item__order", "created_at", "pk")
    )
    rectifications = list(
        Rectification.objects.filter(inspection=inspection).select_related(
            "owner", "result__item", "verified_by"
        )
    )
    checked = sum(1 for row in rows if _answered(row.result))
    return {
        "inspection": inspection,
        "customer": inspection.contract.customer,
        "contract": inspection.contract,
        "sections": blocks,
        "summary": {
            "items": len(rows),
            "checked": checked,
            "anomalies": sum(1 for row in rows if row.anomaly),
            "changed": [row for row in rows if row.changed],
            "compared": sum(1 for row in rows if row.result and row.result.previous_id),
            "rectifications_open": sum(1 for r in rectifications if r.status != "verified"),
        },
        "photos": [
            {"url": storage_url(p.image.name), "caption": p.result.item.text} for p in photos
        ],
        "rectifications": rectifications,
        "signature_url": storage_url(inspection.signature.name) if inspection.signature else "",
        "title": _("Inspection report"),
        "header": inspection.contract.customer.name,
    }


def inspection_report_pdf(inspection) -> bytes:
    """巡检报告: cover, summary and comparison, a table per section, photos, rectifications."""
    return render_pdf("reports/inspection.html", inspection_context(inspection))


# Yearly satisfaction analysis (满意度统计分析报告) --------------------------------------------


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else 100.0 * fraction


def satisfaction_data(*, year: int, customer=None) -> dict:
    """The year's figures from `reports.surveys.satisfaction_year`, shaped for the template.

    Rates become percentages (0–100); rating questions and free-text questions are
    listed apart.
    """
    from reports.surveys import satisfaction_year

    raw = satisfaction_year(year=year, customer=customer)
    previous = raw.get("previous") or {}
    surveys = raw.get("surveys") or {}
    questions = raw.get("questions") or []
    return {
        "year": raw.get("year", year),
        "overall_average": raw.get("overall_average"),
        "surveys": {
            "sent": surveys.get("sent", 0),
            "answered": surveys.get("answered", 0),
            "rate": _percent(surveys.get("response_rate")),
        },
        "questions": [q for q in questions if q.get("kind", "rating") == "rating"],
        "text_questions": [q for q in questions if q.get("kind") == "text"],
        "customers": [
            {**c, "rate": _percent(c.get("response_rate"))} for c in raw.get("customers") or []
        ],
        "ratings": raw.get("ticket_ratings") or {"count": 0, "average": None},
        "return_visits": raw.get("return_visits") or {"count": 0, "reached": 0, "average": None},
        "comments": raw.get("comments") or [],
        "actions": raw.get("actions") or [],
        "previous": {
            "year": previous.get("year", year - 1),
            "overall_average": previous.get("overall_average"),
            "rate": _percent((previous.get("surveys") or {}).get("response_rate")),
            "surveys": previous.get("surveys") or {},
            "ratings": previous.get("ticket_ratings") or {},
            "return_visits": previous.get("return_visits") or {},
        },
    }


def _score_percent(average: float | None) -> float | None:
    """A 1–5 average as a share of the best score, for the 0–100 charts."""
    return None if average is None else average * 20.0


def satisfaction_context(*, year: int, customer=None) -> dict:
    from contracts.models import Customer

    if customer is not None and not hasattr(customer, "pk"):
        customer = Customer.objects.get(pk=customer)
    data = satisfaction_data(year=year, customer=customer)
    questions = data["questions"]
    question_chart = charts.bar_chart(
        [
            charts.Bar(
                label=q["text"],
                value=q.get("average"),
                note=f"{q['average']:.2f}/5" if q.get("average") is not None else "",
            )
            for q in questions
        ],
        title=_("Average score per question"),
        max_value=5.0,
        unit_percent=False,
        width=640,
    )
    customer_chart = charts.bar_chart(
        [
            charts.Bar(label=c["name"], value=c.get("rate"), note=f"{c['answered']}/{c['sent']}")
            for c in data["customers"]
        ],
        title=_("Response rate per customer"),
        width=640,
    )
    previous = data["previous"]
    trend_chart = charts.trend_chart(
        [str(year - 1), str(year)],
        [
            charts.Series(
                _("Response rate"),
                [previous["rate"], data["surveys"]["rate"]],
            ),
            charts.Series(
                _("Survey score (average × 20)"),
                [
                    _score_percent(previous["overall_average"]),
                    _score_percent(data["overall_average"]),
                ],
            ),
            charts.Series(
                _("Ticket ratings (average × 20)"),
                [
                    _score_percent(previous["ratings"].get("average")),
                    _score_percent(data["ratings"].get("average")),
                ],
            ),
        ],
        title=_("Compared with the previous year"),
        width=640,
        height=260,
    )
    return {
        "data": data,
        "year": year,
        "customer": customer,
        "question_chart": question_chart,
        "customer_chart": customer_chart,
        "trend_chart": trend_chart,
        "title": _("Satisfaction analysis %(year)s") % {"year": year},
        "header": customer.name if customer else _("All customers"),
    }


def satisfaction_year_pdf(*, year: int, customer=None) -> bytes:
    """满意度统计分析报告: response rates, scores, trend, comments and actions taken."""
    return render_pdf(
        "reports/satisfaction_year.html", satisfaction_context(year=year, customer=customer)
    )


# Monthly SLA report --------------------------------------------------------------------------


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


def sla_month_context(*, year: int, month: int, customer=None, contract=None, now=None) -> dict:
    from contracts.models import Contract, Customer
    from inspections.models import Inspection
    from tickets.models import EscalationStep, SlaClock, clock_outcome

    now = now or timezone.now()
    period = Period.month_of(date(year, month, 1))
    filters = StatFilters(customer=_pk(customer), contract=_pk(contract))
    report = sla_report(period, filters, now=now, limit=50)
    tickets = list(
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
                    target=_local(clock.target_at) if clock else "",
                    stopped=_local(clock.stopped_at) if clock else "",
                    outcome=clock_outcome(clock, now) if clock else "",
                )
            )
        rows.append({"ticket": ticket, "cells": cells})
    escalations = list(
        EscalationStep.objects.filter(
            filters.ticket_q("ticket__"),
            ticket__reported_at__gte=period.start_at,
            ticket__reported_at__lt=period.end_at,
            superseded=False,
        )
        .select_related("ticket", "clock")
        .order_by("fired_at", "pk")
    )
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
    kinds = report.kinds_used
    total = report.total
    customer_obj = (
        Customer.objects.filter(pk=filters.customer).first() if filters.customer else None
    )
    contract_obj = (
        Contract.objects.filter(pk=filters.contract).first() if filters.contract else None
    )
    breached_tickets = sum(
        1 for row in rows if any(c.outcome == Outcome.BREACHED for c in row["cells"])
    )
    target = compliance_target(contract_obj)
    return {
        "report": report,
        "period": period,
        "now": now,
        "year": year,
        "month": month,
        "customer": customer_obj,
        "contract": contract_obj,
        "rows": rows,
        "kinds": [{"kind": k, "label": kind_label(k)} for k in KINDS],
        "compliance": [
            {
                "kind": k,
                "label": kind_label(k),
                "value": report.compliance[k],
                "percent": percent_text(report.compliance[k].percent),
            }
            for k in kinds
        ],
        "total": {"value": total, "percent": percent_text(total.percent)},
        "target": percent_text(target.target),
        "breached_tickets": breached_tickets,
        "escalations": escalations,
        "detection": detection_latency(period, filters),
        "inspections": inspections,
        "inspection_anomalies": sum(i.anomaly_count for i in inspections),
        "compliance_chart": charts.bar_chart(
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
        ),
        "title": _("Monthly SLA report %(year)s-%(month)02d") % {"year": year, "month": month},
        "header": (
            contract_obj.number
            if contract_obj
            else customer_obj.name
            if customer_obj
            else _("All customers")
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
    """One row per ticket of the month, with target, stop time and outcome of each clock."""
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
            _("%(clock)s: target") % {"clock": label},
            _("%(clock)s: stopped") % {"clock": label},
            _("%(clock)s: outcome") % {"clock": label},
        ]
    escalations: dict[int, int] = {}
    for step in context["escalations"]:
        escalations[step.ticket_id] = escalations.get(step.ticket_id, 0) + 1
    header.append(_("Escalations"))
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
            _local(t.reported_at),
            _person(t.assigned_engineer),
        ]
        for cell in row["cells"]:
            line += [cell.target, cell.stopped, _outcome_label(cell.outcome)]
        line.append(escalations.get(t.pk, 0))
        rows.append(line)
    return csv_bytes(header, rows)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# Daily repair report (维修报表) ---------------------------------------------------------------


def daily_repair_context(*, day: date) -> dict:
    from tickets.models import Ticket, WorkLog

    start, end = day_bounds(day)
    worked = WorkLog.objects.filter(created_at__gte=start, created_at__lt=end).values("ticket_id")
    tickets = list(
        Ticket.objects.filter(assigned_engineer__isnull=False)
        .filter(
            Q(dispatched_at__gte=start, dispatched_at__lt=end)
            | Q(on_site_at__gte=start, on_site_at__lt=end)
            | Q(resolved_at__gte=start, resolved_at__lt=end)
            | Q(pk__in=worked)
        )
        .select_related("customer", "site", "assigned_engineer", "fault_report")
        .order_by("assigned_engineer__username", "reported_at", "pk")
    )
    groups: dict[int, dict] = {}
    for ticket in tickets:
        group = groups.setdefault(
            ticket.assigned_engineer_id,
            {"engineer": _person(ticket.assigned_engineer), "tickets": []},
        )
        report = getattr(ticket, "fault_report", None)
        group["tickets"].append(
            {
                "ticket": ticket,
                "reported": _local(ticket.reported_at),
                "on_site": _local(ticket.on_site_at),
                "resolved": _local(ticket.resolved_at),
                "cause": report.cause if report else "",
                "solution": report.solution if report else "",
            }
        )
    engineers = sorted(groups.values(), key=lambda g: g["engineer"])
    return {
        "day": day,
        "engineers": engineers,
        "ticket_count": len(tickets),
        "resolved_count": sum(
            1 for t in tickets if t.resolved_at is not None and start <= t.resolved_at < end
        ),
        "title": _("Daily repair report %(day)s") % {"day": day.isoformat()},
        "header": day.isoformat(),
    }


def daily_repair_pdf(*, day: date) -> bytes:
    return render_pdf("reports/daily_repair.html", daily_repair_context(day=day))


def daily_repair_csv(*, day: date) -> bytes:
    context = daily_repair_context(day=day)
    header = [
        _("Engineer"),
        _("Ticket"),
        _("Customer"),
        _("Site"),
        _("Kind"),
        _("Reported at"),
        _("On site at"),
        _("Resolved at"),
        _("Fault cause"),
        _("Solution"),
        _("State"),
    ]
    rows = []
    for group in context["engineers"]:
        for entry in group["tickets"]:
            t = entry["ticket"]
            rows.append(
                [
                    group["engineer"],
                    t.number,
                    t.customer.name,
                    t.site.name if t.site else "",
                    t.get_kind_display(),
                    entry["reported"],
                    entry["on_site"],
                    entry["resolved"],
                    entry["cause"],
                    entry["solution"],
                    t.get_state_display(),
                ]
            )
    return csv_bytes(header, rows)
