"""The soak: the real local stack under kills (`python -m bench.soak`, via `bench/run soak`).

`bench/run soak` starts the stack exactly as `bin/serve` does (same script,
same supervisord configuration) in var/soak/ on ports of its own, then runs
this module, which:

1. creates P1 fault tickets through the REST API (gunicorn, as the hotline
   agent) at a steady rate, each reported far enough in the past that its
   first escalation step (the response warning) falls due 5 to 60 s after
   the ticket is created: steps fall due all through the run, none at once;
2. kills the Celery worker twice and Redis once with SIGKILL, at a quarter,
   a half and three quarters of the run, as a crash would;
3. waits until every step due by the end should have been recorded, then
   reads the database: steps fired, detection latency (due_at -> the moment
   the row was written, `created_at`) p50/p99/max overall and outside the
   kill windows (from a sweep interval before a kill until the process
   works again + 10 s),
   duplicates (steps, escalation events or notifications recorded twice),
   lost steps (due by the end by the engine's own arithmetic, not recorded),
   the restarts supervisord saw (var/soak/log/events.log), and how long each
   killed process took to be RUNNING again and to work again (Redis answers
   PING, the worker answers a Celery control ping).

Results go to the soak block of docs/PERFORMANCE.md (bench/report_file.py:
the previous soak condensed to one history line). Exits non-zero only on an
error; a missed goal is a result.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

from bench.report_file import write_run

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_NUMBER = "DJ-2024-017"
GOAL_P99 = 5.0
GOAL_BACK = 10.0


def log(message: str) -> None:
    print(f"[soak] {message}", file=sys.stderr, flush=True)


@dataclass
class Kill:
    process: str
    pid: int
    at: datetime
    back_at: datetime | None = None  # supervisord reports it RUNNING again
    ready_at: datetime | None = None  # it does its work again (answers a ping)

    @staticmethod
    def _since(at: datetime, later: datetime | None) -> float | None:
        return (later - at).total_seconds() if later else None

    @property
    def back_seconds(self) -> float | None:
        return self._since(self.at, self.back_at)

    @property
    def ready_seconds(self) -> float | None:
        return self._since(self.at, self.ready_at)

    def window(self, sweep_seconds: float) -> tuple[datetime, datetime]:
        """From one sweep interval before the kill (the sweep that would have found a step
        due then is the one the kill prevents) until 10 s after the process works again."""
        ends = [t for t in (self.back_at, self.ready_at) if t] or [self.at + timedelta(minutes=1)]
        return self.at - timedelta(seconds=sweep_seconds), max(ends) + timedelta(seconds=10)


def wait_ready(kill: Kill, redis_port: int, worker_name: str, timeout: float = 120) -> None:
    """Poll until the killed process does its work again: Redis answers PING, the worker a ping."""
    import redis

    from servicedesk.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if kill.process == "redis":
                # A new server (not the killed one, which may answer for a moment).
                info = redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=0.5).info()
                ok = info["process_id"] != kill.pid
            else:
                ok = bool(app.control.ping(destination=[worker_name], timeout=0.5))
        except Exception:  # refused, loading its data, broker away: not ready yet
            ok = False
        if ok:
            kill.ready_at = datetime.now(UTC)
            return
        time.sleep(0.1)


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


class Stack:
    """The stack bin/serve started: its supervisorctl, its event log, its web port."""

    def __init__(self, serve_dir: Path, url: str):
        self.serve_dir = serve_dir
        self.url = url.rstrip("/")
        self.conf = serve_dir / "run" / "supervisord.conf"

    def ctl(self, *args: str) -> str:
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(self.conf), *args],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    def pid(self, process: str) -> int:
        return int(self.ctl("pid", process))

    def events(self) -> list[tuple[datetime, str, str]]:
        """(moment, process, new state) for every state change supervisord reported."""
        rows = []
        path = self.serve_dir / "log" / "events.log"
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[3] == "->":
                rows.append((datetime.fromisoformat(parts[0]), parts[1], parts[4]))
        return rows

    def back_at(self, process: str, after: datetime, timeout: float = 60) -> datetime | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, name, state in self.events():
                if name == process and state == "RUNNING" and at > after:
                    return at
            time.sleep(0.2)
        return None


class Api:
    def __init__(self, url: str, username: str, password: str):
        self.url = url
        self.token = self._post("/api/auth/token/", {"username": username, "password": password})[
            "token"
        ]

    def _post(self, path: str, payload: dict, token: str | None = None) -> dict:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"}
            | ({"Authorization": f"Token {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def ticket(self, payload: dict) -> dict:
        return self._post("/api/tickets/", payload, self.token)


def quantile(samples: list[float], percent: int) -> float:
    import statistics

    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


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


def run(args, stack: Stack) -> Results:
    from django.db.models import Count

    from contracts.models import Contract
    from tickets.models import EscalationStep, Notification, TicketEvent

    contract = Contract.objects.prefetch_related("sites").get(number=CONTRACT_NUMBER)
    site = contract.sites.order_by("pk").first()
    first = first_step_seconds(contract)
    api = Api(stack.url, "agent", os.environ.get("DEMO_PASSWORD", "demo-pass-2026"))
    log(f"first step of a P1 response clock: {first} s after the report")

    total = args.minutes * 60
    tail = args.max_lead + 30  # the last ticket's step falls due, then some slack
    creating = max(total - tail, 30)
    interval = 1 / args.rate
    kill_plan = [(0.25, "worker"), (0.5, "redis"), (0.75, "worker")]
    results = Results(started=datetime.now(UTC), minutes=args.minutes)
    start = time.monotonic()
    ticket_ids: list[int] = []
    probes: list[threading.Thread] = []
    n = 0
    leads = list(range(args.min_lead, args.max_lead + 1, 5))
    while (elapsed := time.monotonic() - start) < creating:
        while kill_plan and elapsed >= kill_plan[0][0] * creating:
            _, process = kill_plan.pop(0)
            pid = stack.pid(process)
            os.kill(pid, signal.SIGKILL)
            kill = Kill(process, pid, datetime.now(UTC))
            results.kills.append(kill)
            probe = threading.Thread(
                target=wait_ready, args=(kill, args.redis_port, args.worker_name), daemon=True
            )
            probe.start()
            probes.append(probe)
            log(f"killed {process} (pid {pid}) with SIGKILL at {elapsed:.0f} s")
        lead = leads[n % len(leads)]
        now = datetime.now(UTC)
        payload = {
            "contract": contract.pk,
            "site": site.pk,
            "kind": "fault",
            "priority": "P1",
            "summary": f"soak {n}",
            "channel": "phone",
            "reported_at": (now - timedelta(seconds=first - lead)).isoformat(),
        }
        for attempt in range(3):
            try:
                ticket_ids.append(api.ticket(payload)["id"])
                break
            except (urllib.error.URLError, OSError) as exc:
                results.create_failures += 1
                log(f"ticket {n}, attempt {attempt + 1}: {exc}")
                time.sleep(1)
        n += 1
        time.sleep(max(0.0, start + n * interval - time.monotonic()))
    for kill in results.kills:
        kill.back_at = stack.back_at(kill.process, kill.at)
    for probe in probes:
        probe.join()
    results.tickets = len(ticket_ids)
    log(f"{results.tickets} tickets created; waiting for the last steps to fall due")
    time.sleep(max(0.0, start + total - time.monotonic()))

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
    step_ids = [s["pk"] for s in steps]
    results.duplicates = (
        sum(c - 1 for c in present.values() if c > 1)
        + sum(
            row["n"] - 1
            for row in TicketEvent.objects.filter(
                kind=TicketEvent.Kind.ESCALATION, ticket_id__in=ticket_ids, data__has_key="kind"
            )
            .values("data__step")
            .annotate(n=Count("pk"))
            if row["n"] > 1
        )
        + sum(
            row["n"] - 1
            for row in Notification.objects.filter(step_id__in=step_ids)
            .values("user_id", "step_id")
            .annotate(n=Count("pk"))
            if row["n"] > 1
        )
    )
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
    return results


def _secs(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _fmt(samples: list[float]) -> str:
    if not samples:
        return "-"
    return (
        f"{quantile(samples, 50):.2f} / {quantile(samples, 99):.2f} / {max(samples):.2f} s "
        f"({len(samples)} steps)"
    )


def verdicts(r: Results) -> dict[str, bool]:
    backs = [k.ready_seconds for k in r.kills]
    return {
        "lost": r.lost == 0,
        "duplicates": r.duplicates == 0,
        "p99": bool(r.latency_outside) and quantile(r.latency_outside, 99) <= GOAL_P99,
        "back": all(b is not None and b <= GOAL_BACK for b in backs),
    }


def section(r: Results, machine: str) -> str:
    ok = verdicts(r)
    yes = {True: "yes", False: "**no**"}
    kills = "\n".join(
        f"| {k.process} | {k.at:%H:%M:%S} | {_secs(k.back_seconds)} | {_secs(k.ready_seconds)} |"
        for k in r.kills
    )
    restarts = ", ".join(f"{name} {n}" for name, n in sorted(r.restarts.items())) or "none"
    return f"""### Latest run: {r.started:%Y-%m-%d %H:%M} UTC

