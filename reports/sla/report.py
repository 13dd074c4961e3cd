"""Every figure of the dashboard and the monthly report at once."""

from dataclasses import dataclass
from datetime import datetime

from reports.sla.compliance import (
    DIMENSIONS,
    Compliance,
    GroupRow,
    OutcomeCounts,
    WeekRow,
    combined,
    groups_of,
    trend_of,
)
from reports.sla.durations import DurationRow, durations
from reports.sla.lists import ClockList, at_risk_now, breached_open_now, breaches
from reports.sla.period import NO_FILTERS, Period, StatFilters
from tickets.models import SlaClock

# Clock kinds only some contracts promise: shown when the period has clocks of them.
OCCASIONAL_KINDS = (SlaClock.Kind.REPAIR, SlaClock.Kind.SUBSTITUTE, SlaClock.Kind.ANSWER)


@dataclass
class SlaReport:
    period: Period
    filters: StatFilters
    now: datetime
    compliance: dict[str, Compliance]
    groups: dict[str, list[GroupRow]]
    trend: list[WeekRow]
    durations: list[DurationRow]
    at_risk: ClockList
    breached_open: ClockList
    breaches: ClockList

    @property
    def total(self) -> Compliance:
        return combined(self.compliance.values())

    @property
    def kinds_used(self) -> list[str]:
        """The clock kinds to show: every contract's three, and repair or replace and the
        substitute device when the period has any (few contracts promise them)."""
        return [
            kind
            for kind, value in self.compliance.items()
            if value.decided or value.pending or kind not in OCCASIONAL_KINDS
        ]


def sla_report(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> SlaReport:
    """Every figure of the dashboard, in a fixed number of queries (at most 12)."""
    counts = OutcomeCounts.of(period, filters, now=now)
    by_kind = counts.compliance()
    return SlaReport(
        period=period,
        filters=filters,
        now=now,
        compliance=by_kind,
        groups={d: groups_of(d, counts) for d in DIMENSIONS},
        trend=trend_of(period, counts),
        durations=durations(period, filters),
        at_risk=at_risk_now(filters, now=now, limit=limit),
        breached_open=breached_open_now(filters, now=now, limit=limit),
        breaches=breaches(
            period, filters, now=now, limit=limit, total=combined(by_kind.values()).breached
        ),
    )
