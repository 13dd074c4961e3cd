"""The soak's load and what it counts: tickets created at a steady rate while processes
are killed, then the escalation steps read back (lost, duplicated, how late)."""

import os
import signal
import sys
import threading
import time
import urllib.error
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.soak_stack import Api, Kill, Stack, wait_ready

CONTRACT_NUMBER = "DJ-2024-017"


def log(message: str) -> None:
    print(f"[soak] {message}", file=sys.stderr, flush=True)


@dataclass
class Results:
    started: datetime
    minutes: float
    tickets: int = 0
    create_failures: int = 0
    expected: int = 0
    fired: int = 0
    lost: int = 0
    duplicates: int = 0
    latency_all: list[float] = field(default_factory=list)
    latency_outside: list[float] = field(default_factory=list)
    lateness_all: list[float] = field(default_factory=list)
    kills: list[Kill] = field(default_factory=list)
    restarts: Counter = field(default_factory=Counter)
    sweep_seconds: float = 0.0


def first_step_seconds(contract) -> int:
    """Seconds of 7x24 time from report to the first step of a P1 response clock."""
    from contracts.phases import Phase
    from tickets.clocks import active_rules

    terms = contract.terms_for(Phase.WARRANTY, "P1")
    budget = terms.response_minutes * 60
    return min(
        rule.threshold_seconds(budget) for rule in active_rules() if rule.applies_to("response")
    )


def expected_steps(ticket_ids: list[int], cutoff: datetime) -> set[tuple[int, int]]:
    """(clock, rule) of every step due by `cutoff`, by the engine's own clock arithmetic."""
    from tickets.clockmath import moment_when_used
    from tickets.clocks import ScheduleCache, active_rules
    from tickets.models import ClockPause, SlaClock

    rules = active_rules()
    schedules = ScheduleCache()
    expected = set()
    clocks = SlaClock.objects.filter(ticket_id__in=ticket_ids)
    pauses: dict[int, list] = {}
    for p in ClockPause.objects.filter(clock__in=clocks).order_by("started_at"):
        pauses.setdefault(p.clock_id, []).append((p.started_at, p.ended_at))
    for clock in clocks:
        horizon = min(cutoff, clock.stopped_at) if clock.stopped_at else cutoff
        for rule in rules:
            if not rule.applies_to(clock.kind):
                continue
            moment = moment_when_used(
                schedules.get(clock.calendar_id),
                clock.started_at,
                timedelta(seconds=rule.threshold_seconds(clock.budget_seconds)),
                pauses.get(clock.pk, []),
            )
            if moment is not None and moment <= horizon:
                expected.add((clock.pk, rule.pk))
    return expected


@dataclass
class Hotline:
    """The hotline agent creating P1 faults through the API, each reported far enough in
    the past that its first step falls due `lead` seconds after it is created."""

    api: Api
    contract_id: int
    site_id: int
    first_step: int

    def call(self, n: int, lead: int, results: Results) -> int | None:
        """The new ticket's id, after up to three attempts; None if all failed."""
        now = datetime.now(UTC)
        payload = {
            "contract": self.contract_id,
            "site": self.site_id,
            "kind": "fault",
            "priority": "P1",
            "summary": f"soak {n}",
            "channel": "phone",
            "reported_at": (now - timedelta(seconds=self.first_step - lead)).isoformat(),
        }
        for attempt in range(3):
            try:
                return self.api.ticket(payload)["id"]
            except (urllib.error.URLError, OSError) as exc:
                results.create_failures += 1
                log(f"ticket {n}, attempt {attempt + 1}: {exc}")
                time.sleep(1)
        return None


def _hotline(stack: Stack) -> Hotline:
    from contracts.models import Contract

    contract = Contract.objects.prefetch_related("sites").get(number=CONTRACT_NUMBER)
    site = contract.sites.order_by("pk").first()
    first = first_step_seconds(contract)
    api = Api(stack.url, "agent", os.environ.get("DEMO_PASSWORD", "demo-pass-2026"))
    log(f"first step of a P1 response clock: {first} s after the report")
    return Hotline(api, contract.pk, site.pk, first)


def _kill(stack: Stack, process: str, args, elapsed: float) -> tuple[Kill, threading.Thread]:
    """SIGKILL `process`, as a crash would; a thread watches for it to work again."""
    pid = stack.pid(process)
    os.kill(pid, signal.SIGKILL)
    kill = Kill(process, pid, datetime.now(UTC))
    probe = threading.Thread(
        target=wait_ready, args=(kill, args.redis_port, args.worker_name), daemon=True
    )
    probe.start()
    log(f"killed {process} (pid {pid}) with SIGKILL at {elapsed:.0f} s")
    return kill, probe


