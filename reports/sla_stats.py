"""SLA figures for the manager's dashboard and the monthly report.

A period is a range of local dates [start, end) in the service time zone
(Asia/Shanghai) applied to `Ticket.reported_at`: a call at 23:30 on 30
November in Shanghai belongs to November although it is 15:30 UTC.

Compliance of a clock kind = met / (met + breached), over the clocks that
are decided: stopped met, stopped breached, or breached while still running
(status breached, a breach recorded, or past its target before the sweep
noticed). Running clocks not yet past their target, paused ones without a
recorded breach and clocks no longer needed are left out.

Every selector runs a fixed number of aggregate queries, whatever the number
of tickets; each takes `now` explicitly and never reads the wall clock.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import OPEN_STATES, SlaClock, Ticket

KINDS: list[str] = list(SlaClock.Kind.values)
Status = SlaClock.Status


def service_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# Periods and filters --------------------------------------------------------------------------


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
    return SlaClock.objects.filter(
        filters.ticket_q("ticket__"),
        ticket__reported_at__gte=period.start_at,
        ticket__reported_at__lt=period.end_at,
    )


# Clock outcomes as conditions ------------------------------------------------------------------


def breached_q(now: datetime, prefix: str = "") -> Q:
    """Breached by `now`: recorded, or running past its target before the sweep noticed."""
    return (
        Q(**{f"{prefix}breached_at__isnull": False})
        | Q(**{f"{prefix}status": Status.BREACHED})
        | Q(
            **{
                f"{prefix}status": Status.RUNNING,
                f"{prefix}target_at__isnull": False,
                f"{prefix}target_at__lte": now,
            }
        )
    )


def met_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.MET}) & ~breached_q(now, prefix)


def pending_q(now: datetime, prefix: str = "") -> Q:
    """Still counting (running or paused) and not breached: not decided yet."""
    return Q(**{f"{prefix}status__in": [Status.RUNNING, Status.PAUSED]}) & ~breached_q(now, prefix)


@dataclass
class Compliance:
    met: int = 0
    breached: int = 0
    pending: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return 100.0 * self.met / self.decided if self.decided else None

    def __add__(self, other: "Compliance") -> "Compliance":
        return Compliance(
            self.met + other.met, self.breached + other.breached, self.pending + other.pending
        )


def combined(values: Iterable[Compliance]) -> Compliance:
    total = Compliance()
    for value in values:
        total = total + value
    return total


def _kind_counts(now: datetime) -> dict:
    """met/breached/pending Count() per clock kind, to annotate a grouped clock query."""
    counts = {}
    for kind in KINDS:
        of_kind = Q(kind=kind)
        counts[f"{kind}_met"] = Count("pk", filter=of_kind & met_q(now))
        counts[f"{kind}_breached"] = Count("pk", filter=of_kind & breached_q(now))
        counts[f"{kind}_pending"] = Count("pk", filter=of_kind & pending_q(now))
    return counts


def _by_kind(row: dict) -> dict[str, Compliance]:
    return {
        kind: Compliance(
            met=row[f"{kind}_met"],
            breached=row[f"{kind}_breached"],
            pending=row[f"{kind}_pending"],
        )
        for kind in KINDS
    }


def kind_label(kind: str) -> str:
    return str(SlaClock.Kind(kind).label)


# Compliance --------------------------------------------------------------------------------------


def compliance(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> dict[str, Compliance]:
    """Per clock kind (response, onsite, resolution, repair): met, breached, pending. One query."""
    row = clocks_in(period, filters).aggregate(**_kind_counts(now))
    return _by_kind(row)


@dataclass
class GroupRow:
    key: int | None
    label: str
    by_kind: dict[str, Compliance]

    @property
    def total(self) -> Compliance:
        return combined(self.by_kind.values())


DIMENSIONS = {
    # name: (key column, label columns) on SlaClock
    "customer": ("ticket__customer_id", ["ticket__customer__name"]),
    "contract": ("ticket__contract_id", ["ticket__contract__number"]),
    "branch": ("ticket__branch_id", ["ticket__branch__name"]),
    "engineer": (
        "ticket__assigned_engineer_id",
        [
            "ticket__assigned_engineer__first_name",
            "ticket__assigned_engineer__last_name",
            "ticket__assigned_engineer__username",
        ],
    ),
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


def _group_label(dimension: str, row: dict) -> str:
    key_column, label_columns = DIMENSIONS[dimension]
    if row[key_column] is None:
        return str(NONE_LABELS[dimension])
    values = [row[c] or "" for c in label_columns]
    if dimension == "engineer":
        first, last, username = values
        return f"{first} {last}".strip() or username
    return values[0]


def _sort_key(row: GroupRow):
    percent = row.total.percent
    return (percent is None, percent if percent is not None else 0.0, row.label)


def compliance_by(
    dimension: str, period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> list[GroupRow]:
    """Compliance per customer, contract, branch or engineer; worst first. One query.

    Groups with no decided clock come last; tickets without a contract,
    branch or engineer form a group of their own.
    """
    key_column, label_columns = DIMENSIONS[dimension]
    rows = (
        clocks_in(period, filters)
        .order_by()
        .values(key_column, *label_columns)
        .annotate(**_kind_counts(now))
    )
    result = [
        GroupRow(key=row[key_column], label=_group_label(dimension, row), by_kind=_by_kind(row))
        for row in rows
    ]
    return sorted(result, key=_sort_key)


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


def weekly_trend(
    period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
) -> list[WeekRow]:
    """Compliance per ISO week (local time) of the period, every week listed. One query."""
    tz = service_tz()
    rows = (
        clocks_in(period, filters)
        .order_by()
        .annotate(week=TruncWeek("ticket__reported_at", tzinfo=tz))
        .values("week")
        .annotate(**_kind_counts(now))
    )
    found: dict[date, dict[str, Compliance]] = {}
    for row in rows:
        week = row["week"]
        if isinstance(week, datetime):
            week = (timezone.localtime(week, tz) if timezone.is_aware(week) else week).date()
        found[week] = _by_kind(row)
    empty = {kind: Compliance() for kind in KINDS}
    return [WeekRow(monday=m, by_kind=found.get(m, dict(empty))) for m in period.iso_weeks()]


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
    """Two queries: the counts and the first `limit` clocks."""
    counts = queryset.order_by().aggregate(
        clocks=Count("pk"), tickets=Count("ticket_id", distinct=True)
    )
    clocks = list(_clock_list(queryset)[:limit])
    return ClockList(clocks=clocks, total=counts["clocks"], tickets=counts["tickets"])


def at_risk_now(filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100) -> ClockList:
    """Running clocks past their first warning but not yet their target, nearest deadline first."""
    queryset = SlaClock.objects.filter(
        filters.ticket_q("ticket__"),
        status=Status.RUNNING,
        stopped_at__isnull=True,
        breached_at__isnull=True,
        at_risk_at__lte=now,
        target_at__gt=now,
    ).order_by("target_at", "pk")
    return _limited(queryset, limit)


def breached_open_now(
    filters: StatFilters = NO_FILTERS, *, now: datetime, limit: int = 100
) -> ClockList:
    """Breached clocks of tickets still open, the oldest breach first."""
    queryset = (
        SlaClock.objects.filter(filters.ticket_q("ticket__"), ticket__state__in=OPEN_STATES)
        .filter(breached_q(now))
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
        .filter(breached_q(now))
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
    minutes: list[float] = field(default_factory=list, repr=False)

    @property
    def count(self) -> int:
        return len(self.minutes)

    @property
    def mean(self) -> float | None:
        return sum(self.minutes) / len(self.minutes) if self.minutes else None

    @property
    def p90(self) -> float | None:
        return percentile(self.minutes, 0.9)


DURATION_FIELDS = [
    ("acknowledged_at", _("Reported → acknowledged")),
    ("on_site_at", _("Reported → on site")),
    ("resolved_at", _("Reported → resolved")),
]


def durations(period: Period, filters: StatFilters = NO_FILTERS) -> list[DurationRow]:
    """Minutes from the call to acknowledgement, arrival on site and resolution: mean and p90.

    One query reading four timestamps per ticket of the period; the
    statistics are computed here so the same code runs on SQLite and PostgreSQL.
    """
    rows = {name: DurationRow(key=name, label=str(label)) for name, label in DURATION_FIELDS}
    names = [name for name, _label in DURATION_FIELDS]
    values = tickets_in(period, filters).order_by().values_list("reported_at", *names)
    for reported_at, *moments in values:
        for name, moment in zip(names, moments, strict=True):
            if moment is not None and moment >= reported_at:
                rows[name].minutes.append((moment - reported_at).total_seconds() / 60)
    return list(rows.values())


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
    """Every figure of the dashboard, in a fixed number of queries (13)."""
    return SlaReport(
        period=period,
        filters=filters,
        now=now,
        compliance=compliance(period, filters, now=now),
        groups={d: compliance_by(d, period, filters, now=now) for d in DIMENSIONS},
        trend=weekly_trend(period, filters, now=now),
        durations=durations(period, filters),
        at_risk=at_risk_now(filters, now=now, limit=limit),
        breached_open=breached_open_now(filters, now=now, limit=limit),
        breaches=breaches(period, filters, now=now, limit=limit),
    )