- Machine: {machine}
- Run: {r.minutes:g} min, {r.tickets} tickets through `POST /api/tickets/` \
({r.create_failures} failed attempts, retried), sweep every {r.sweep_seconds:g} s.

| measure | result | goal | met |
|---|---|---|---|
| steps due by the end | {r.expected} | | |
| steps fired | {r.fired} | | |
| lost steps | {r.lost} | 0 | {yes[ok["lost"]]} |
| duplicates (steps, escalation events, notifications) | {r.duplicates} \
| 0 | {yes[ok["duplicates"]]} |
| detection latency p50 / p99 / max, outside the kill windows | {_fmt(r.latency_outside)} \
| p99 ≤ {GOAL_P99:g} s | {yes[ok["p99"]]} |
| detection latency p50 / p99 / max, whole run | {_fmt(r.latency_all)} | | |
| `lateness` column (fired_at − due_at) p50 / p99 / max | {_fmt(r.lateness_all)} | | |
| every killed process working again within {GOAL_BACK:g} s | \
{", ".join(_secs(k.ready_seconds) for k in r.kills)} | ≤ {GOAL_BACK:g} s | {yes[ok["back"]]} |

| killed (SIGKILL) | at (UTC) | RUNNING again (supervisord) after | working again after |
|---|---|---|---|
{kills}