def _create_under_kills(args, stack: Stack, hotline: Hotline, results: Results, start: float):
    """Tickets at `args.rate` a second, the worker killed at a quarter and three quarters of
    the time, Redis at half; the ids of the tickets created."""
    tail = args.max_lead + 30  # the last ticket's step falls due, then some slack
    creating = max(args.minutes * 60 - tail, 30)
    interval = 1 / args.rate
    kill_plan = [(0.25, "worker"), (0.5, "redis"), (0.75, "worker")]
    ticket_ids: list[int] = []
    probes: list[threading.Thread] = []
    n = 0
    leads = list(range(args.min_lead, args.max_lead + 1, 5))
    while (elapsed := time.monotonic() - start) < creating:
        while kill_plan and elapsed >= kill_plan[0][0] * creating:
            _, process = kill_plan.pop(0)
            kill, probe = _kill(stack, process, args, elapsed)
            results.kills.append(kill)
            probes.append(probe)
        ticket_id = hotline.call(n, leads[n % len(leads)], results)
        if ticket_id is not None:
            ticket_ids.append(ticket_id)
        n += 1
        time.sleep(max(0.0, start + n * interval - time.monotonic()))
    for kill in results.kills:
        kill.back_at = stack.back_at(kill.process, kill.at)
    for probe in probes:
        probe.join()
    return ticket_ids


def _duplicates(ticket_ids: list[int], steps: list[dict], present: Counter) -> int:
    """Steps, escalation events and notifications recorded more than once."""
    from django.db.models import Count

    from tickets.models import Notification, TicketEvent

    events = (
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.ESCALATION, ticket_id__in=ticket_ids, data__has_key="kind"
        )
        .values("data__step")
        .annotate(n=Count("pk"))
    )
    notifications = (
        Notification.objects.filter(step_id__in=[s["pk"] for s in steps])
        .values("user_id", "step_id")
        .annotate(n=Count("pk"))
    )
    return (
        sum(c - 1 for c in present.values() if c > 1)
        + sum(row["n"] - 1 for row in events if row["n"] > 1)
        + sum(row["n"] - 1 for row in notifications if row["n"] > 1)
    )


def _count(args, stack: Stack, results: Results, ticket_ids: list[int]) -> None:
    """Read the steps back: expected, fired, lost, duplicated, latencies, restarts."""
    from tickets.models import EscalationStep

    # Steps due up to a sweep and a half ago must exist by now.
    cutoff = datetime.now(UTC) - timedelta(seconds=args.sweep_seconds * 1.5 + 2)
    expected = expected_steps(ticket_ids, cutoff)
    steps = list(
        EscalationStep.objects.filter(ticket_id__in=ticket_ids).values(
            "pk", "clock_id", "rule_id", "due_at", "fired_at", "created_at"
        )
    )
    present = Counter((s["clock_id"], s["rule_id"]) for s in steps)
    results.expected = len(expected)
    results.fired = len(steps)
    results.lost = len(expected - set(present))
    results.duplicates = _duplicates(ticket_ids, steps, present)
    windows = [kill.window(args.sweep_seconds) for kill in results.kills]
    for s in steps:
        latency = (s["created_at"] - s["due_at"]).total_seconds()
        results.latency_all.append(latency)
        results.lateness_all.append((s["fired_at"] - s["due_at"]).total_seconds())
        if not any(lo <= s["due_at"] <= hi for lo, hi in windows):
            results.latency_outside.append(latency)
    for at, name, state in stack.events():
        if at >= results.started and state == "EXITED":
            results.restarts[name] += 1


def run(args, stack: Stack) -> Results:
    """The whole soak: `args.minutes` of tickets and kills, then the count."""
    hotline = _hotline(stack)
    results = Results(started=datetime.now(UTC), minutes=args.minutes)
    start = time.monotonic()
    ticket_ids = _create_under_kills(args, stack, hotline, results, start)
    results.tickets = len(ticket_ids)
    log(f"{results.tickets} tickets created; waiting for the last steps to fall due")
    time.sleep(max(0.0, start + args.minutes * 60 - time.monotonic()))
    _count(args, stack, results, ticket_ids)
    return results
