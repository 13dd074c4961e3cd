"""Compliance: clocks counted by outcome, per kind, per group (customer, contract, branch,
engineer) and per week, all folded from one grouped query."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.targets import DEFAULT_TARGET, TARGET_FIELDS, ComplianceTarget, compliance_target
from reports.sla.period import KINDS, NO_FILTERS, Period, StatFilters, clocks_in, service_tz
from tickets.models import Outcome, SlaClock, Ticket

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

    @property
    def is_none(self) -> bool:
        """The row of clocks with no customer, contract, branch or engineer (not yet dispatched)."""
        return self.key is None


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
