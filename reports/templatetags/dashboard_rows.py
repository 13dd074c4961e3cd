"""The rows of the dashboard's lists (at risk, breached and open, breaches), written in
Python as the queue's are (tickets/templatetags/queue.py): ninety rows through the
template engine cost more than every figure of the dashboard together. Same markup as
the template gave; every value is escaped by `format_html`."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tickets.models import SlaClock

register = template.Library()

ROW = (
    '<tr class="{row_class}">\n'
    '  <td data-label="{l_ticket}"><a href="{url}">{number}</a> '
    '<span class="muted">{summary}</span></td>\n'
    '  <td data-label="{l_customer}">{customer}</td>\n'
    '  <td data-label="{l_clocks}">{clocks}</td>\n'
    '  <td data-label="{l_engineer}">{engineer}</td>\n'
    "</tr>\n"
)


def _moment(clock) -> str:
    moment = clock.target_at or clock.breached_at
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@register.simple_tag
def clock_list_rows(rows, row_class: str) -> SafeString:
    """Table rows of `reports.dashboard_views.ticket_rows`: a ticket with its clocks."""
    labels = {
        "l_ticket": _("Ticket"),
        "l_customer": _("Customer"),
        "l_clocks": _("Clock and deadline"),
        "l_engineer": _("Engineer"),
    }
    kinds = {value: str(label) for value, label in SlaClock.Kind.choices}
    not_dispatched = format_html('<span class="badge">{}</span>', _("Not yet dispatched"))
    # One reverse for the list: ticket numbers are plain (2026-000123).
    url_of = reverse("desk:ticket", args=["0"])[: -len("0/")]
    html = []
    for row in rows:
        ticket = row["ticket"]
        engineer = ticket.assigned_engineer
        clocks = "".join(
            format_html(
                '<div>{} <span class="muted">{}</span></div>',
                kinds.get(clock.kind, clock.kind),
                _moment(clock),
            )
            for clock in row["clocks"]
        )
        html.append(
            format_html(
                ROW,
                **labels,
                row_class=row_class,
                url=f"{url_of}{ticket.number}/",
                number=ticket.number,
                summary=Truncator(ticket.summary).chars(60),
                customer=ticket.customer.name,
                clocks=mark_safe(clocks),  # each clock written by format_html above
                engineer=(engineer.get_full_name() or engineer.username)
                if engineer
                else not_dispatched,
            )
        )
    return mark_safe("".join(html))


# The compliance tables (per week, per customer, contract, branch and engineer): up to a few
# hundred cells a page, written here for the reason above. `_cell` dicts of
# reports.dashboard_views; every text is escaped.


def _figure(cell: dict, *, badge: bool) -> str:
    value = cell["value"]
    percent = escape(cell["percent"])
    if badge and cell["level"]:
        percent = f'<span class="badge {escape(cell["level"])}">{percent}</span>'
    return f'{percent} <span class="muted">{value.met}/{value.decided}</span>'


def _cells(row: dict, *, total_badge: bool) -> str:
    cells = "".join(
        f'<td data-label="{escape(cell["label"])}">{_figure(cell, badge=False)}</td>'
        for cell in row["cells"]
    )
    total = _figure(row["total"], badge=total_badge)
    total = f'<td data-label="{escape(_("All clocks"))}">{total}</td>'
    return f"  {cells}\n  {total}\n"


@register.simple_tag
def compliance_group_rows(group: dict) -> SafeString:
    """The rows of one "compliance by customer, contract, branch or engineer" table."""
    label = escape(group["label"])
    none_testid = escape(f"by-{group['dimension']}-none")
    html = []
    for row in group["rows"]:
        if row["none"]:
            opening = f'<tr class="none-row" data-testid="{none_testid}">'
            name = f'<span class="badge">{escape(row["label"])}</span>'
        else:
            opening = "<tr>"
            name = f"<strong>{escape(row['label'])}</strong>"
        html.append(
            f'{opening}\n  <td data-label="{label}">{name}</td>\n'
            f"{_cells(row, total_badge=True)}</tr>\n"
        )
    return mark_safe("".join(html))


@register.simple_tag
def compliance_week_rows(rows: list[dict]) -> SafeString:
    """The rows of the weekly trend's table."""
    label = escape(_("ISO week"))
    return mark_safe(
        "".join(
            f'<tr>\n  <td data-label="{label}">{escape(row["label"])} '
            f'<span class="muted">{row["monday"]:%m-%d}</span></td>\n'
            f"{_cells(row, total_badge=False)}</tr>\n"
            for row in rows
        )
    )
