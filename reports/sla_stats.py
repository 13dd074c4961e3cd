"""SLA figures for the manager's dashboard and the monthly report.

A period is a range of local dates [start, end) in the service time zone
(Asia/Shanghai) applied to `Ticket.reported_at`: a call at 23:30 on 30
November in Shanghai belongs to November although it is 15:30 UTC.

Compliance of a clock kind = met / (met + breached), over the clocks that
are decided. Which clock is met, breached, at risk, running or paused at a
moment is decided by one rule, `tickets.models.clocks` (`clock_outcome` and
`SlaClock.objects.with_outcome`): a clock still running past its target is
breached before the sweep has noticed; running, at-risk and paused clocks are
not decided yet; clocks no longer needed are left out.

Every clock starts when its ticket was reported (`tickets.clocks.clocks_start`),
so the period of a clock is read on `SlaClock.started_at` (indexed) and the
ticket is joined only for the filters and the groups.

Every selector runs a fixed number of queries, whatever the number of
tickets; each takes `now` explicitly and never reads the wall clock. The
compliance figures (per kind, per group, per week) are folded in Python from
one grouped query whose rows number at most a few thousand.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.targets import DEFAULT_TARGET, TARGET_FIELDS, ComplianceTarget, compliance_target
from tickets.models import OPEN_STATES, EscalationStep, Outcome, SlaClock, Ticket

KINDS: list[str] = list(SlaClock.Kind.values)
Status = SlaClock.Status


def service_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# Periods and filters --------------------------------------------------------------------------


# The longest period the dashboard and the API compute at once.
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Local dates [start, end) in the service time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=service_tz())

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=service_tz())

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def iso_weeks(self) -> list[date]:
        """The Mondays of the ISO weeks the period touches, in order."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday < self.end:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks

    @classmethod
    def inclusive(cls, first: date, last: date) -> "Period":
        """Local dates `first` to `last`, both included (the dashboard, the API)."""
        return cls(first, last + timedelta(days=1))

    @classmethod
    def month_of(cls, day: date) -> "Period":
        first = day.replace(day=1)
        return cls(first, (first + timedelta(days=32)).replace(day=1))


@dataclass(frozen=True)
class StatFilters:
    """Optional narrowing by primary key: customer, contract, branch, assigned engineer."""

    customer: int | None = None
    contract: int | None = None
    branch: int | None = None
    engineer: int | None = None

    def ticket_q(self, prefix: str = "") -> Q:
        q = Q()
        for name, column in [
            ("customer", "customer_id"),
            ("contract", "contract_id"),
            ("branch", "branch_id"),
            ("engineer", "assigned_engineer_id"),
        ]:
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{f"{prefix}{column}": value})
        return q


NO_FILTERS = StatFilters()


def tickets_in(period: Period, filters: StatFilters = NO_FILTERS) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        filters.ticket_q(), reported_at__gte=period.start_at, reported_at__lt=period.end_at
    )


def clocks_in(period: Period, filters: StatFilters = NO_FILTERS) -> QuerySet[SlaClock]:
    """The clocks of the tickets reported in the period.

    A clock starts when its ticket was reported, so both ranges are the same
    rows; giving both lets PostgreSQL read each table through its own index.
    """
    return SlaClock.objects.filter(
        filters.ticket_q("ticket__"),
        started_at__gte=period.start_at,
        started_at__lt=period.end_at,
        ticket__reported_at__gte=period.start_at,
        ticket__reported_at__lt=period.end_at,
    )


# Clock outcomes ----------------------------------------------------------------------------------
# The rule itself is `tickets.models.clocks` (SQL and Python side by side); here it is only counted.


@dataclass
class Compliance:
    """Clocks of one kind (or all) by outcome; compliance = met / (met + breached)."""

    met: int = 0
    breached: int = 0
    at_risk: int = 0
    running: int = 0
    paused: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def pending(self) -> int:
        """Still counting: running, at risk or paused, not breached yet."""
        return self.at_risk + self.running + self.paused

    @property
    def percent(self) -> float | None:
        return 100.0 * self.met / self.decided if self.decided else None

    def __add__(self, other: "Compliance") -> "Compliance":
        return Compliance(
            met=self.met + other.met,
            breached=self.breached + other.breached,
            at_risk=self.at_risk + other.at_risk,
            running=self.running + other.running,
            paused=self.paused + other.paused,
        )


