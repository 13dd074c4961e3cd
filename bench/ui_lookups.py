"""The lookup tables the page dataset's SQL draws from (bench/ui_dataset.py).

Where calls come from (`bench_slot`, from `ui_world.world_slots`), each
contract's phases over the period and its terms per phase and priority
(`bench_span`, `bench_cover`), the working intervals of the business-hours
calendars and the SQL function that adds working time with them
(`bench_work`, `pg_temp.bench_at`) with the holiday years each has confirmed
(`bench_cal_year`), the engineers of each branch, the escalation rules, and
who acts for each tier.
"""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.models import User
from accounts.roles import Role, Tier
from contracts.models import Contract
from contracts.phases import SERVICE_PHASES
from contracts.worktime import explain_addition, working_time_between
from tickets.services.creation import terms_snapshot

PRIORITIES = ("P1", "P2", "P3")


def sql_moment_when_used(wcal: str, start: str, used_seconds: str) -> str:
    """SQL: the instant a clock started at `start` has used `used_seconds` of working time.

    `wcal` is NULL for 7×24 calendars (plain addition), else the calendar whose
    working intervals are in bench_work.
    """
    return (
        f"(CASE WHEN {wcal} IS NULL THEN {start} + ({used_seconds}) * interval '1 second' "
        f"ELSE pg_temp.bench_at({wcal}, {start}, round(({used_seconds}) * 1000000)::bigint) END)"
    )


# Working intervals of the business-hours calendars, cumulated, and the
# function that adds working time with them. Mirrors
# contracts.worktime.add_working_time: counting starts at the next opening,
# and a duration that uses a window up ends at that window's end.
WORK_SQL = """
CREATE TEMP TABLE bench_work (
    cal bigint, lo timestamptz, hi timestamptz, cum bigint, len bigint, cum_end bigint
);
CREATE INDEX ON bench_work (cal, hi);
CREATE INDEX ON bench_work (cal, cum_end);
CREATE FUNCTION pg_temp.bench_at(calendar bigint, start timestamptz, used bigint)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
    base bigint;
    result timestamptz;
BEGIN
    IF used <= 0 THEN
        RETURN start;
    END IF;
    SELECT w.cum + greatest(0, (extract(epoch FROM start - w.lo) * 1000000)::bigint)
    INTO base
    FROM pg_temp.bench_work AS w WHERE w.cal = calendar AND w.hi > start
    ORDER BY w.hi LIMIT 1;
    SELECT w.lo + (base + used - w.cum) * interval '1 microsecond'
    INTO result
    FROM pg_temp.bench_work AS w WHERE w.cal = calendar AND w.cum_end >= base + used
    ORDER BY w.cum_end LIMIT 1;
    -- Past the end of the table: later than anything the data needs (a plan
    -- step that never happens); a clock moment there fails the checks.
    RETURN coalesce(result, 'infinity');
END
$$;
"""

LOOKUPS_SQL = """
CREATE TEMP TABLE bench_slot (
    lo float8, hi float8, customer_id bigint, contract_id bigint, site_id bigint,
    branch_id bigint, item_id bigint, item_hw boolean, contacts bigint[], manager_id bigint
);
CREATE TEMP TABLE bench_span (contract_id bigint, phase text, since timestamptz, until timestamptz);
CREATE TEMP TABLE bench_cover (
    contract_id bigint, phase text, priority text, covered boolean, snapshot jsonb,
    resp_s bigint, resp_cal bigint, resp_w bigint, os_s bigint, os_cal bigint, os_w bigint,
    res_s bigint, res_cal bigint, res_w bigint, repair_days int, pause boolean
);
CREATE TEMP TABLE bench_eng (branch_id bigint, engineers bigint[]);
CREATE TEMP TABLE bench_rule (
    id bigint, clock_kind text, kind text, tier text, percent int, extra int
);
CREATE TEMP TABLE bench_tier_user (tier text, user_id bigint);
CREATE TEMP TABLE bench_cal_year (cal bigint, tz text, confirmed int[]);
"""


def _phase_spans(contract: Contract, first: date, last: date, tz: ZoneInfo) -> list[tuple]:
    """(phase, since, until) runs of the contract's phase over local dates first..last."""
    spans: list[list] = []
    day = first
    while day <= last:
        phase = str(contract.phase_on(day))
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        if spans and spans[-1][0] == phase:
            spans[-1][2] = midnight + timedelta(days=1)
        else:
            spans.append([phase, midnight, midnight + timedelta(days=1)])
        day += timedelta(days=1)
    spans[-1][2] = datetime(9999, 1, 1, tzinfo=tz)
    spans[0][1] = datetime(1970, 1, 1, tzinfo=tz)
    return [tuple(s) for s in spans]


def _load_slots(cursor, slots, contracts: dict[int, Contract]) -> None:
    """Each slot gets its share of [0, 1), by weight, for a ticket's random draw to fall in."""
    total_weight = sum(s.weight for s in slots)
    lo = 0.0
    rows = []
    for i, slot in enumerate(slots):
        hi = 1.0 if i == len(slots) - 1 else lo + slot.weight / total_weight
        manager = contracts[slot.contract_id].service_manager_id if slot.contract_id else None
        rows.append(
            (
                lo,
                hi,
                slot.customer_id,
                slot.contract_id,
                slot.site_id,
                slot.branch_id,
                slot.item_id,
                slot.item_is_hardware,
                slot.contact_ids,
                manager,
            )
        )
        lo = hi
    cursor.executemany(
        "INSERT INTO bench_slot VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
    )


