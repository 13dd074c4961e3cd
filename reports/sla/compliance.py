"""Compliance: clocks counted by outcome, per kind, per group (customer, contract, branch,
engineer) and per week, all folded from one grouped query."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.targets import DEFAULT_TARGET, TARGET_FIELDS, ComplianceTarget, compliance_target
from core.postgresql.plans import planned_each_time
from reports.sla.period import KINDS, NO_FILTERS, Period, StatFilters, clocks_in
from tickets.models import Outcome, SlaClock, SlaRollup, Ticket
from tickets.rollups import clock_bucket_columns, live_corrections, service_tz

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
    # Not a person: the dashboard shows this row apart from the engineers, after them.
    "engineer": _("Not yet dispatched"),
}


# The columns the figures are grouped by: each dimension's key, and the ISO week.
GROUP_COLUMNS = [key for key, _labels in DIMENSIONS.values()] + ["week"]


def _fold(rows: Iterable[tuple]) -> dict[str, dict]:
    """{column: {value: {kind: Compliance}}} from (column, value, kind, outcome, clocks) rows."""
    groups: dict[str, dict] = {column: {} for column in GROUP_COLUMNS}
    for column, value, kind, outcome, clocks in rows:
        by_kind = groups[column].get(value)
        if by_kind is None:
            by_kind = groups[column][value] = _no_kinds()
        _count_into(by_kind[kind], outcome, clocks)
    return groups


# The rollup's own columns under the names of the clocks' keys (reports.sla.period filters).
_ROLLUP_FILTERS = {
    "customer": "customer_id",
    "contract": "contract_id",
    "branch": "branch_id",
    "engineer": "engineer_id",
}


def _rollup_rows(period: Period, filters: StatFilters) -> QuerySet:
    """The period's clocks as the rollups count them (tickets.rollups), filtered."""
    narrowing = {
        column: getattr(filters, name)
        for name, column in _ROLLUP_FILTERS.items()
        if getattr(filters, name) is not None
    }
    return (
        SlaRollup.objects.filter(day__gte=period.start, day__lt=period.end, **narrowing)
        .order_by()
        .annotate(
            g_day=F("day"),
            g_customer=F("customer_id"),
            g_contract=F("contract_id"),
            g_branch=F("branch_id"),
            g_engineer=F("engineer_id"),
            g_kind=F("kind"),
            g_outcome=F("outcome"),
            g_clocks=F("clocks"),
        )
        .values(*_COLUMNS)
    )


def _correction_part(period: Period, filters: StatFilters, now: datetime) -> tuple[str, list]:
    """The period's clocks whose outcome at `now` is not the one the rollups count them under
    (`tickets.rollups.live_corrections`, a handful while the sweep keeps up): counted out of
    their rolled outcome and into their outcome at `now`. Compiled once, read twice: the
    ORM's compiling of the outcome rules cost more than running them."""
    moved = (
        live_corrections(clocks_in(period, filters), now)
        .order_by()
        .annotate(**clock_bucket_columns("g_"), g_kind=F("kind"))
        .values(*_COLUMNS[:-2], "rolled", "outcome")
        .annotate(n=Count("pk"))
    )
    sql, params = moved.query.sql_with_params()
    keys = ", ".join(_COLUMNS[:-2])
    return (
        f"SELECT {keys}, rolled AS g_outcome, -n AS g_clocks FROM ({sql}) AS moved "
        f"UNION ALL SELECT {keys}, outcome AS g_outcome, n AS g_clocks FROM ({sql}) AS moved",
        [*params, *params],
    )


_COLUMNS = [
    "g_day",
    "g_customer",
    "g_contract",
    "g_branch",
    "g_engineer",
    "g_kind",
    "g_outcome",
    "g_clocks",
]
_SETS = [
    ("ticket__customer_id", "g_customer"),
    ("ticket__contract_id", "g_contract"),
    ("ticket__branch_id", "g_branch"),
    ("ticket__assigned_engineer_id", "g_engineer"),
    ("week", "g_week"),
]