def combined(values: Iterable[Compliance]) -> Compliance:
    total = Compliance()
    for value in values:
        total = total + value
    return total


# Outcome -> the Compliance field that counts it; "not needed" is not counted.
_COUNTED = {
    Outcome.MET: "met",
    Outcome.BREACHED: "breached",
    Outcome.AT_RISK: "at_risk",
    Outcome.RUNNING: "running",
    Outcome.PAUSED: "paused",
}


def _count_into(value: Compliance, result: str, clocks: int) -> None:
    name = _COUNTED.get(result)
    if name is not None:
        setattr(value, name, getattr(value, name) + clocks)


def _no_kinds() -> dict[str, Compliance]:
    return {kind: Compliance() for kind in KINDS}


def kind_label(kind: str) -> str:
    return str(SlaClock.Kind(kind).label)


DIMENSIONS = {
    # name: (key column on SlaClock, label columns of the model the key points to)
    "customer": ("ticket__customer_id", ["name"]),
    "contract": ("ticket__contract_id", ["number"]),
    "branch": ("ticket__branch_id", ["name"]),
    "engineer": ("ticket__assigned_engineer_id", ["first_name", "last_name", "username"]),
}

DIMENSION_LABELS = {
    "customer": _("Customer"),
    "contract": _("Contract"),
    "branch": _("Branch"),
    "engineer": _("Engineer"),
}

NONE_LABELS = {
    "customer": _("(no customer)"),
    "contract": _("(no contract)"),
    "branch": _("(no branch)"),
    "engineer": _("(not assigned)"),
}


@dataclass
class OutcomeCounts:
    """Clocks of a period counted by kind, outcome, customer, contract, branch, engineer, week.

    One grouped query; compliance per kind, per group and per week are folded from its rows.
    """

    rows: list[dict]

    @classmethod
    def of(
        cls, period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
    ) -> "OutcomeCounts":
        keys = [key for key, _labels in DIMENSIONS.values()]
        rows = (
            clocks_in(period, filters)
            .order_by()
            .with_outcome(now)
            .annotate(week=TruncWeek("started_at", tzinfo=service_tz()))
            .values("kind", "outcome", "week", *keys)
            .annotate(clocks=Count("pk"))
        )
        return cls(rows=list(rows))

    def compliance(self) -> dict[str, Compliance]:
        result = _no_kinds()
        for row in self.rows:
            _count_into(result[row["kind"]], row["outcome"], row["clocks"])
        return result

    def by(self, column: str) -> dict:
        """Compliance per kind for each value of a column (a dimension's key or 'week')."""
        result: dict = {}
        for row in self.rows:
            by_kind = result.get(row[column])
            if by_kind is None:
                by_kind = result[row[column]] = _no_kinds()
            _count_into(by_kind[row["kind"]], row["outcome"], row["clocks"])
        return result


# Compliance --------------------------------------------------------------------------------------


