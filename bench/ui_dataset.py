"""Three months of a busy service desk in set-based SQL, for the page benchmark (`bench.ui`).

Every ticket follows a planned history drawn at random (seeded): reported
at some moment of the last `days` days (mostly in the daytime), on a site of
one of twenty-odd customers, a fault, consultation, complaint or change
request, P1/P2/P3. It is acknowledged, dispatched, the engineer sets off and
arrives, the ticket is resolved and closed, each step after a share of the
time the contract allows (the share is mostly within the promise, sometimes
past it, and a long tail of tickets waits for weeks). Some calls are
cancelled. The state of a ticket is simply the last step of its plan that
lies before the reference instant; an open ticket may instead be waiting on
the customer since a moment after its last step, its clocks paused.

Clocks, escalation steps and notifications then follow the project's rules
for those timestamps, as `tickets.services`, `tickets.clocks` and the sweep
would have written them:

* which clocks a ticket has and their allowance: `clock_budgets`, from the
  terms of the contract phase the call came in (none when not covered);
* target, at-risk moment and every escalation threshold are working time
  counted from the report in the clock's calendar. 7×24 is plain addition;
  business hours (P3 on-site and resolution) go through a table of the
  calendar's working intervals, taken from `contracts.worktime` itself, and
  a small PL/pgSQL function; a deadline that reads a year whose holidays
  the calendar has not confirmed records it (`unconfirmed_years`); a sample
  is checked against `tickets.clocks.clock_recompute`;
* acknowledging stops the response clock, arriving on site the on-site
  clock, resolving the resolution and repair clocks (and cancels an on-site
  clock without a visit), cancelling cancels what still runs, waiting on
  the customer pauses what still runs (an open pause, no target);
* every threshold passed before a clock stopped or paused (or before the
  reference instant) has its escalation step, recorded two seconds after it
  fell due; the first warning sets `warned_at`, the breach step
  `breached_at` and the status; the next threshold is `next_step_at`, so
  right after loading no step is due. Steps of finished tickets and older
  ones are acknowledged by their tier. Management and leadership steps, and
  implementation steps of dispatched tickets, notify the people the sweep
  notifies first (service manager, leader, assigned engineer).

Not generated, because neither page reads them: ticket events, fault
reports, attachments, historical (closed) pauses and reopened tickets.

The parts, by what they build: bench/ui_lookups.py (the tables the SQL
draws from, and working time in SQL), bench/ui_tickets.py (histories and
tickets), bench/ui_clocks.py (clocks, pauses, steps, notifications),
bench/ui_dataset_checks.py (the checks).
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from bench.machine import script_cursor
from bench.ui_clocks import clocks_insert
from bench.ui_dataset_checks import consistency_check, sample_check
from bench.ui_lookups import lookups_load
from bench.ui_tickets import SUMMARIES, tickets_insert
from bench.ui_world import Slot
from contracts.models import Contract
from tickets.clocks import ScheduleCache, active_rules
from tickets.models import OPEN_STATES, EscalationStep, SlaClock, Ticket
from tickets.notify import notifications_withdrawn_refresh
from tickets.rollups import rollups_rebuild


@dataclass
class UiDataset:
    reference: datetime
    first_id: int
    days: int
    tickets: int
    demo_tickets: int
    by_state: dict[str, int]
    open_tickets: int
    unacknowledged: int
    waiting: int
    open_breached: int
    covered: int
    clocks: int
    clocks_by_status: dict[str, int]
    at_risk_now: int
    steps: int
    notifications: int
    customers: int
    contracts: int
    sites: int
    engineers: int
    seconds: float
    checked: int


def _params(*, reference: datetime, total: int, days: int, tz: ZoneInfo, first_id: int) -> dict:
    """The parameters every statement of the dataset is run with."""
    local_today = reference.astimezone(tz).date()
    return {
        "t0": reference,
        "tz": settings.TIME_ZONE,
        "total": total,
        "days": days,
        "midnight": datetime.combine(local_today, datetime.min.time(), tzinfo=tz),
        # Share of tickets in the long tail of late resolutions: 1 - late.
        "late": 0.87,
        "first_id": first_id,
        "open": [str(s) for s in OPEN_STATES],
        "agents": list(
            User.objects.filter(groups__name=Role.AGENT).order_by("pk").values_list("pk", flat=True)
        ),
        "summary_kinds": list(SUMMARIES),
        "summary_lists": ["|".join(v) for v in SUMMARIES.values()],
    }


def _fill(cursor, *, params: dict, slots, reference, days, tz, rules, seed, step) -> None:
    """Lookups, tickets, clocks and steps in one connection, then vacuumed and checked."""
    cursor.execute("SET work_mem = '256MB'")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("SELECT setseed(%s)", [seed])
    lookups_load(
        cursor,
        slots=slots,
        reference=reference,
        days=days,
        tz=tz,
        schedules=ScheduleCache(),
        rules=rules,
    )
    tickets_insert(cursor, params, step)
    clocks_insert(cursor, params, step)
    for table in ("bench_draw", "bench_plan", "bench_steps", "bench_t", "bench_c", "bench_m"):
        cursor.execute(f"DROP TABLE {table}")
    cursor.execute("DROP TABLE bench_clock")
    # The SLA figures read the rollups: filled from the clocks as the command would.
    step("rebuilding the SLA rollups")
    rollups_rebuild()
    # The header's badge counts by the stored flag, which steps keep; bulk data is set once.
    step("marking withdrawn warnings")
    notifications_withdrawn_refresh()
    step("vacuum and analyze")
    cursor.execute(
        "VACUUM (ANALYZE) tickets_ticket, tickets_slaclock, tickets_clockpause, "
        "tickets_escalationstep, tickets_notification, tickets_slarollup, "
        "tickets_sladurationrollup"
    )
    cursor.execute("ANALYZE")
    cursor.execute("RESET work_mem")
    cursor.execute("RESET maintenance_work_mem")
    consistency_check(cursor, params)


def ui_dataset_create(
    *, reference: datetime, total: int, days: int, slots: list[Slot], seed: float, log
) -> UiDataset:
    """Fill a freshly migrated demo database with `total` tickets over the last `days` days."""
    if Ticket.objects.count() > 1000:
        raise RuntimeError(
            "the database already holds many tickets: the benchmark needs a fresh one"
        )
    tz = ZoneInfo(settings.TIME_ZONE)
    rules = active_rules()
    if not rules:
        raise RuntimeError("no active escalation rule")
    first_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    params = _params(reference=reference, total=total, days=days, tz=tz, first_id=first_id)
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"{message} ({time.perf_counter() - started:.0f} s so far)")

    with script_cursor() as cursor:
        _fill(
            cursor,
            params=params,
            slots=slots,
            reference=reference,
            days=days,
            tz=tz,
            rules=rules,
            seed=seed,
            step=step,
        )
    seconds = time.perf_counter() - started
    due = SlaClock.objects.filter(next_step_at__lte=reference).count()
    if due:
        raise RuntimeError(f"{due} clocks are due right after loading: the dataset is wrong")
    checked = sample_check(first_id, reference)
    described = _describe(reference=reference, first_id=first_id, days=days, seconds=seconds)
    return UiDataset(**described, checked=checked)


def _describe(*, reference: datetime, first_id: int, days: int, seconds: float) -> dict:
    from django.db.models import Count

    from contracts.models import Customer, Site
    from tickets.models import Notification

    tickets = Ticket.objects.filter(pk__gte=first_id)
    clocks = SlaClock.objects.filter(ticket_id__gte=first_id)
    by_state = dict(
        tickets.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    open_tickets = tickets.filter(state__in=OPEN_STATES)
    return {
        "reference": reference,
        "first_id": first_id,
        "days": days,
        "tickets": tickets.count(),
        "demo_tickets": Ticket.objects.filter(pk__lt=first_id).count(),
        "by_state": dict(sorted(by_state.items(), key=lambda kv: -kv[1])),
        "open_tickets": open_tickets.count(),
        "unacknowledged": open_tickets.filter(state__in=["new", "submitted"]).count(),
        "waiting": open_tickets.filter(state="waiting_customer").count(),
        "open_breached": open_tickets.filter(
            pk__in=SlaClock.objects.breached(reference).values("ticket_id")
        ).count(),
        "covered": tickets.filter(covered=True).count(),
        "clocks": clocks.count(),
        "clocks_by_status": dict(
            clocks.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        ),
        "at_risk_now": clocks.at_risk(reference).count(),
        "steps": EscalationStep.objects.filter(ticket_id__gte=first_id).count(),
        "notifications": Notification.objects.filter(ticket_id__gte=first_id).count(),
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "sites": Site.objects.count(),
        "engineers": User.objects.filter(groups__name=Role.ENGINEER).count(),
        "seconds": seconds,
    }


def seed_value(text: str) -> float:
    """A setseed() argument in [-1, 1] from any string."""
    return random.Random(text).uniform(-1, 1)
