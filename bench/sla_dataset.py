"""A large, consistent ticket history made with set-based SQL, for the SLA benchmark.

The ORM would need hours for a million tickets and three million clocks; one
INSERT ... SELECT FROM generate_series per table takes a minute or two. The
rows follow the same rules as `tickets.services.creation.ticket_create` and
`tickets.clocks.clock_recompute`, so the sweep cannot tell them from real
tickets:

* every ticket is a fault on the demo contract DJ-2024-017 in its warranty
  phase, P1 or P2; their clocks all count in the contract's 7×24 calendar,
  which is what lets SQL do the clock arithmetic (P3 counts business hours,
  which only `contracts.worktime` can compute);
* closed tickets were reported between 360 and 2 days before the reference
  instant, and every promise was met before its first warning, so no
  escalation step ever fell due for them;
* open tickets were reported within one resolution allowance before the
  reference instant; the further along, the more was done (new,
  acknowledged, engineer on site), and each clock still running is short of
  its first escalation step, so none has a step recorded and the earliest
  `next_step_at` lies after the reference instant.
"""

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from bench.machine import script_cursor
from contracts.models import Contract
from contracts.phases import Phase
from tickets.clocks import ScheduleCache, active_rules, clock_recompute
from tickets.models import EscalationRule, SlaClock, Ticket
from tickets.services.creation import terms_snapshot

CONTRACT_NUMBER = "DJ-2024-017"
PRIORITIES = ("P1", "P2")
CLOSED_OLDEST = timedelta(days=360)
CLOSED_NEWEST = timedelta(days=2)
SUMMARIES = [
    "调度大屏数据不刷新",
    "泵站遥测数据中断",
    "报表导出失败",
    "水质在线监测告警误报",
    "登录后页面空白",
    "数据采集网关离线",
]


@dataclass(frozen=True)
class Budget:
    priority: str
    kind: str
    calendar_id: int | None
    seconds: int
    at_risk: int | None
    first_step: int


@dataclass
class Dataset:
    reference: datetime
    first_id: int
    tickets: int
    open_tickets: int
    clocks: int
    running_clocks: int
    demo_tickets: int
    seconds: float
    budgets: list[Budget]


def _first_thresholds(rules: list[EscalationRule], kind: str, seconds: int):
    """When the clock becomes at risk (first warning) and when its first step falls due."""
    applicable = [r for r in rules if r.applies_to(kind)]
    warnings = [r for r in applicable if r.kind == EscalationRule.Kind.WARNING]
    at_risk = min((r.threshold_seconds(seconds) for r in warnings), default=None)
    return at_risk, min(r.threshold_seconds(seconds) for r in applicable)


def _budgets(contract: Contract) -> tuple[list[Budget], dict[str, str]]:
    rules = active_rules()
    if not rules:
        raise RuntimeError("no active escalation rule: the sweep would have nothing to do")
    schedules = ScheduleCache()
    budgets, snapshots = [], {}
    for priority in PRIORITIES:
        terms = contract.terms_for(Phase.WARRANTY, priority)
        if terms is None or not (terms.response_minutes and terms.onsite_minutes):
            raise RuntimeError(f"{CONTRACT_NUMBER} promises no response and on-site {priority}")
        snapshots[priority] = terms_snapshot(contract, Phase.WARRANTY, terms)
        for kind, minutes, calendar_id in [
            (SlaClock.Kind.RESPONSE, terms.response_minutes, terms.response_calendar_id),
            (SlaClock.Kind.ONSITE, terms.onsite_minutes, terms.onsite_calendar_id),
            (SlaClock.Kind.RESOLUTION, terms.resolution_minutes, terms.resolution_calendar_id),
        ]:
            if not schedules.get(calendar_id).always_on:
                raise RuntimeError(f"{priority} {kind} counts business hours; SQL cannot")
            at_risk, first_step = _first_thresholds(rules, kind, minutes * 60)
            budgets.append(
                Budget(priority, str(kind), calendar_id, minutes * 60, at_risk, first_step)
            )
    return budgets, snapshots


