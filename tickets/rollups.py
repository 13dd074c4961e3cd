"""Keeping the SLA rollups (`tickets.models.rollups`) equal to a recount of the clocks.

A bucket is one local day of reported tickets with the same customer, contract, branch and
engineer. Whatever changes a clock's outcome or a ticket's bucket (a workflow step, a priority
change, a breach the sweep records) recounts the bucket(s) it touched from the clocks, in the
same transaction, under a lock on the bucket: two workers recounting the same bucket run one
after the other, and the second counts what the first committed, so the result is the recount
whatever the order. The durations of the day are recounted with it.

A clock still counting (running, no breach recorded, not stopped) is never in a rollup: its
outcome moves with time (running, at risk, breached once its target passes) and is read live.
Every other clock's outcome is settled: `outcome_case` gives it the same value at any moment.
"""

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tickets.models import Outcome, SlaClock, SlaDurationRollup, SlaRollup, Ticket

# The clocks whose outcome still moves with time; the partial index `clock_live_started`.
LIVE = Q(status=SlaClock.Status.RUNNING, breached_at__isnull=True, stopped_at__isnull=True)

# Outcomes the rollups keep; "not needed" counts in no SLA figure.
KEPT = [Outcome.MET, Outcome.BREACHED, Outcome.PAUSED]

# The moments whose minutes from the call are summed and binned, as `reports.sla.durations`.
MEASURES = ["acknowledged_at", "on_site_at", "resolved_at"]

# Histogram bins: 0 holds [0, 1) minute, bin i >= 1 holds [RATIO**(i-1), RATIO**i).
RATIO = 1.05


def service_tz() -> ZoneInfo:
    """The zone whose midnight turns the rollups' days (TIME_ZONE)."""
    return timezone.get_default_timezone()


def clock_bucket_columns(prefix: str) -> dict:
    """A clock's bucket as SQL (its ticket's local reported day and dimensions), each named
    `prefix` + dimension: what `bucket_of` is for a ticket in memory, for the rebuild and for
    the reports' live count of the clocks still counting, so both group the same way."""
    return {
        f"{prefix}day": TruncDate("ticket__reported_at", tzinfo=service_tz()),
        f"{prefix}customer": F("ticket__customer_id"),
        f"{prefix}contract": F("ticket__contract_id"),
        f"{prefix}branch": F("ticket__branch_id"),
        f"{prefix}engineer": F("ticket__assigned_engineer_id"),
    }


class Bucket(NamedTuple):
    day: date
    customer_id: int | None
    contract_id: int | None
    branch_id: int | None
    engineer_id: int | None

    @property
    def key(self) -> str:
        return "sla-rollup:" + ":".join(str(part) for part in self)


def bucket_of(ticket: Ticket) -> Bucket:
    return Bucket(
        day=timezone.localtime(ticket.reported_at, service_tz()).date(),
        customer_id=ticket.customer_id,
        contract_id=ticket.contract_id,
        branch_id=ticket.branch_id,
        engineer_id=ticket.assigned_engineer_id,
    )


def _day_range(first: date, end: date) -> tuple[datetime, datetime]:
    tz = service_tz()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)


def _settled_outcomes(clocks):
    """Settled clocks with their outcome; the moment given to the rule does not change it."""
    return clocks.filter(~LIVE).with_outcome(timezone.now()).filter(outcome__in=KEPT)


def _bucket_counts(bucket: Bucket) -> list[SlaRollup]:
    start_at, end_at = _day_range(bucket.day, bucket.day + timedelta(days=1))
    clocks = SlaClock.objects.filter(
        ticket__reported_at__gte=start_at,
        ticket__reported_at__lt=end_at,
        ticket__customer_id=bucket.customer_id,
        ticket__contract_id=bucket.contract_id,
        ticket__branch_id=bucket.branch_id,
        ticket__assigned_engineer_id=bucket.engineer_id,
    )
    rows = _settled_outcomes(clocks).order_by().values("kind", "outcome").annotate(n=Count("pk"))
    return [
        SlaRollup(
            day=bucket.day,
            customer_id=bucket.customer_id,
            contract_id=bucket.contract_id,
            branch_id=bucket.branch_id,
            engineer_id=bucket.engineer_id,
            kind=row["kind"],
            outcome=row["outcome"],
            clocks=row["n"],
        )
        for row in rows
    ]


def _lock(keys: Iterable[str]) -> None:
    # In a fixed order, so that two workers never wait on each other's second bucket.
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def measured_moments(ticket: Ticket) -> tuple:
    """The ticket's moments the duration histograms are made of (MEASURES)."""
    return tuple(getattr(ticket, name) for name in MEASURES)


def rollups_refresh(*, buckets: Iterable[Bucket], durations: bool = True) -> None:
    """Recount these buckets, and with `durations` the duration histograms of their days.
    Call after the clocks changed; the histograms only when a measured moment did, since a
    day's recount reads all of that day's tickets under one lock per day."""
    buckets = sorted(set(buckets), key=lambda bucket: bucket.key)
    if not buckets:
        return
    days = sorted({bucket.day for bucket in buckets}) if durations else []
    with transaction.atomic():
        _lock([bucket.key for bucket in buckets] + [f"sla-durations:{day}" for day in days])
        for bucket in buckets:
            SlaRollup.objects.filter(
                day=bucket.day,
                customer_id=bucket.customer_id,
                contract_id=bucket.contract_id,
                branch_id=bucket.branch_id,
                engineer_id=bucket.engineer_id,
            ).delete()
            SlaRollup.objects.bulk_create(_bucket_counts(bucket))
        for day in days:
            _durations_recount(day, day + timedelta(days=1))


