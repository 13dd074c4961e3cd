"""The three measures of the SLA benchmark, and the diagnostics that explain them."""

import statistics
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import User
from bench.instruments import QueryLog, profiled, quantile, recording
from bench.machine import script_cursor
from bench.sla_dataset import CONTRACT_NUMBER, Budget, Dataset
from contracts.models import Contract
from tickets.clocks import active_rules
from tickets.escalation import sweep_due_steps
from tickets.models import EscalationRule, EscalationStep, Notification, SlaClock, Ticket

DUE_INDEX = "clock_next_step_due"


# --- 1. a sweep with nothing due -------------------------------------------------


@dataclass
class IdleSweep:
    samples_ms: list[float]
    queries: int
    plan: list[str]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return quantile(self.samples_ms, 95)

    @property
    def plan_key_line(self) -> str:
        return next((line.strip() for line in self.plan if DUE_INDEX in line), "")


def due_clock_plan(now: datetime) -> list[str]:
    """EXPLAIN ANALYZE of the sweep's query for due clocks.

    A copy of the queryset in `tickets.escalation`, which builds it inline;
    keep the two alike.
    """
    queryset = (
        SlaClock.objects.filter(next_step_at__lte=now)
        .order_by("next_step_at")
        .select_for_update(skip_locked=True)[:500]
    )
    # SELECT ... FOR UPDATE compiles only inside a transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def measure_idle_sweep(now: datetime, *, runs: int = 50, warmup: int = 5) -> IdleSweep:
    for _ in range(warmup):
        sweep_due_steps(now=now)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = sweep_due_steps(now=now)
        samples.append((time.perf_counter() - started) * 1000)
        if result.steps:
            raise RuntimeError(f"a sweep with nothing due recorded {result.steps} steps")
    with recording() as log:
        sweep_due_steps(now=now)
    return IdleSweep(samples_ms=samples, queries=log.count, plan=due_clock_plan(now))


# --- 2. one sweep with 1,000 escalations due --------------------------------------

# Due moments are spread over ten minutes, as after a short outage.
SPREAD_SECONDS = 600

# Moves whole tickets back in time (report, workflow, every clock), so each one
# stays a consistent history whose running resolution clock has passed its
# first escalation threshold and not its second: exactly one step per clock.
MAKE_DUE_SQL = """
WITH picked AS (
    SELECT t.id,
           %(reference)s::timestamptz
           - make_interval(secs => u.used
                           + (row_number() OVER (ORDER BY md5(t.id::text))) %% %(spread)s)
           - t.reported_at AS shift
    FROM (
        SELECT id, reported_at, priority FROM tickets_ticket AS candidate
        WHERE state = 'on_site' AND id >= %(first_id)s
          AND NOT EXISTS (
              SELECT 1 FROM tickets_escalationstep AS s WHERE s.ticket_id = candidate.id
          )
        ORDER BY md5(id::text)
        LIMIT %(count)s
    ) AS t
    JOIN unnest(%(priorities)s::text[], %(used)s::int[]) AS u(priority, used)
        ON u.priority = t.priority
), moved AS (
    UPDATE tickets_ticket AS t
    SET reported_at = t.reported_at + p.shift,
        acknowledged_at = t.acknowledged_at + p.shift,
        dispatched_at = t.dispatched_at + p.shift,
        departed_at = t.departed_at + p.shift,
        on_site_at = t.on_site_at + p.shift,
        created_at = t.created_at + p.shift,
        updated_at = t.updated_at + p.shift
    FROM picked AS p WHERE t.id = p.id
    RETURNING t.id
)
UPDATE tickets_slaclock AS c
SET started_at = c.started_at + p.shift,
    target_at = c.target_at + p.shift,
    at_risk_at = c.at_risk_at + p.shift,
    next_step_at = c.next_step_at + p.shift,
    stopped_at = c.stopped_at + p.shift,
    created_at = c.created_at + p.shift,
    updated_at = c.updated_at + p.shift
FROM picked AS p WHERE c.ticket_id = p.id
"""


def _used_between_first_steps(budgets: list[Budget], rules: list[EscalationRule]) -> dict:
    """Per priority, the resolution time used halfway between its first two thresholds."""
    used = {}
    for b in budgets:
        if b.kind != SlaClock.Kind.RESOLUTION:
            continue
        thresholds = sorted({r.threshold_seconds(b.seconds) for r in rules if r.applies_to(b.kind)})
        if len(thresholds) < 2 or thresholds[1] - thresholds[0] < 2 * SPREAD_SECONDS:
            raise RuntimeError("the ladder leaves no room to make exactly one step due")
        used[b.priority] = (thresholds[0] + thresholds[1]) // 2
    return used


def make_due(reference: datetime, data: Dataset, *, count: int) -> int:
    """Bring `count` running clocks to one due step each; returns how many clocks are due."""
    used = _used_between_first_steps(data.budgets, active_rules())
    with script_cursor() as cursor:
        cursor.execute(
            MAKE_DUE_SQL,
            {
                "reference": reference,
                "spread": SPREAD_SECONDS,
                "count": count,
                "first_id": data.first_id,
                "priorities": list(used),
                "used": list(used.values()),
            },
        )
    return SlaClock.objects.filter(next_step_at__lte=reference).count()


