"""The period and filters every SLA figure is read over, in the service time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet

from tickets.models import SlaClock, Ticket
from tickets.rollups import service_tz

KINDS: list[str] = list(SlaClock.Kind.values)


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
