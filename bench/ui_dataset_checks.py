"""Checks of the page dataset (bench/ui_dataset.py): consistency in SQL, and a sample of
clocks recomputed by the project's own code."""

from datetime import datetime

from tickets.clocks import ScheduleCache, active_rules, clock_recompute
from tickets.models import EscalationStep, SlaClock


def sample_check(first_id: int, reference: datetime, size: int = 400) -> int:
    """Recompute a sample of clocks with the project's own code: the SQL must agree.

    Half the sample counts business hours. Paused clocks are left out: pausing
    keeps the at-risk moment of before, which a recomputation would drop.
    """
    rules, schedules = active_rules(), ScheduleCache()
    base = SlaClock.objects.filter(ticket_id__gte=first_id).exclude(status="paused")
    business = [
        calendar_id
        for calendar_id in base.values_list("calendar_id", flat=True).distinct()
        if not schedules.get(calendar_id).always_on
    ]
    sample = list(base.filter(calendar_id__in=business).order_by("?")[: size // 2])
    sample += list(base.exclude(calendar_id__in=business).order_by("?")[: size - len(sample)])
    fired: dict[int, list[int]] = {}
    for clock_id, rule_id in EscalationStep.objects.filter(
        clock_id__in=[c.pk for c in sample]
    ).values_list("clock_id", "rule_id"):
        fired.setdefault(clock_id, []).append(rule_id)
    for stored in sample:
        fresh = SlaClock(
            kind=stored.kind,
            calendar_id=stored.calendar_id,
            budget_seconds=stored.budget_seconds,
            started_at=stored.started_at,
            stopped_at=stored.stopped_at,
            status=stored.status,
        )
        # Only paused clocks have a pause (an open one), and they are left out.
        clock_recompute(
            fresh,
            schedules=schedules,
            rules=rules,
            fired_rule_ids=fired.get(stored.pk, ()),
            pauses=[],
        )
        for name in ("target_at", "at_risk_at", "next_step_at", "unconfirmed_years"):
            if getattr(fresh, name) != getattr(stored, name):
                raise RuntimeError(
                    f"clock {stored.pk} ({stored.kind}, calendar {stored.calendar_id}) {name}: "
                    f"SQL gave {getattr(stored, name)}, tickets.clocks gives {getattr(fresh, name)}"
                )
        outcome_ok = (
            (stored.status == "met" and stored.stopped_at <= stored.target_at)
            or (stored.status == "breached" and stored.breached_at == stored.target_at)
            or (stored.status == "running" and stored.target_at > reference)
            or stored.status == "cancelled"
        )
        if not outcome_ok:
            raise RuntimeError(f"clock {stored.pk}: status {stored.status} does not fit its times")
    return len(sample)


CONSISTENCY_SQL = {
    "a running clock past its target": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND status = 'running' AND target_at <= %(t0)s"
    ),
    "a met clock stopped after its target": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND status = 'met' AND stopped_at > target_at"
    ),
    "a clock stopped after t0": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND stopped_at > %(t0)s"
    ),
    "an open ticket with a stopped resolution clock": (
        "SELECT count(*) FROM tickets_slaclock AS c JOIN tickets_ticket AS t ON t.id = c.ticket_id "
        "WHERE t.id >= %(first_id)s AND c.kind = 'resolution' AND c.stopped_at IS NOT NULL "
        "AND t.state = ANY(%(open)s::text[])"
    ),
    "a finished ticket with a clock still counting": (
        "SELECT count(*) FROM tickets_slaclock AS c JOIN tickets_ticket AS t ON t.id = c.ticket_id "
        "WHERE t.id >= %(first_id)s AND c.stopped_at IS NULL AND t.state <> ALL(%(open)s::text[])"
    ),
    "a workflow moment out of order": (
        "SELECT count(*) FROM tickets_ticket WHERE id >= %(first_id)s AND NOT ("
        "coalesce(acknowledged_at >= reported_at, true) "
        "AND coalesce(dispatched_at >= acknowledged_at, true) "
        "AND coalesce(departed_at >= dispatched_at, true) "
        "AND coalesce(on_site_at >= departed_at, true) "
        "AND coalesce(resolved_at >= coalesce(on_site_at, acknowledged_at), true) "
        "AND coalesce(closed_at >= reported_at, true) "
        "AND greatest(reported_at, acknowledged_at, dispatched_at, departed_at, on_site_at, "
        "resolved_at, closed_at) <= %(t0)s)"
    ),
    "a clock moment past the working-interval table": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s AND ("
        "target_at = 'infinity' OR at_risk_at = 'infinity' OR next_step_at = 'infinity')"
    ),
    "a step recorded twice": (
        "SELECT count(*) - count(DISTINCT (clock_id, rule_id)) FROM tickets_escalationstep"
    ),
}


def consistency_check(cursor, params: dict) -> None:
    """Raise if any of `CONSISTENCY_SQL` finds a row."""
    for problem, sql in CONSISTENCY_SQL.items():
        cursor.execute(sql, params)
        found = cursor.fetchone()[0]
        if found:
            raise RuntimeError(f"the dataset is wrong: {found} × {problem}")