def _stage_limits(budgets: list[Budget]) -> dict[str, int]:
    """Offsets from the report, in seconds, of each stage; the tightest terms decide."""

    def first(kind: str) -> int:
        return min(b.first_step for b in budgets if b.kind == kind)

    resolution_budget = min(b.seconds for b in budgets if b.kind == SlaClock.Kind.RESOLUTION)
    limits = {
        "response_first": first(SlaClock.Kind.RESPONSE),
        "onsite_first": first(SlaClock.Kind.ONSITE),
        "resolution_first": first(SlaClock.Kind.RESOLUTION),
    }
    limits["ack"] = limits["response_first"] * 2 // 3
    limits["dispatch"] = limits["response_first"]
    limits["depart"] = limits["dispatch"] + 300
    limits["onsite"] = limits["onsite_first"] * 3 // 4
    limits["resolve"] = min(resolution_budget // 4, limits["resolution_first"] * 3 // 4)
    # Closed tickets subtract up to 45 % of each offset for variety; the order
    # of the workflow must survive that, or the history would be impossible.
    if not (
        limits["ack"] < limits["dispatch"] < limits["depart"] < limits["onsite"] * 0.55
        and limits["onsite"] < limits["resolve"] * 0.55
        and limits["response_first"] < limits["onsite_first"] < limits["resolution_first"]
    ):
        raise RuntimeError(f"the demo terms no longer fit the dataset's workflow: {limits}")
    return limits


TICKETS_SQL = """
WITH base AS (
    SELECT g,
           CASE WHEN g <= %(closed)s
                THEN %(t0)s::timestamptz
                     - make_interval(secs => %(closed_oldest)s - (g - 1) * %(closed_step)s)
                ELSE %(t0)s::timestamptz
                     - make_interval(secs => (%(total)s - g + 0.5) * %(open_step)s)
           END AS r,
           CASE WHEN g %% 5 = 0 THEN 'P1' ELSE 'P2' END AS priority,
           g %% 10 AS v
    FROM generate_series(1, %(total)s) AS g
), staged AS (
    SELECT base.*,
           CASE WHEN g <= %(closed)s THEN 'closed'
                WHEN %(t0)s::timestamptz - r < make_interval(secs => %(response_first)s)
                    THEN 'new'
                WHEN %(t0)s::timestamptz - r < make_interval(secs => %(onsite_first)s)
                    THEN 'acknowledged'
                ELSE 'on_site'
           END AS state,
           extract(year FROM r AT TIME ZONE %(tz)s)::int AS year
    FROM base
), timed AS (
    SELECT staged.*,
           CASE WHEN state <> 'new'
                THEN r + make_interval(secs => %(ack)s - v * %(ack)s / 20.0) END AS ack,
           CASE WHEN state IN ('closed', 'on_site')
                THEN r + make_interval(secs => %(dispatch)s) END AS disp,
           CASE WHEN state IN ('closed', 'on_site')
                THEN r + make_interval(secs => %(depart)s) END AS dep,
           CASE WHEN state IN ('closed', 'on_site')
                THEN r + make_interval(secs => %(onsite)s - v * %(onsite)s / 20.0) END AS onsite,
           CASE WHEN state = 'closed'
                THEN r + make_interval(secs => %(resolve)s - v * %(resolve)s / 20.0)
           END AS resolved,
           row_number() OVER (PARTITION BY year ORDER BY g)
           + coalesce(ts.last, 0) AS seq
    FROM staged LEFT JOIN tickets_ticketsequence AS ts USING (year)
)
INSERT INTO tickets_ticket (
    number, kind, priority, channel, state, phase, covered, terms_applied, summary,
    description, reported_at, state_before_wait, acknowledged_at, dispatched_at,
    departed_at, on_site_at, resolved_at, closed_at, confirmed_by_customer, created_at,
    updated_at, assigned_engineer_id, branch_id, contact_id, contract_id, covered_item_id,
    created_by_id, customer_id, site_id
)
SELECT year || '-' || lpad(seq::text, greatest(6, length(seq::text)), '0'),
       'fault', priority, (ARRAY['phone', 'portal', 'email', 'api'])[g %% 4 + 1], state,
       %(phase)s, true,
       CASE priority WHEN 'P1' THEN %(terms_p1)s::jsonb ELSE %(terms_p2)s::jsonb END,
       (%(summaries)s::text[])[g %% %(n_summaries)s + 1], '', r, '', ack, disp, dep, onsite,
       resolved, resolved + interval '1 day', state = 'closed' AND g %% 3 = 0, r,
       coalesce(resolved + interval '1 day', onsite, ack, r),
       CASE WHEN disp IS NOT NULL THEN (%(engineers)s::bigint[])[g %% %(n_engineers)s + 1] END,
       %(branch)s, (%(contacts)s::bigint[])[g %% %(n_contacts)s + 1], %(contract)s, NULL,
       %(agent)s, %(customer)s, (%(sites)s::bigint[])[g %% %(n_sites)s + 1]
FROM timed
ORDER BY g
"""

# A clock stops when its promise is kept: acknowledged, engineer on site, resolved.
# 7×24 calendars have no holidays, so no deadline is provisional.
CLOCKS_SQL = """
INSERT INTO tickets_slaclock (
    ticket_id, kind, calendar_id, budget_seconds, started_at, target_at, at_risk_at,
    next_step_at, status, stopped_at, warned_at, breached_at, created_at, updated_at,
    unconfirmed_years
)
SELECT t.id, b.kind, b.calendar_id, b.budget, t.reported_at,
       t.reported_at + make_interval(secs => b.budget),
       t.reported_at + make_interval(secs => b.at_risk),
       CASE WHEN x.stop IS NULL THEN t.reported_at + make_interval(secs => b.first_step) END,
       CASE WHEN x.stop IS NULL THEN 'running' ELSE 'met' END,
       x.stop, NULL, NULL, t.reported_at, coalesce(x.stop, t.reported_at), '[]'::jsonb
FROM tickets_ticket AS t
JOIN unnest(
    %(priorities)s::text[], %(kinds)s::text[], %(calendars)s::bigint[], %(seconds)s::int[],
    %(at_risk)s::int[], %(first_step)s::int[]
) AS b(priority, kind, calendar_id, budget, at_risk, first_step)
    ON b.priority = t.priority
CROSS JOIN LATERAL (
    SELECT CASE b.kind WHEN 'response' THEN t.acknowledged_at
                       WHEN 'onsite' THEN t.on_site_at
                       ELSE t.resolved_at END
) AS x(stop)
WHERE t.id >= %(first_id)s
ORDER BY t.id, b.kind
"""

SEQUENCE_SQL = """
INSERT INTO tickets_ticketsequence (year, last)
SELECT split_part(number, '-', 1)::int, max(split_part(number, '-', 2)::int)
FROM tickets_ticket GROUP BY 1
ON CONFLICT (year) DO UPDATE SET last = greatest(tickets_ticketsequence.last, EXCLUDED.last)
"""


def _check_sample(first_id: int, snapshots: dict, size: int = 300) -> None:
    """Recompute a sample of generated clocks with the project's own code: SQL must agree."""
    rules, schedules = active_rules(), ScheduleCache()
    sample = (
        SlaClock.objects.filter(ticket_id__gte=first_id)
        .select_related("ticket", "ticket__contract")
        .order_by("?")[:size]
    )
    for stored in sample:
        ticket = stored.ticket
        phase = ticket.contract.phase_at(ticket.reported_at)
        if phase != ticket.phase or ticket.terms_applied != snapshots[ticket.priority]:
            raise RuntimeError(f"ticket {ticket.pk}: phase or terms differ from ticket_create's")
        fresh = SlaClock(
            ticket=ticket,
            kind=stored.kind,
            calendar_id=stored.calendar_id,
            budget_seconds=stored.budget_seconds,
            started_at=stored.started_at,
            stopped_at=stored.stopped_at,
            status=stored.status,
        )
        clock_recompute(fresh, schedules=schedules, rules=rules, fired_rule_ids=(), pauses=[])
        for name in ("target_at", "at_risk_at", "next_step_at", "unconfirmed_years"):
            if getattr(fresh, name) != getattr(stored, name):
                raise RuntimeError(
                    f"clock {stored.pk} {name}: SQL gave {getattr(stored, name)}, "
                    f"tickets.clocks gives {getattr(fresh, name)}"
                )
        stop = {
            SlaClock.Kind.RESPONSE: ticket.acknowledged_at,
            SlaClock.Kind.ONSITE: ticket.on_site_at,
            SlaClock.Kind.RESOLUTION: ticket.resolved_at,
        }[stored.kind]
        if stored.stopped_at != stop or (stop is not None and stop > stored.target_at):
            raise RuntimeError(f"clock {stored.pk}: stopped {stored.stopped_at}, not as the ticket")


def dataset_create(*, reference: datetime, total: int, open_tickets: int, log) -> Dataset:
    """Fill an empty database with `total` tickets, `open_tickets` of them still open."""
    # The demo's handful of tickets are welcome; an earlier run's million are not.
    if Ticket.objects.count() > 1000:
        raise RuntimeError(
            "the database already holds many tickets: the benchmark needs a fresh one"
        )
    if not 0 < open_tickets < total:
        raise ValueError("open tickets must be fewer than all tickets, and some")
    contract = Contract.objects.prefetch_related("terms", "sites").get(number=CONTRACT_NUMBER)
    budgets, snapshots = _budgets(contract)
    limits = _stage_limits(budgets)
    engineers = list(
        User.objects.filter(
            groups__name=Role.ENGINEER, branch_id=contract.branch_id, is_active=True
        ).values_list("pk", flat=True)
    )
    sites = list(contract.sites.order_by("pk").values_list("pk", flat=True))
    contacts = list(contract.customer.contacts.order_by("pk").values_list("pk", flat=True))
    if not (engineers and sites and contacts):
        raise RuntimeError("demo data missing: engineers, sites or contacts of the contract")
    closed = total - open_tickets
    params = {
        "t0": reference,
        "tz": settings.TIME_ZONE,
        "total": total,
        "closed": closed,
        "closed_oldest": CLOSED_OLDEST.total_seconds(),
        "closed_step": (CLOSED_OLDEST - CLOSED_NEWEST).total_seconds() / max(closed - 1, 1),
        "open_step": limits["resolution_first"] / open_tickets,
        "phase": str(Phase.WARRANTY),
        "terms_p1": json.dumps(snapshots["P1"]),
        "terms_p2": json.dumps(snapshots["P2"]),
        "summaries": SUMMARIES,
        "n_summaries": len(SUMMARIES),
        "engineers": engineers,
        "n_engineers": len(engineers),
        "contacts": contacts,
        "n_contacts": len(contacts),
        "sites": sites,
        "n_sites": len(sites),
        "branch": contract.branch_id,
        "contract": contract.pk,
        "customer": contract.customer_id,
        "agent": User.objects.get(username="agent").pk,
        **limits,
    }
    clock_params = {
        "priorities": [b.priority for b in budgets],
        "kinds": [b.kind for b in budgets],
        "calendars": [b.calendar_id for b in budgets],
        "seconds": [b.seconds for b in budgets],
        "at_risk": [b.at_risk for b in budgets],
        "first_step": [b.first_step for b in budgets],
    }
    first_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    with script_cursor() as cursor:
        # The window over a million rows sorts in memory rather than on disk.
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        log(f"inserting {total:,} tickets")
        cursor.execute(TICKETS_SQL, params)
        log(f"inserting their clocks ({time.perf_counter() - started:.0f} s so far)")
        cursor.execute(CLOCKS_SQL, {**clock_params, "first_id": first_id})
        cursor.execute(SEQUENCE_SQL)
        log(f"vacuum and analyze ({time.perf_counter() - started:.0f} s so far)")
        # Freshly loaded pages would otherwise get their hint bits and
        # visibility map written during the measures, and autovacuum would
        # wake up in the middle of them.
        cursor.execute("VACUUM (ANALYZE) tickets_ticket, tickets_slaclock")
        cursor.execute("ANALYZE")
        cursor.execute("RESET work_mem")
        cursor.execute("RESET maintenance_work_mem")
    seconds = time.perf_counter() - started
    due = SlaClock.objects.filter(next_step_at__lte=reference).count()
    if due:
        raise RuntimeError(f"{due} clocks are due right after loading: the dataset is wrong")
    _check_sample(first_id, snapshots)
    tickets = Ticket.objects.filter(pk__gte=first_id)
    clocks = SlaClock.objects.filter(ticket_id__gte=first_id)
    return Dataset(
        reference=reference,
        first_id=first_id,
        tickets=tickets.count(),
        open_tickets=tickets.exclude(state="closed").count(),
        clocks=clocks.count(),
        running_clocks=clocks.filter(next_step_at__isnull=False).count(),
        demo_tickets=Ticket.objects.filter(pk__lt=first_id).count(),
        seconds=seconds,
        budgets=budgets,
    )
