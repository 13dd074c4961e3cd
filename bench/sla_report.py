"""The SLA block of docs/PERFORMANCE.md: its goals and method, and the report of a run."""

import os
import time
from datetime import datetime

from bench.machine import load_average
from bench.report_file import shares, yes_or_no

TITLE = "The SLA engine (`bench/run sla`)"
ABOUT = """Goals, from the issue: a sweep with nothing due under 20 ms (median and
p95), one sweep with 1,000 escalations due under 5 s, ticket creation
through the API under 30 ms (median).

Method: `bench/run sla` (about two minutes) fills the database with
set-based SQL (1,000,000 tickets on the demo contract DJ-2024-017, 100,000
of them open with running response, on-site or resolution clocks, none due;
P1 and P2 faults only, whose clocks count 7×24 so that SQL can do the clock
arithmetic; a sample is checked against `tickets.clocks.clock_recompute`),
then measures in one process (`python -m bench.sla`, timings from
`time.perf_counter`):

1. **Sweep with nothing due**: `tickets.escalation.sweep_due_steps()` 50
   times after 5 warm-up calls; median and p95. The EXPLAIN ANALYZE of the
   sweep's due-clock query shows whether the partial index
   `clock_next_step_due` serves it.
2. **1,000 due escalations**: 1,000 open tickets are moved back in time so
   that their running resolution clock has passed its first escalation
   threshold and not its second (exactly one step each), then ONE call of
   `sweep_due_steps()` is timed; it must record exactly 1,000 steps.
3. **Ticket creation through the API**: 500 `POST /api/tickets/` through
   DRF's in-process `APIClient` (authenticated as the demo `agent`, warranty
   contract DJ-2024-017 and its site) after 20 warm-up requests; median and
   p99 of the request handling time (no network), every response a 201.

The diagnostics under the table come from separate runs of the same work
on other tickets, once with every SQL statement timed and once under
cProfile; they explain the figures and are not part of the goals.
"""

GOALS = {"idle_ms": 20.0, "due_s": 5.0, "create_ms": 30.0}


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _top(rows) -> str:
    return "; ".join(f"`{label}` ×{n} {seconds * 1000:.0f} ms" for label, n, seconds in rows)


def _rows(*, idle, due, creation, args) -> list[tuple[str, str, str, str]]:
    """(measure, result, goal, met?) of the table."""
    return [
        (
            f"sweep with nothing due, median of {len(idle.samples_ms)}",
            _ms(idle.median_ms),
            "< 20 ms",
            yes_or_no(idle.median_ms < GOALS["idle_ms"]),
        ),
        (
            f"sweep with nothing due, p95 of {len(idle.samples_ms)}",
            _ms(idle.p95_ms),
            "< 20 ms",
            yes_or_no(idle.p95_ms < GOALS["idle_ms"]),
        ),
        (
            f"one sweep with {args.due:,} escalations due",
            f"{due.seconds:.2f} s ({due.steps_per_second:,.0f} steps/s; {due.steps:,} steps, "
            f"{due.notifications:,} notifications)",
            "< 5 s",
            yes_or_no(due.seconds < GOALS["due_s"]),
        ),
        (
            f"ticket creation through the API, median of {len(creation.samples_ms)}",
            _ms(creation.median_ms),
            "< 30 ms",
            yes_or_no(creation.median_ms < GOALS["create_ms"]),
        ),
        (
            f"ticket creation through the API, p99 of {len(creation.samples_ms)}",
            _ms(creation.p99_ms),
            "none",
            "-",
        ),
    ]


def _setting(*, info: dict, data, load_end: str) -> list[str]:
    """Machine, software and dataset: what the figures were measured on."""
    load = f"load average {info['load']} at the start, {load_end} at the end"
    wall = os.environ.get("BENCH_STARTED")
    wall_text = f"{time.time() - float(wall):.0f} s so far" if wall else "n/a"
    return [
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}",
        f"- Software: PostgreSQL {info['postgresql']}, Python {info['python']}, "
        f"Django {info['django']}; {load}",
        f"- Dataset: {data.tickets:,} tickets ({data.open_tickets:,} open), "
        f"{data.clocks:,} SLA clocks ({data.running_clocks:,} running, none due), "
        f"besides the {data.demo_tickets} demo tickets; "
        f"generated and vacuumed in {data.seconds:.0f} s; whole `bench/run`: {wall_text} "
        "when this section was written",
    ]


def _diagnostics(*, profile, creation, args) -> list[str]:
    sql_share = profile.sql.seconds / profile.seconds
    return [
        "Diagnostics (separate runs of the same work on other tickets):",
        "",
        f"- {args.due:,} due escalations, every SQL statement timed: {profile.seconds:.2f} s, "
        f"{profile.sql.count} statements, {sql_share:.0%} of the time in SQL; heaviest: "
        f"{_top(profile.sql.top(4))}.",
        f"- {args.due:,} due escalations under cProfile, share of the time inside: "
        f"{shares(profile.python)}.",
        f"- Ticket creation, every SQL statement timed: {creation.queries_per_request:.0f} "
        f"statements per request, {creation.sql_share:.0%} of the time in SQL; heaviest: "
        f"{_top(creation.top[:4])}.",
        f"- Ticket creation under cProfile, share of the time inside: {shares(creation.python)}.",
    ]


def _plans(*, idle, profile, args) -> list[str]:
    return [
        "<details><summary>Query plans</summary>",
        "",
        "Nothing due:",
        "",
        "```",
        "\n".join(idle.plan),
        "```",
        "",
        f"{args.due:,} due:",
        "",
        "```",
        "\n".join(profile.plan),
        "```",
        "",
        "</details>",
    ]


def _summary(*, started: datetime, info: dict, load_end: str, idle, due, creation, rows) -> str:
    missed = [a for a, _b, _c, d in rows if d == yes_or_no(False)]
    return (
        f"{started:%Y-%m-%d %H:%M} UTC (load {info['load']} → {load_end}): "
        f"idle sweep median {_ms(idle.median_ms)}, p95 {_ms(idle.p95_ms)} (goal < 20 ms); "
        f"{due.steps:,} due escalations in {due.seconds:.2f} s (< 5 s); "
        f"ticket creation median {_ms(creation.median_ms)} (< 30 ms), "
        f"p99 {_ms(creation.p99_ms)}; "
        + (f"missed: {'; '.join(missed)}" if missed else "all goals met")
    )


def report(
    *, started: datetime, info: dict, data, idle, due, profile, creation, args
) -> tuple[str, str]:
    """The markdown of the run, and its one-line summary for the History."""
    rows = _rows(idle=idle, due=due, creation=creation, args=args)
    load_end = load_average()
    lines = [
        f"### Latest run: {started:%Y-%m-%d %H:%M} UTC",
        "",
        *_setting(info=info, data=data, load_end=load_end),
        "",
        "| measure | result | goal | met? |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        f"Due-clock query with nothing due: `{idle.plan_key_line or 'index not used'}`; "
        f"an idle sweep runs {idle.queries} SQL statements.",
        "",
        *_diagnostics(profile=profile, creation=creation, args=args),
        "",
        *_plans(idle=idle, profile=profile, args=args),
        "",
    ]
    summary = _summary(
        started=started,
        info=info,
        load_end=load_end,
        idle=idle,
        due=due,
        creation=creation,
        rows=rows,
    )
    return "\n".join(lines), summary