def rollups_refresh_tickets(
    tickets: Iterable[Ticket], *, before: Iterable[Bucket] = (), durations: bool = True
) -> None:
    """Recount the buckets of these tickets, and those they were in (`before`) if they moved;
    with `durations`, their days' duration histograms too."""
    rollups_refresh(
        buckets=[*before, *(bucket_of(ticket) for ticket in tickets)], durations=durations
    )


# Durations ---------------------------------------------------------------------------------------

_BIN_SQL = f"CASE WHEN m < 1 THEN 0 ELSE 1 + floor(ln(m) / ln({RATIO}))::int END"


def _durations_sql() -> str:
    parts = [
        f"SELECT (reported_at AT TIME ZONE %(tz)s)::date AS day, '{name}' AS measure, "
        f"DATE_PART('epoch', {name} - reported_at) / 60.0 AS m FROM tickets_ticket "
        f"WHERE reported_at >= %(start)s AND reported_at < %(end)s AND {name} >= reported_at"
        for name in MEASURES
    ]
    return (
        f"SELECT day, measure, {_BIN_SQL} AS bin, COUNT(*), SUM(m) "
        f"FROM ({' UNION ALL '.join(parts)}) AS durations GROUP BY day, measure, bin"
    )


def _durations_recount(first: date, end: date) -> None:
    """Recount the duration histograms of the local days [first, end)."""
    start_at, end_at = _day_range(first, end)
    with connection.cursor() as cursor:
        cursor.execute(
            _durations_sql(), {"tz": settings.TIME_ZONE, "start": start_at, "end": end_at}
        )
        rows = cursor.fetchall()
    found: dict[tuple[date, str], SlaDurationRollup] = {}
    for day, measure, bin_, count, minutes in rows:
        row = found.get((day, measure))
        if row is None:
            row = found[day, measure] = SlaDurationRollup(
                day=day, measure=measure, tickets=0, total_minutes=0.0, bins={}
            )
        row.tickets += count
        row.total_minutes += minutes
        row.bins[str(bin_)] = count
    SlaDurationRollup.objects.filter(day__gte=first, day__lt=end).delete()
    SlaDurationRollup.objects.bulk_create(found.values(), batch_size=1000)


def bin_bounds(bin_: int) -> tuple[float, float]:
    """The minutes a histogram bin holds, [low, high)."""
    if bin_ == 0:
        return 0.0, 1.0
    return RATIO ** (bin_ - 1), RATIO**bin_


def histogram_percentile(bins: dict[int, int], fraction: float) -> float | None:
    """The percentile as PostgreSQL's percentile_cont gives it, to within a bin (5 %).

    The ranks are exact; the value at a rank is taken inside its bin as if the bin's values
    were spread evenly, and two ranks are interpolated as percentile_cont does.
    """
    total = sum(bins.values())
    if not total:
        return None
    ordered = sorted(bins.items())

    def value_at(index: int) -> float:
        seen = 0
        for bin_, count in ordered:
            if index < seen + count:
                low, high = bin_bounds(bin_)
                return low + (high - low) * (index - seen + 0.5) / count
            seen += count
        return bin_bounds(ordered[-1][0])[1]

    rank = fraction * (total - 1)
    low, high = math.floor(rank), math.ceil(rank)
    below = value_at(low)
    return below if low == high else below + (value_at(high) - below) * (rank - low)


# Rebuilding ---------------------------------------------------------------------------------------


def rollups_rebuild(*, first: date | None = None, end: date | None = None) -> int:
    """Rebuild the rollups of the local days [first, end) (all days if not given) from the clocks.

    Set-based, in one transaction; the rollups are locked meanwhile, so that a bucket
    recounted at the same time waits and then recounts what this committed. Returns the
    number of rollup rows written.
    """
    clocks = SlaClock.objects.all()
    if first is None or end is None:
        bounds = Ticket.objects.order_by().aggregate(
            first=Min("reported_at"), last=Max("reported_at")
        )
        if bounds["first"] is None:
            first = end = timezone.localdate(timezone.now(), service_tz())
        else:
            first = timezone.localtime(bounds["first"], service_tz()).date()
            end = timezone.localtime(bounds["last"], service_tz()).date() + timedelta(days=1)
    start_at, end_at = _day_range(first, end)
    clocks = clocks.filter(ticket__reported_at__gte=start_at, ticket__reported_at__lt=end_at)
    grouped = (
        _settled_outcomes(clocks)
        .order_by()
        .annotate(**clock_bucket_columns("r_"))
        .values("r_day", "r_customer", "r_contract", "r_branch", "r_engineer", "kind", "outcome")
        .annotate(r_clocks=Count("pk"))
    )
    sql, params = grouped.query.sql_with_params()
    table = SlaRollup._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {table}, {SlaDurationRollup._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
        )
        cursor.execute(f"DELETE FROM {table} WHERE day >= %s AND day < %s", [first, end])
        cursor.execute(
            f"INSERT INTO {table} "
            "(day, customer_id, contract_id, branch_id, engineer_id, kind, outcome, clocks) "
            "SELECT r_day, r_customer, r_contract, r_branch, r_engineer, kind, outcome, r_clocks "
            f"FROM ({sql}) AS counted",
            params,
        )
        written = cursor.rowcount
        _durations_recount(first, end)
    return written
