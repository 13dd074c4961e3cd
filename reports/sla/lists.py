"""Clocks to act on now: at risk, breached and still open, and the breaches of a period."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce

from reports.sla.period import NO_FILTERS, Period, StatFilters, clocks_in
from tickets.models import OPEN_STATES, SlaClock


def _clock_list(queryset: QuerySet[SlaClock]) -> QuerySet[SlaClock]:
    return queryset.select_related(
        "ticket", "ticket__customer", "ticket__assigned_engineer", "ticket__branch"
    )


@dataclass
class ClockList:
    """The first clocks of a list, with the size of the whole list (clocks and tickets)."""

    clocks: list[SlaClock]
    total: int = 0
    tickets: int = 0

    def __iter__(self):
        return iter(self.clocks)

    def __len__(self) -> int:
        return len(self.clocks)

    @property
    def more(self) -> bool:
        return self.total > len(self.clocks)


def _limited(queryset: QuerySet[SlaClock], limit: int) -> ClockList:
    """Two queries: the first `limit` clocks in order (with their tickets), then the size of the
    whole list counted by PostgreSQL; nothing of the rest of the list comes to Python."""
    clocks = list(_clock_list(queryset)[:limit])
    sizes = queryset.order_by().aggregate(
        total=Count("pk"), tickets=Count("ticket_id", distinct=True)
    )
    return ClockList(clocks=clocks, total=sizes["total"], tickets=sizes["tickets"])


def at_risk_now(filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100) -> ClockList:
    """Running clocks past their first warning but not yet their target, nearest deadline first."""
    queryset = (
        SlaClock.objects.filter(filters.ticket_q("ticket__"))
        .at_risk(now)
        .order_by("target_at", "pk")
    )
    return _limited(queryset, limit)


def breached_open_now(
    filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> ClockList:
    """Breached clocks of tickets still open, the oldest breach first."""
    queryset = (
        SlaClock.objects.filter(filters.ticket_q("ticket__"), ticket__state__in=OPEN_STATES)
        .breached(now)
        .annotate(breach_at=Coalesce("breached_at", "target_at"))
        .order_by(F("breach_at").asc(nulls_last=True), "pk")
    )
    return _limited(queryset, limit)


def breaches(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> ClockList:
    """The breached clocks of the tickets reported in the period, the latest first."""
    queryset = (
        clocks_in(period, filters)
        .breached(now)
        .annotate(breach_at=Coalesce("breached_at", "target_at"))
        .order_by(F("breach_at").desc(nulls_last=True), "-pk")
    )
    return _limited(queryset, limit)