def _cover(contract: Contract, phase: str, priority: str, *, schedules, used_calendars) -> tuple:
    """The row of bench_cover: what the contract promises in `phase` for `priority`, if
    anything; the business-hours calendars it counts in are added to `used_calendars`."""
    terms = contract.terms_for(phase, priority) if phase in SERVICE_PHASES else None
    snapshot = json.dumps(terms_snapshot(contract, phase, terms))
    if terms is None:
        return (contract.pk, phase, priority, False, snapshot, *[None] * 11)

    def work(calendar_id):
        if schedules.get(calendar_id).always_on:
            return None
        used_calendars.add(calendar_id)
        return calendar_id

    return (
        contract.pk,
        phase,
        priority,
        True,
        snapshot,
        terms.response_minutes * 60,
        terms.response_calendar_id,
        work(terms.response_calendar_id),
        terms.onsite_minutes * 60 if terms.onsite_minutes else None,
        terms.onsite_calendar_id,
        work(terms.onsite_calendar_id),
        terms.resolution_minutes * 60 if terms.resolution_minutes else None,
        terms.resolution_calendar_id,
        work(terms.resolution_calendar_id),
        terms.repair_days,
        terms.pause_on_customer,
    )


def _load_terms(cursor, contracts, *, first: date, last: date, tz: ZoneInfo, schedules) -> set:
    """The phases and terms of every contract; the business-hours calendars they use."""
    used_calendars: set[int] = set()
    spans, covers = [], []
    for contract in contracts.values():
        for phase, since, until in _phase_spans(contract, first, last, tz):
            spans.append((contract.pk, phase, since, until))
            for priority in PRIORITIES:
                covers.append(
                    _cover(
                        contract,
                        phase,
                        priority,
                        schedules=schedules,
                        used_calendars=used_calendars,
                    )
                )
    cursor.executemany("INSERT INTO bench_span VALUES (%s, %s, %s, %s)", spans)
    cursor.executemany(
        "INSERT INTO bench_cover VALUES "
        "(%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        covers,
    )
    return used_calendars


def _load_work(cursor, calendars, *, first: date, reference: datetime, tz, schedules) -> None:
    """Working intervals from before the oldest report to four years later, far past every
    clock's last threshold (a plan's longest waits can go further: they never happen);
    and the years whose holidays each calendar has confirmed."""
    cursor.execute(WORK_SQL)
    start = datetime.combine(first - timedelta(days=2), datetime.min.time(), tzinfo=tz)
    end = reference + timedelta(days=4 * 366)
    for calendar_id in sorted(calendars):
        schedule = schedules.get(calendar_id)
        pieces = explain_addition(schedule, start, working_time_between(schedule, start, end))
        work_rows, cum = [], 0
        for a, b in pieces:
            length = (b - a) // timedelta(microseconds=1)
            work_rows.append((calendar_id, a, b, cum, length, cum + length))
            cum += length
        cursor.executemany("INSERT INTO bench_work VALUES (%s, %s, %s, %s, %s, %s)", work_rows)
        confirmed = schedule.confirmed_years
        cursor.execute(
            "INSERT INTO bench_cal_year VALUES (%s, %s, %s)",
            [calendar_id, schedule.tz.key, None if confirmed is None else sorted(confirmed)],
        )


def _load_people(cursor, rules) -> None:
    """Engineers by branch, the escalation rules, and who acts for each tier."""
    engineers: dict[int, list[int]] = {}
    for pk, branch_id in User.objects.filter(
        groups__name=Role.ENGINEER, is_active=True
    ).values_list("pk", "branch_id"):
        engineers.setdefault(branch_id, []).append(pk)
    cursor.executemany(
        "INSERT INTO bench_eng VALUES (%s, %s)", [(b, sorted(e)) for b, e in engineers.items()]
    )
    cursor.executemany(
        "INSERT INTO bench_rule VALUES (%s, %s, %s, %s, %s, %s)",
        [(r.pk, r.clock_kind, r.kind, r.tier, r.percent, r.extra_minutes) for r in rules],
    )
    # Who acknowledges (and, for leadership, is notified of) each tier's steps.
    tier_users = [
        (Tier.IMPLEMENTATION, "agent"),
        (Tier.MANAGEMENT, "manager"),
        (Tier.LEADERSHIP, "leader"),
    ]
    cursor.executemany(
        "INSERT INTO bench_tier_user VALUES (%s, %s)",
        [(str(t), User.objects.get(username=u).pk) for t, u in tier_users],
    )


def lookups_load(cursor, *, slots, reference, days, tz, schedules, rules) -> None:
    """Create and fill every lookup table for a history of `days` days up to `reference`."""
    cursor.execute(LOOKUPS_SQL)
    contracts = {
        c.pk: c
        for c in Contract.objects.prefetch_related(
            "terms__response_calendar", "terms__onsite_calendar", "terms__resolution_calendar"
        )
    }
    _load_slots(cursor, slots, contracts)
    today = reference.astimezone(tz).date()
    first = today - timedelta(days=days + 1)
    calendars = _load_terms(
        cursor, contracts, first=first, last=today + timedelta(days=1), tz=tz, schedules=schedules
    )
    _load_work(cursor, calendars, first=first, reference=reference, tz=tz, schedules=schedules)
    _load_people(cursor, rules)
    cursor.execute("ANALYZE bench_slot, bench_span, bench_cover, bench_work, bench_eng")
