"""Keeping the SLA rollups (`tickets.models.rollups`) equal to a recount of the clocks.

A bucket is one local day of reported tickets with the same customer, contract, branch and
engineer. Whatever changes a clock's outcome or a ticket's bucket (a ticket created, a
workflow step, a priority change, a warning or a breach the sweep records) recounts the
bucket(s) it touched from the clocks, in the same transaction, under a lock on the bucket:
two workers recounting the same bucket run one after the other, and the second counts what
the first committed, so the result is the recount whatever the order. The durations of the
day are recounted with it when a measured moment changed.

Every clock is counted under its *rolled* outcome, which does not depend on the moment:
a settled clock (stopped, cancelled, paused, or with a breach recorded) under its outcome,
which `outcome_case` gives the same at any moment; a clock still counting (`LIVE`: running,
no breach recorded, not stopped) as at risk once the sweep recorded its first warning,
running before. Its outcome at a moment can differ from that only while the sweep has not
yet recorded what the moment passed (its first warning, its target): `live_corrections`
finds those few clocks through partial indexes, and the reports move them from the rolled
outcome to the one at the moment, so the figures are the clock rule's at any moment while
a month costs the same at any history size.
"""

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Max, Min, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from tickets.models import Outcome, SlaClock, SlaDurationRollup, SlaRollup, Ticket
from tickets.models.clocks import live_outcome_until, outcome_case

# The clocks whose outcome still moves with time (module docstring).
LIVE = Q(status=SlaClock.Status.RUNNING, breached_at__isnull=True, stopped_at__isnull=True)

# Outcomes the rollups keep; "not needed" counts in no SLA figure.
KEPT = [Outcome.MET, Outcome.BREACHED, Outcome.PAUSED, Outcome.AT_RISK, Outcome.RUNNING]

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


def rolled_outcome() -> Case:
    """A clock's outcome as the rollups count it (module docstring): the same at any moment."""
    return Case(
        When(LIVE & Q(warned_at__isnull=False), then=Value(Outcome.AT_RISK.value)),
        When(LIVE, then=Value(Outcome.RUNNING.value)),
        # Settled: the moment given to the rule does not change the outcome.
        default=outcome_case(timezone.now()),
        output_field=CharField(),
    )


def _rolled_outcomes(clocks):
    """Clocks with their rolled outcome, those counted in a figure."""
    return clocks.annotate(outcome=rolled_outcome()).filter(outcome__in=KEPT)


def live_corrections(clocks, now: datetime):
    """The clocks still counting whose outcome at `now` is not their rolled one, annotated
    with both (`rolled`, `outcome`): those past their target, or past their first warning
    with none recorded (the sweep has not reached them yet), or with a warning recorded
    after the moment asked. A few while the sweep keeps up, each found through a partial
    index (`clock_live_until`, `clock_live_warned`), whatever the number of clocks counting."""
    maybe = Q(until__lte=now) | (
        Q(warned_at__isnull=False) & (Q(at_risk_at__isnull=True) | Q(at_risk_at__gt=now))
    )
    return (
        clocks.annotate(until=live_outcome_until())
        .filter(LIVE & maybe)
        .annotate(rolled=rolled_outcome())
        .with_outcome(now)
        .exclude(rolled=F("outcome"))
    )


def _bucket_clocks(bucket: Bucket):
    start_at, end_at = _day_range(bucket.day, bucket.day + timedelta(days=1))
    return SlaClock.objects.filter(
        ticket__reported_at__gte=start_at,
        ticket__reported_at__lt=end_at,
        ticket__customer_id=bucket.customer_id,
        ticket__contract_id=bucket.contract_id,
        ticket__branch_id=bucket.branch_id,
        ticket__assigned_engineer_id=bucket.engineer_id,
    )


_ROLLUP_COLUMNS = "day, customer_id, contract_id, branch_id, engineer_id, kind, outcome, clocks"


def _bucket_counted(bucket: Bucket):
    """The bucket's clocks counted by kind and rolled outcome."""
    return (
        _rolled_outcomes(_bucket_clocks(bucket))
        .order_by()
        .values("kind", "outcome")
        .annotate(n=Count("pk"))
    )


class _Slot(NamedTuple):
    name: str | int  # "start", "end", or the index of a dimension in Bucket[1:]


# A bucket's count as SQL, compiled once per process for each pattern of empty dimensions
# (16 at most): compiling the outcome rule cost more than counting with it. It is compiled
# for a probe bucket whose values occur nowhere else in the statement's parameters (a day of
# 1900, negative ids); the parameters where they occur become slots for each bucket's values.
_PROBE_DAY = date(1900, 1, 1)
_count_statements: dict[tuple[bool, ...], tuple[str, list]] = {}