def compliance(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> dict[str, Compliance]:
    """Per clock kind (response, onsite, resolution, repair): clocks by outcome. One query."""
    return OutcomeCounts.of(period, filters, now=now).compliance()


@dataclass
class GroupRow:
    key: int | None
    label: str
    by_kind: dict[str, Compliance]
    # The group's own compliance target: a contract's where it sets one, else the default.
    target: ComplianceTarget = DEFAULT_TARGET

    @property
    def total(self) -> Compliance:
        return combined(self.by_kind.values())


def _labels(dimension: str, keys: Iterable[int]) -> dict[int, tuple[str, ComplianceTarget]]:
    """Names (and, for contracts, targets) of a dimension's rows. One query, if any."""
    key_column, label_columns = DIMENSIONS[dimension]
    keys = [key for key in keys if key is not None]
    if not keys:
        return {}
    field_name = key_column.removeprefix("ticket__").removesuffix("_id")
    model = Ticket._meta.get_field(field_name).related_model
    if dimension == "contract":
        return {
            contract.pk: (contract.number, compliance_target(contract))
            for contract in model._default_manager.filter(pk__in=keys).only(
                "pk", "number", *TARGET_FIELDS
            )
        }
    labels = {}
    for key, *values in model._default_manager.filter(pk__in=keys).values_list(
        "pk", *label_columns
    ):
        values = [value or "" for value in values]
        if dimension == "engineer":
            first, last, username = values
            labels[key] = (f"{first} {last}".strip() or username, DEFAULT_TARGET)
        else:
            labels[key] = (values[0], DEFAULT_TARGET)
    return labels


def _sort_key(row: GroupRow):
    percent = row.total.percent
    return (percent is None, percent if percent is not None else 0.0, row.label)


def _groups(dimension: str, counts: OutcomeCounts) -> list[GroupRow]:
    key_column, _label_columns = DIMENSIONS[dimension]
    found = counts.by(key_column)
    labels = _labels(dimension, found)
    result = []
    for key, by_kind in found.items():
        label, target = labels.get(key, ("", DEFAULT_TARGET))
        result.append(
            GroupRow(
                key=key,
                label=str(NONE_LABELS[dimension]) if key is None else label,
                by_kind=by_kind,
                target=target,
            )
        )
    return sorted(result, key=_sort_key)


def compliance_by(
    dimension: str, period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> list[GroupRow]:
    """Compliance per customer, contract, branch or engineer; worst first. Two queries.

    Groups with no decided clock come last; tickets without a contract,
    branch or engineer form a group of their own.
    """
    return _groups(dimension, OutcomeCounts.of(period, filters, now=now))


@dataclass
class WeekRow:
    monday: date
    by_kind: dict[str, Compliance]

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _day = self.monday.isocalendar()
        return year, week

    @property
    def label(self) -> str:
        year, week = self.iso
        return f"{year}-W{week:02d}"

    @property
    def total(self) -> Compliance:
        return combined(self.by_kind.values())


def _local_monday(week: date | datetime) -> date:
    if isinstance(week, datetime):
        tz = service_tz()
        return (timezone.localtime(week, tz) if timezone.is_aware(week) else week).date()
    return week


def _trend(period: Period, counts: OutcomeCounts) -> list[WeekRow]:
    found: dict[date, dict[str, Compliance]] = {}
    for week, by_kind in counts.by("week").items():
        monday = _local_monday(week)
        if monday in found:
            found[monday] = {k: found[monday][k] + by_kind[k] for k in KINDS}
        else:
            found[monday] = by_kind
    return [WeekRow(monday=m, by_kind=found.get(m) or _no_kinds()) for m in period.iso_weeks()]


def weekly_trend(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> list[WeekRow]:
    """Compliance per ISO week (local time) of the period, every week listed. One query."""
    return _trend(period, OutcomeCounts.of(period, filters, now=now))


# Now: at risk, breached and open -------------------------------------------------------------


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
    """Two queries: the keys of the whole list in order, then the first `limit` clocks.

    The list is read once (two integers a clock) for both the counts and the order.
    """
    keys = list(queryset.values_list("pk", "ticket_id"))
    first = [pk for pk, _ticket in keys[:limit]]
    found = _clock_list(SlaClock.objects.filter(pk__in=first)).in_bulk(first) if first else {}
    clocks = [found[pk] for pk in first if pk in found]
    return ClockList(clocks=clocks, total=len(keys), tickets=len({ticket for _pk, ticket in keys}))


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


# Durations -------------------------------------------------------------------------------------


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


def durations(period: Period, filters: StatFilters = NO_FILTERS) -> list[DurationRow]:
    """Minutes from the call to acknowledgement, arrival on site and resolution: mean and p90.

    One query. PostgreSQL computes the statistics itself (avg, percentile_cont);
    elsewhere (SQLite in the tests) the same figures are computed here from the
    timestamps of the period's tickets.
    """
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


# Everything at once -----------------------------------------------------------------------------


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
        """Clock kinds with at least one clock in the period (repair is often absent)."""
        return [
            kind
            for kind, value in self.compliance.items()
            if value.decided or value.pending or kind != SlaClock.Kind.REPAIR
        ]


def sla_report(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> SlaReport:
    """Every figure of the dashboard, in a fixed number of queries (at most 12)."""
    counts = OutcomeCounts.of(period, filters, now=now)
    return SlaReport(
        period=period,
        filters=filters,
        now=now,
        compliance=counts.compliance(),
        groups={d: _groups(d, counts) for d in DIMENSIONS},
        trend=_trend(period, counts),
        durations=durations(period, filters),
        at_risk=at_risk_now(filters, now=now, limit=limit),
        breached_open=breached_open_now(filters, now=now, limit=limit),
        breaches=breaches(period, filters, now=now, limit=limit),
    )
