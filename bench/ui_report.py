"""The pages block of docs/PERFORMANCE.md: its goals and method, and the report of a run."""

import os
import time
from datetime import datetime

from bench.machine import load_average
from bench.report_file import shares, yes_or_no

TITLE = "The pages: hotline queue and SLA dashboard (`bench/run ui`)"
ABOUT = """Goals, from the issue: the queue's first page under 150 ms and the
dashboard for a month under 300 ms, for the median and for the p95.

Method: `bench/run ui` (about three minutes) adds sixteen customers with
sites, contacts, covered items and contracts made from the demo templates
(in warranty, in trial operation, in lifetime service after the warranty,
and one whose defect liability period ended forty days ago) and twelve
engineers to the demo data, then fills the database with set-based SQL
(`bench/ui_dataset.py`): 100,000 tickets reported over the last 92 days,
mostly in the daytime, from the sites of 21 customers; faults,
consultations, complaints and change requests; P1, P2 and P3, whose on-site
and resolution clocks count business hours (SQL adds working time with the
calendar's working intervals, taken from `contracts.worktime`). Each ticket
follows a planned history (acknowledged, dispatched, on site, resolved,
closed; some cancelled; a long tail open for weeks) and its state is what
has happened by now: about 10 % open, among them a few dozen
unacknowledged, many waiting on the customer with paused clocks, breached
and at-risk ones. Clocks, escalation steps and notifications follow the
project's rules; a sample of clocks is checked against `clock_recompute`,
and no escalation step is due right after loading. Then, in one process,
through Django's test client (`force_login`, no network; timings from
`time.perf_counter`, so server time only):

1. **Queue, first page**: `GET /desk/` as the demo `agent` (up to 50 open
   tickets, unacknowledged first, then by the nearest deadline); 3 warm-up
   requests, then 20 timed; median and p95.
2. **Dashboard for a month**: `GET /dashboard/?period=this_month` and
   `GET /dashboard/?period=last_month` (the last full month: this month may
   be only a few days old) as the demo `manager`, the same way.

Every response must be a 200 and the queue must show its 50 rows. One more
request of each page runs with every SQL statement captured
(`CaptureQueriesContext`, with the project function that ran it) for the
number of statements, the time in SQL and the response size, and one more
under cProfile; the EXPLAIN ANALYZE of each page's slowest statement is
shown.
"""

FINISHED = {"resolved", "closed", "cancelled", "rejected", "done", "accepted"}


def _abridged(sql: str, width: int = 600) -> str:
    """The statement on one line; long select lists and filters cut in the middle."""
    text = " ".join(sql.split())
    if len(text) <= width:
        return text
    return f"{text[: width // 2]} … {text[-width // 2 :]}"


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{key} {n:,}" for key, n in values.items())


def _rows(pages) -> list[tuple[str, str, str, str]]:
    """(measure, result, goal, met?) of the table: median and p95 of each page."""
    rows = []
    for page in pages:
        goal = f"< {page.goal_ms:.0f} ms"
        for name, value in (("median", page.median_ms), ("p95", page.p95_ms)):
            rows.append(
                (
                    f"{page.label}, {name} of {len(page.samples_ms)}",
                    f"{value:.1f} ms",
                    goal,
                    yes_or_no(value < page.goal_ms),
                )
            )
    return rows


def _setting(*, info: dict, data, load_end: str) -> list[str]:
    """Machine, software and dataset: what the figures were measured on."""
    load = f"load average {info['load']} at the start, {load_end} at the end"
    wall = os.environ.get("BENCH_STARTED")
    wall_text = f"{time.time() - float(wall):.0f} s so far" if wall else "n/a"
    open_states = {k: v for k, v in data.by_state.items() if k not in FINISHED}
    finished = {k: v for k, v in data.by_state.items() if k in FINISHED}
    return [
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}",
        f"- Software: PostgreSQL {info['postgresql']}, Python {info['python']}, "
        f"Django {info['django']}; {load}",
        f"- Dataset: {data.tickets:,} tickets reported over the last {data.days} days "
        f"(besides the {data.demo_tickets} demo tickets), {data.customers} customers, "
        f"{data.contracts} contracts, {data.sites} sites, {data.engineers} engineers; "
        f"{data.covered:,} covered by a contract in force. "
        f"Open: {data.open_tickets:,} ({_counts(open_states)}); "
        f"{data.unacknowledged:,} unacknowledged, {data.open_breached:,} with a breached "
        f"clock, {data.waiting:,} waiting on the customer. Finished: {_counts(finished)}.",
        f"- Clocks: {data.clocks:,} ({_counts(data.clocks_by_status)}), {data.at_risk_now:,} "
        f"at risk now; {data.steps:,} escalation steps, {data.notifications:,} notifications. "
        f"Generated, vacuumed and checked ({data.checked} clocks recomputed by "
        f"`clock_recompute`) in {data.seconds:.0f} s; whole `bench/run`: {wall_text} "
        "when this section was written",
    ]


def _diagnostics(pages) -> list[str]:
    """What one captured and one profiled request of each page show."""
    lines = [
        "One more request of each page with every SQL statement captured "
        "(`CaptureQueriesContext`):",
        "",
    ]
    for page in pages:
        shown = f", {page.rows} ticket rows" if page.rows is not None else ""
        heaviest = "; ".join(f"`{c}` ×{n} {ms:.1f} ms" for c, n, ms in page.top)
        lines.append(
            f"- {page.label}: {page.queries} SQL statements, {page.sql_ms:.1f} ms of "
            f"{page.request_ms:.1f} ms in SQL; response {page.size / 1024:.0f} KiB{shown}. "
            f"SQL time by caller: {heaviest}."
        )
    lines += ["", "Under cProfile (one more request), share of the time inside:", ""]
    for page in pages:
        lines.append(f"- {page.label}: {shares(page.python)}.")
    return lines


def _plans(pages) -> list[str]:
    lines = ["<details><summary>Query plan of the slowest statement of each page</summary>"]
    for page in pages:
        lines += [
            "",
            f"{page.label}, from `{page.plan_caller}`:",
            "",
            "```",
            _abridged(page.plan_sql),
            "",
            *page.plan,
            "```",
        ]
    return [*lines, "", "</details>"]


def _summary(*, started: datetime, info: dict, load_end: str, data, pages, rows) -> str:
    missed = [a for a, _b, _c, d in rows if d == yes_or_no(False)]
    figures = "; ".join(
        f"{page.label.split(':')[0]} median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms "
        f"(goal < {page.goal_ms:.0f} ms)"
        for page in pages
    )
    return (
        f"{started:%Y-%m-%d %H:%M} UTC (load {info['load']} → {load_end}), "
        f"{data.tickets:,} tickets: {figures}; "
        + (f"{len(missed)} of {len(rows)} goals missed" if missed else "all goals met")
    )


def report(*, started: datetime, info: dict, data, pages, args) -> tuple[str, str]:
    """The markdown of the run, and its one-line summary for the History."""
    rows = _rows(pages)
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
        *_diagnostics(pages),
        "",
        *_plans(pages),
        "",
    ]
    summary = _summary(
        started=started, info=info, load_end=load_end, data=data, pages=pages, rows=rows
    )
    return "\n".join(lines), summary
