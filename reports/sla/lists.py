"""Clocks to act on now: at risk, breached and still open, and the breaches of a period.

Each list is its first rows and the size of the whole list. Sizes are counted up to
`COUNT_CAP` (beyond it the page says "1000+"): an exact count of breached clocks would read
every one of them, and there are hundreds of thousands at a million tickets. The number of
breaches of a period is exact all the same: it comes from the rollups with the compliance
figures (`sla_report` passes it in).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce

from core.paging import count_up_to
from reports.sla.period import NO_FILTERS, Period, StatFilters, clocks_in
from tickets.models import OPEN_STATES, SlaClock, Ticket
from tickets.models.clocks import ticket_breached_q

COUNT_CAP = 1000


def _clock_list(queryset: QuerySet[SlaClock]) -> QuerySet[SlaClock]:
    """A list's clocks with what its rows show of them and their tickets, and nothing else:
    a ticket row carries its description and the terms applied (JSON), which the dashboard
    never shows, and parsing them for ninety rows was a tenth of the page."""
    return queryset.select_related("ticket", "ticket__customer", "ticket__assigned_engineer").only(
        *("id", "ticket_id", "kind", "status", "target_at", "at_risk_at", "breached_at"),
        *("stopped_at", "ticket__number", "ticket__summary", "ticket__first_breach_at"),
        *("ticket__customer_id", "ticket__assigned_engineer_id", "ticket__customer__name"),
        *("ticket__assigned_engineer__username", "ticket__assigned_engineer__first_name"),
        "ticket__assigned_engineer__last_name",
    )


def capped(count: int | None) -> str:
    """A list's size as the page shows it: the number, or "1000+" past the cap."""
    if count is None:
        return ""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


@dataclass
class ClockList:
    """The first rows of a list (clocks, with their tickets) and the size of the whole list:
    `tickets` and `total` (clocks) counted up to COUNT_CAP + 1, `shown_tickets` the rows."""

    clocks: list[SlaClock]
    total: int | None = 0
    tickets: int = 0

    def __iter__(self):
        return iter(self.clocks)

    def __len__(self) -> int:
        return len(self.clocks)

    @property
    def shown_tickets(self) -> int:
        return len({clock.ticket_id for clock in self.clocks})

    @property
    def more(self) -> bool:
        return self.tickets > self.shown_tickets

    @property
    def total_text(self) -> str:
        return capped(self.total)

    @property
    def tickets_text(self) -> str:
        return capped(self.tickets)


def at_risk_now(filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100) -> ClockList:
    """Running clocks past their first warning but not yet their target, nearest deadline first."""
    queryset = (
        SlaClock.objects.filter(filters.ticket_q("ticket__"))
        .at_risk(now)
        .order_by("target_at", "pk")
    )
    clocks = list(_clock_list(queryset)[:limit])
    at_risk = queryset.order_by()[: COUNT_CAP + 1]
    sizes = SlaClock.objects.filter(pk__in=at_risk.values("pk")).aggregate(
        total=Count("pk"), tickets=Count("ticket_id", distinct=True)
    )
    return ClockList(clocks=clocks, total=sizes["total"], tickets=sizes["tickets"])


def _breached_clocks(
    tickets: QuerySet[Ticket], now: datetime, *, latest_first: bool = False
) -> list[SlaClock]:
    """The breached clocks of these tickets (an ordered, sliced queryset), in one query: in
    the tickets' order by first breach, each ticket's clocks by breach moment."""
    first_breach = F("ticket__first_breach_at")
    return list(
        _clock_list(
            SlaClock.objects.filter(ticket__in=tickets.values("pk"))
            .breached(now)
            .annotate(breach_at=Coalesce("breached_at", "target_at"))
            .order_by(
                first_breach.desc() if latest_first else first_breach.asc(),
                "-ticket_id" if latest_first else "ticket_id",
                F("breach_at").asc(nulls_last=True),
                "pk",
            )
        )
    )


def breached_open_now(
    filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> ClockList:
    """Open tickets with a breached clock, the oldest breach first, with their breached clocks.

    `limit` tickets (rows) are shown; the number of breached clocks of all of them is not
    counted (`total` is None).
    """
    tickets = Ticket.objects.filter(
        filters.ticket_q(), ticket_breached_q(now), state__in=OPEN_STATES
    )
    first = tickets.order_by("first_breach_at", "pk")[:limit]
    return ClockList(
        clocks=_breached_clocks(first, now), total=None, tickets=count_up_to(tickets, COUNT_CAP)
    )


def breaches(
    period: Period,
    filters: StatFilters = NO_FILTERS,
    *,
    now: datetime,
    limit: int = 100,
    total: int | None = None,
) -> ClockList:
    """Tickets reported in the period with a breached clock, the latest first breach first,
    with their breached clocks. `total`: the period's breached clocks, if already counted
    (`sla_report` has them from the rollups); counted from the clocks otherwise."""
    tickets = Ticket.objects.filter(
        filters.ticket_q(),
        ticket_breached_q(now),
        reported_at__gte=period.start_at,
        reported_at__lt=period.end_at,
    )
    latest = tickets.order_by("-first_breach_at", "-pk")[:limit]
    if total is None:
        total = clocks_in(period, filters).breached(now).count()
    return ClockList(
        clocks=_breached_clocks(latest, now, latest_first=True),
        total=total,
        tickets=count_up_to(tickets, COUNT_CAP),
    )