def _grouped_sql(parts: list[tuple[str, tuple]]) -> tuple[str, list]:
    """One statement: the parts' rows summed per kind and outcome for each group column.

    GROUPING SETS let PostgreSQL fold the few thousand rows of a month into a few hundred;
    summing the days into weeks first leaves each of the five sets fewer rows to hash.
    """
    columns = ", ".join(_COLUMNS)
    union = " UNION ALL ".join(f"SELECT {columns} FROM ({sql}) AS part" for sql, _p in parts)
    params = [param for _sql, part_params in parts for param in part_params]
    sets = ", ".join(f"(g_kind, g_outcome, {alias})" for _column, alias in _SETS)
    flags = ", ".join(f"GROUPING({alias})" for _column, alias in _SETS)
    aliases = ", ".join(alias for _column, alias in _SETS)
    sql = (
        f"SELECT g_kind, g_outcome, {aliases}, {flags}, SUM(g_clocks) FROM ("
        f"SELECT date_trunc('week', g_day)::date AS g_week, g_customer, g_contract, g_branch, "
        f"g_engineer, g_kind, g_outcome, SUM(g_clocks) AS g_clocks FROM ({union}) AS clocks "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7) AS counted GROUP BY GROUPING SETS ({sets})"
    )
    return sql, params


@dataclass
class OutcomeCounts:
    """Clocks of a period counted by kind and outcome, per customer, contract, branch,
    engineer and week: compliance per kind, per group and per week are read from it."""

    groups: dict[str, dict]

    @classmethod
    def of(
        cls, period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
    ) -> "OutcomeCounts":
        """From the rollups, corrected for the clocks whose outcome moved on since they were
        counted: one query whose cost follows the rollups of the period, not the history."""
        parts = [
            _rollup_rows(period, filters).query.sql_with_params(),
            _correction_part(period, filters, now),
        ]
        sql, params = _grouped_sql(parts)
        with planned_each_time(connection), connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        width = len(_SETS)
        rows = []
        for kind, outcome, *rest in found:
            values, flags, clocks = rest[:width], rest[width : 2 * width], rest[-1]
            # The one set the row belongs to is the one whose column is not rolled up.
            index = flags.index(0)
            rows.append((_SETS[index][0], values[index], kind, outcome, int(clocks)))
        return cls(groups=_fold(rows))

    @classmethod
    def recount(
        cls, period: Period, filters: StatFilters = NO_FILTERS, *, now: datetime
    ) -> "OutcomeCounts":
        """The same counts from the clocks themselves, a row per clock read: what the rollups
        must equal (the tests, `manage.py sla_rollups_rebuild` after a doubt)."""
        keys = [key for key, _labels in DIMENSIONS.values()]
        rows = (
            clocks_in(period, filters)
            .order_by()
            .with_outcome(now)
            .annotate(week=TruncWeek("started_at", tzinfo=service_tz()))
            .values("kind", "outcome", "week", *keys)
            .annotate(clocks=Count("pk"))
        )
        return cls(
            groups=_fold(
                (
                    column,
                    _local_monday(row[column]) if column == "week" else row[column],
                    row["kind"],
                    row["outcome"],
                    row["clocks"],
                )
                for row in rows
                for column in GROUP_COLUMNS
            )
        )

    def compliance(self) -> dict[str, Compliance]:
        result = _no_kinds()
        for by_kind in self.groups["week"].values():
            for kind in KINDS:
                result[kind] = result[kind] + by_kind[kind]
        return result

    def by(self, column: str) -> dict:
        """Compliance per kind for each value of a column (a dimension's key or 'week')."""
        return self.groups[column]


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

    @property
    def is_none(self) -> bool:
        """The row of clocks with no customer, contract, branch or engineer (not yet dispatched)."""
        return self.key is None


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
    return (row.is_none, percent is None, percent if percent is not None else 0.0, row.label)


def groups_of(dimension: str, counts: OutcomeCounts) -> list[GroupRow]:
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
    return groups_of(dimension, OutcomeCounts.of(period, filters, now=now))


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


def trend_of(period: Period, counts: OutcomeCounts) -> list[WeekRow]:
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
    return trend_of(period, OutcomeCounts.of(period, filters, now=now))
