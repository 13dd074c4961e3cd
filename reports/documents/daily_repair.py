"""The daily repair report (维修报表): the tickets engineers handled that day, by engineer."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from reports.documents.formats import csv_bytes, day_bounds, local_text, person_name
from reports.pdf import render_pdf


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
            {"engineer": person_name(ticket.assigned_engineer), "tickets": []},
        )
        report = getattr(ticket, "fault_report", None)
        group["tickets"].append(
            {
                "ticket": ticket,
                "reported": local_text(ticket.reported_at),
                "on_site": local_text(ticket.on_site_at),
                "resolved": local_text(ticket.resolved_at),
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