Restarts seen by supervisord (PROCESS_STATE_EXITED): {restarts}.
Latency is from the step's `due_at` to the moment its row was written
(`created_at`). "Working again" is when a new Redis server answers, or the
worker answers a Celery control ping (it consumes again); a kill window runs from
one sweep interval before the kill (the sweep the kill prevents) until the
process is working again plus 10 s.
"""


def history_line(latest: str) -> str:
    """One line for a previous run, from its section's own table."""
    title = latest.split("\n", 1)[0].removeprefix("### Latest run: ")

    def cell(label: str) -> str:
        for line in latest.splitlines():
            if line.startswith(f"| {label}"):
                return line.split("|")[2].strip()
        return "?"

    load = next((ln.rsplit("load ", 1)[1] for ln in latest.splitlines() if "; load " in ln), "?")
    return (
        f"- {title} (load {load}): fired {cell('steps fired')}, lost {cell('lost steps')}, "
        f"duplicates {cell('duplicates')}, latency outside kills "
        f"{cell('detection latency p50 / p99 / max, outside')}, back after "
        f"{cell('every killed process')}"
    )


TITLE = "Soak: the local stack under kills (`bench/run soak`)"
ABOUT = (
    "The stack of `bin/serve` (supervisord, PostgreSQL, Redis, gunicorn, Celery worker "
    "and beat) in `var/soak/`; tickets whose escalation steps fall due all through the "
    "run; the worker killed twice and Redis once with SIGKILL. Goals: 0 lost, "
    "0 duplicated, p99 detection latency ≤ 5 s outside the kill windows, every process "
    "back within 10 s. Method: `bench/soak.py`."
)


def write(path: Path, latest: str) -> None:
    write_run(path, "soak", title=TITLE, about=ABOUT, latest=latest, summary=history_line(latest))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=6)
    parser.add_argument("--rate", type=float, default=1.0, help="tickets per second")
    parser.add_argument("--min-lead", type=int, default=5)
    parser.add_argument("--max-lead", type=int, default=60)
    parser.add_argument("--serve-dir", type=Path, default=ROOT / "var" / "soak")
    parser.add_argument("--url", default=os.environ.get("SOAK_URL", "http://127.0.0.1:8031"))
    parser.add_argument("--label", default="soak", help="SERVE_LABEL the stack runs with")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from django.conf import settings

    from bench.sla import machine

    args.sweep_seconds = settings.SLA_SWEEP_SECONDS
    args.redis_port = int(settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0])
    args.worker_name = f"{args.label}@{socket.gethostname()}"
    stack = Stack(args.serve_dir, args.url)
    results = run(args, stack)
    results.sweep_seconds = args.sweep_seconds
    m = machine()
    described = (
        f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM; PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, Django {m['django']}; load {m['load']}"
    )
    latest = section(results, described)
    print(latest)
    write(args.output, latest)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