@dataclass
class DueSweep:
    seconds: float
    clocks: int
    steps: int
    notifications: int

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds


def measure_due_sweep(reference: datetime, data: Dataset, *, count: int) -> DueSweep:
    """ONE sweep with exactly `count` steps due, checked against the rows it wrote."""
    due = make_due(reference, data, count=count)
    if due != count:
        raise RuntimeError(f"{due} clocks are due instead of {count}")
    steps_before = EscalationStep.objects.count()
    notes_before = Notification.objects.count()
    started = time.perf_counter()
    result = sweep_due_steps(now=reference)
    seconds = time.perf_counter() - started
    created = EscalationStep.objects.count() - steps_before
    notified = Notification.objects.count() - notes_before
    if result.steps != count or created != count:
        raise RuntimeError(f"the sweep recorded {result.steps} steps ({created} rows), not {count}")
    if notified != result.notifications:
        raise RuntimeError(f"{notified} notification rows for {result.notifications} reported")
    left = SlaClock.objects.filter(next_step_at__lte=reference).count()
    if left:
        raise RuntimeError(f"{left} clocks are still due after the sweep")
    return DueSweep(seconds, result.clocks, result.steps, result.notifications)


@dataclass
class Profile:
    seconds: float
    sql: QueryLog
    plan: list[str]
    python: list[tuple[str, float]]


SWEEP_PARTS = [
    ("`SlaClock.objects.bulk_update`", "django/db/models/query.py", "bulk_update"),
    ("`bulk_create` of steps, notifications, events", "django/db/models/query.py", "bulk_create"),
    ("`_step_message`", "tickets/escalation.py", "_step_message"),
    ("`moment_when_used`", "tickets/clockmath.py", "moment_when_used"),
    ("`_Staff.recipients`", "tickets/escalation.py", "recipients"),
]


def profile_due_sweep(reference: datetime, data: Dataset, *, count: int) -> Profile:
    """The same measure twice more on other tickets: every SQL statement timed, then cProfile."""
    if make_due(reference, data, count=count) != count:
        raise RuntimeError("could not make the clocks of the profiled sweep due")
    plan = due_clock_plan(reference)
    with recording() as log:
        started = time.perf_counter()
        result = sweep_due_steps(now=reference)
        seconds = time.perf_counter() - started
    if result.steps != count:
        raise RuntimeError(f"the profiled sweep recorded {result.steps} steps, not {count}")
    if make_due(reference, data, count=count) != count:
        raise RuntimeError("could not make the clocks of the cProfile sweep due")
    python = profiled(lambda: sweep_due_steps(now=reference), SWEEP_PARTS)
    return Profile(seconds, log, plan, python)


# --- 3. ticket creation through the API -------------------------------------------


@dataclass
class Creation:
    samples_ms: list[float]
    queries_per_request: float
    sql_share: float
    top: list[tuple[str, int, float]]
    python: list[tuple[str, float]]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99_ms(self) -> float:
        return quantile(self.samples_ms, 99)


CREATE_PARTS = [
    ("input validation", "rest_framework/serializers.py", "is_valid"),
    ("`ticket_create`", "tickets/services/creation.py", "ticket_create"),
    ("the 201 response body (`_detail`)", "tickets/api/views.py", "_detail"),
    ("`ScheduleCache.get` (calendars)", "tickets/clocks.py", "get"),
]


def measure_creation(
    *, requests: int = 500, warmup: int = 20, profiled_requests: int = 20
) -> Creation:
    contract = Contract.objects.get(number=CONTRACT_NUMBER)
    site = contract.sites.order_by("pk").first()
    client = APIClient()
    client.force_authenticate(user=User.objects.get(username="agent"))
    payload = {
        "contract": contract.pk,
        "site": site.pk,
        "kind": "fault",
        "priority": "P2",
        "channel": "api",
        "summary": "调度大屏数据不刷新",
        "description": "benchmark",
    }

    def post() -> float:
        started = time.perf_counter()
        response = client.post("/api/tickets/", payload, format="json")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise RuntimeError(
                f"POST /api/tickets/ gave {response.status_code}: {response.content}"
            )
        return elapsed

    before = Ticket.objects.count()
    for _ in range(warmup):
        post()
    samples = [post() for _ in range(requests)]
    with recording() as log:
        started = time.perf_counter()
        for _ in range(profiled_requests):
            post()
        wall = time.perf_counter() - started
    python = profiled(lambda: [post() for _ in range(profiled_requests)], CREATE_PARTS)
    created = Ticket.objects.count() - before
    expected = warmup + requests + 2 * profiled_requests
    if created != expected:
        raise RuntimeError(f"{created} tickets created for {expected} POSTs")
    return Creation(
        samples_ms=samples,
        queries_per_request=log.count / profiled_requests,
        sql_share=log.seconds / wall,
        top=log.top(),
        python=python,
    )