def _compile_bucket_count(empty: tuple[bool, ...]) -> tuple[str, list]:
    probe = Bucket(_PROBE_DAY, *(None if none else -1 - i for i, none in enumerate(empty)))
    sql, params = _bucket_counted(probe).query.sql_with_params()
    start_at, end_at = _day_range(_PROBE_DAY, _PROBE_DAY + timedelta(days=1))
    names = {("moment", start_at): "start", ("moment", end_at): "end"}
    names.update({("id", -1 - i): i for i, none in enumerate(empty) if not none})
    template: list = []
    for param in params:
        kind = "moment" if isinstance(param, datetime) else "id" if type(param) is int else None
        name = names.get((kind, param)) if kind else None
        template.append(_Slot(name) if name is not None else param)
    slots = sorted(str(slot.name) for slot in template if isinstance(slot, _Slot))
    if slots != sorted(str(name) for name in names.values()):
        raise RuntimeError(f"the bucket count's parameters changed shape: {params!r}")
    return sql, template


def _bucket_count_sql(bucket: Bucket) -> tuple[str, list]:
    empty = tuple(value is None for value in bucket[1:])
    statement = _count_statements.get(empty)
    if statement is None:
        statement = _count_statements[empty] = _compile_bucket_count(empty)
    sql, template = statement
    start_at, end_at = _day_range(bucket.day, bucket.day + timedelta(days=1))
    values = {"start": start_at, "end": end_at, **dict(enumerate(bucket[1:]))}
    return sql, [values[part.name] if isinstance(part, _Slot) else part for part in template]


# One bucket replaced by its recount: the DELETE and the INSERT see the same snapshot, taken
# after the buckets' locks. `{count}` is the bucket's count (_bucket_count_sql).
_RECOUNT_SQL = (
    "WITH old AS (DELETE FROM {table} WHERE day = %s AND customer_id IS NOT DISTINCT FROM %s "
    "AND contract_id IS NOT DISTINCT FROM %s AND branch_id IS NOT DISTINCT FROM %s "
    "AND engineer_id IS NOT DISTINCT FROM %s) "
    "INSERT INTO {table} ({columns}) "
    "SELECT %s::date, %s::bigint, %s::bigint, %s::bigint, %s::bigint, "
    "counted.kind, counted.outcome, counted.n FROM ({count}) AS counted"
)


def _buckets_recount(buckets: list[Bucket]) -> None:
    """Replace the buckets' rows by a recount of their clocks, the counting done where the
    clocks are (each bucket one range of the index `ticket_rollup_bucket`), nothing carried
    through Python. One statement per bucket, the same text for all the buckets with the
    same empty dimensions: sent together (psycopg's executemany pipelines them), converted
    and planned once, however many buckets a sweep recounts."""
    statements: dict[str, list] = {}
    for bucket in buckets:
        count_sql, count_params = _bucket_count_sql(bucket)
        sql = _RECOUNT_SQL.format(
            table=SlaRollup._meta.db_table, columns=_ROLLUP_COLUMNS, count=count_sql
        )
        statements.setdefault(sql, []).append([*bucket, *bucket, *count_params])
    with connection.cursor() as cursor:
        for sql, rows in statements.items():
            cursor.executemany(sql, rows)


def _lock(keys: Iterable[str]) -> None:
    # In a fixed order, so that two workers never wait on each other's second bucket. One
    # statement for all the keys: the outer select takes the keys in the sorted subquery's
    # order (OFFSET 0 keeps the subquery from being flattened into it).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) FROM ("
            'SELECT key FROM unnest(%s::text[]) AS key ORDER BY key COLLATE "C" OFFSET 0'
            ") AS keys",
            [sorted(set(keys))],
        )


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
    # Inside the caller's transaction if there is one (a workflow step, a creation): the
    # locks last until it commits, and no savepoint is needed.
    with transaction.atomic(savepoint=False):
        _lock([bucket.key for bucket in buckets] + [f"sla-durations:{day}" for day in days])
        _buckets_recount(buckets)
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
        _rolled_outcomes(clocks)
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
            f"INSERT INTO {table} ({_ROLLUP_COLUMNS}) "
            "SELECT r_day, r_customer, r_contract, r_branch, r_engineer, kind, outcome, r_clocks "
            f"FROM ({sql}) AS counted",
            params,
        )
        written = cursor.rowcount
        _durations_recount(first, end)
    return written
