"""How long things took: call to acknowledgement, arrival and resolution; and how late
escalation steps were noticed."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from reports.sla.period import NO_FILTERS, Period, StatFilters, tickets_in
from tickets.models import EscalationStep, SlaDurationRollup, Ticket
from tickets.rollups import histogram_percentile


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class DurationRow:
    key: str
    label: str
    count: int = 0
    mean: float | None = None
    p90: float | None = None


DURATION_FIELDS = [
    ("acknowledged_at", _("Reported → acknowledged")),
    ("on_site_at", _("Reported → on site")),
    ("resolved_at", _("Reported → resolved")),
]


class _Minutes(Func):
    """Minutes from the second moment to the first, as a float (PostgreSQL)."""

    arg_joiner = " - "
    # date_part gives a double precision, cheaper than EXTRACT's numeric.
    template = "(DATE_PART('epoch', %(expressions)s) / 60.0)"
    output_field = FloatField()


class _PercentileCont(Aggregate):
    """PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression), PostgreSQL only."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def _durations_in_sql(tickets: QuerySet[Ticket]) -> list[DurationRow]:
    aggregates = {}
    for name, _label in DURATION_FIELDS:
        reached = Q(**{f"{name}__gte": F("reported_at")})
        minutes = _Minutes(F(name), F("reported_at"))
        aggregates[f"{name}_count"] = Count("pk", filter=reached)
        aggregates[f"{name}_mean"] = Avg(minutes, filter=reached)
        aggregates[f"{name}_p90"] = _PercentileCont(minutes, fraction=0.9, filter=reached)
    row = tickets.order_by().aggregate(**aggregates)
    return [
        DurationRow(
            key=name,
            label=str(label),
            count=row[f"{name}_count"],
            mean=row[f"{name}_mean"],
            p90=row[f"{name}_p90"],
        )
        for name, label in DURATION_FIELDS
    ]


def _durations_in_python(tickets: QuerySet[Ticket]) -> list[DurationRow]:
    names = [name for name, _label in DURATION_FIELDS]
    minutes: dict[str, list[float]] = {name: [] for name in names}
    for reported_at, *moments in tickets.order_by().values_list("reported_at", *names):
        for name, moment in zip(names, moments, strict=True):
            if moment is not None and moment >= reported_at:
                minutes[name].append((moment - reported_at).total_seconds() / 60)
    return [
        DurationRow(
            key=name,
            label=str(label),
            count=len(minutes[name]),
            mean=sum(minutes[name]) / len(minutes[name]) if minutes[name] else None,
            p90=percentile(minutes[name], 0.9),
        )
        for name, label in DURATION_FIELDS
    ]


_ROLLUP_SQL = (
    "SELECT measure, SUM(tickets), SUM(total_minutes), NULL, NULL FROM {table} "
    "WHERE day >= %(first)s AND day < %(end)s GROUP BY measure "
    "UNION ALL "
    "SELECT measure, NULL, NULL, bin.key::int, SUM(bin.value::int) "
    "FROM {table}, jsonb_each_text(bins) AS bin "
    "WHERE day >= %(first)s AND day < %(end)s GROUP BY measure, bin.key"
)


def _durations_from_rollups(period: Period) -> list[DurationRow]:
    """Count and mean exact, p90 from the histograms to within 5 % (tickets.rollups).

    One query; PostgreSQL adds up the day histograms, a few hundred bins a measure.
    """
    totals: dict[str, tuple[int, float]] = {}
    histograms: dict[str, dict[int, int]] = {name: {} for name, _label in DURATION_FIELDS}
    with connection.cursor() as cursor:
        cursor.execute(
            _ROLLUP_SQL.format(table=SlaDurationRollup._meta.db_table),
            {"first": period.start, "end": period.end},
        )
        for measure, tickets, minutes, bin_, count in cursor.fetchall():
            if bin_ is None:
                totals[measure] = (int(tickets), float(minutes))
            else:
                histograms[measure][bin_] = int(count)
    rows = []
    for name, label in DURATION_FIELDS:
        count, total = totals.get(name, (0, 0.0))
        rows.append(
            DurationRow(
                key=name,
                label=str(label),
                count=count,
                mean=total / count if count else None,
                p90=histogram_percentile(histograms[name], 0.9),
            )
        )
    return rows


def durations(period: Period, filters: StatFilters = NO_FILTERS) -> list[DurationRow]:
    """Minutes from the call to acknowledgement, arrival on site and resolution: mean and p90.

    One query. For all tickets, from the day histograms of the rollups (a month reads
    about a hundred rows whatever the history); narrowed to a customer, contract, branch
    or engineer, PostgreSQL computes the statistics exactly from those tickets.
    """
    if filters == NO_FILTERS:
        return _durations_from_rollups(period)
    tickets = tickets_in(period, filters)
    if connection.vendor == "postgresql":
        return _durations_in_sql(tickets)
    return _durations_in_python(tickets)


# How late escalations were noticed -------------------------------------------------------------

# A step recorded later than this after it fell due counts as noticed late (the
# sweep runs every few seconds; a minute means the sweep or the worker stopped).
LATE_STEP_SECONDS = 60


@dataclass
class DetectionLatency:
    """Seconds from when an escalation step fell due to when a sweep recorded it."""

    steps: int
    median: float | None
    p99: float | None
    maximum: float | None
    late: int


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def detection_latency(period: Period, filters: StatFilters = NO_FILTERS) -> DetectionLatency:
    """Detection latency of the escalation steps of the period's tickets, in one query (PostgreSQL).

    Superseded steps count too: they are the ones an outage made late, and
    leaving them out would flatter the figures.
    """
    steps = EscalationStep.objects.filter(
        filters.ticket_q("ticket__"),
        ticket__reported_at__gte=period.start_at,
        ticket__reported_at__lt=period.end_at,
    ).order_by()
    seconds = _Minutes(F("fired_at"), F("due_at")) * 60.0
    row = steps.aggregate(
        steps=Count("pk"),
        median=_PercentileCont(seconds, fraction=0.5),
        p99=_PercentileCont(seconds, fraction=0.99),
        maximum=Max(seconds),
        late=Count("pk", filter=Q(lateness__gt=timedelta(seconds=LATE_STEP_SECONDS))),
    )
    return DetectionLatency(
        steps=row["steps"],
        median=_seconds(row["median"]),
        p99=_seconds(row["p99"]),
        maximum=_seconds(row["maximum"]),
        late=row["late"],
    )
