"""The page benchmark: `python -m bench.ui`, normally through `bench/run` (or `bench/run ui`).

Needs an empty, migrated PostgreSQL database with the demo data loaded (what
`bench/run` provides). Adds customers, contracts and engineers, fills the
database with three months of tickets, then times the hotline queue's first
page and the manager's SLA dashboard through Django's test client, prints
the results and writes them to the pages block of docs/PERFORMANCE.md.
Exits non-zero only on an error; a missed goal is a result like any other.
"""

import argparse
import os
import statistics
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
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

QUEUE_LIMIT = 50  # rows on the queue's first page (tickets.views.console.QUEUE_PAGE_SIZE)


@dataclass
class Page:
    label: str
    url: str
    username: str
    goal_ms: float
    samples_ms: list[float]
    queries: int
    sql_ms: float
    request_ms: float
    top: list[tuple[str, int, float]]
    size: int
    rows: int | None
    plan: list[str]
    plan_sql: str
    plan_caller: str
    python: list[tuple[str, float]]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]


def _caller() -> str:
    """The innermost frame of the project's own code: which function ran a query."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / ".venv"):
            relative = path.relative_to(ROOT)
            if relative.parts[0] != "bench":
                return f"{relative.as_posix()}:{frame.lineno} {frame.name}"
    return "(django)"


@contextmanager
def callers():
    """(caller, seconds) of every SQL statement run inside, in order."""
    from django.db import connection

    log: list[tuple[str, float]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((_caller(), time.perf_counter() - started))

    with connection.execute_wrapper(wrapper):
        yield log


def _plan(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


QUEUE_PARTS = [
    ("template rendering (`render`)", "django/shortcuts.py", "render"),
    ("prefetching clocks and pauses", "django/db/models/query.py", "prefetch_related_objects"),
    (
        "of which one queryset per prefetched object (`_apply_rel_filters`)",
        "django/db/models/fields/related_descriptors.py",
        "_apply_rel_filters",
    ),
    ("`get_FOO_display`", "django/db/models/base.py", "_get_FIELD_display"),
    ("`gettext`", "django/utils/translation/trans_real.py", "gettext"),
    ("`_mark_deadline`", "tickets/views/console.py", "_mark_deadline"),
    ("SQL (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
]
DASHBOARD_PARTS = [
    ("`sla_report` (every figure)", "reports/sla/report.py", "sla_report"),
    ("of which `durations`", "reports/sla/durations.py", "durations"),
    ("of which `groups_of`", "reports/sla/compliance.py", "groups_of"),
    ("`_dashboard_context` (charts)", "reports/dashboard_views.py", "_dashboard_context"),
    ("template rendering (`render`)", "django/shortcuts.py", "render"),
    ("SQL (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
]


def measure_page(
    *, label: str, url: str, username: str, goal_ms: float, warmup: int, requests: int, parts
) -> Page:
    """`warmup` requests, `requests` timed ones, one with every query captured, one profiled."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.measures import profiled

    client = Client()
    client.force_login(User.objects.get(username=username))

    def get():
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} as {username} gave {response.status_code}")
        return response, elapsed

    for _ in range(warmup):
        get()
    samples = [get()[1] for _ in range(requests)]
    with CaptureQueriesContext(connection) as captured, callers() as log:
        response, request_ms = get()
    statements = captured.captured_queries
    if len(statements) != len(log):
        raise RuntimeError("the captured queries and their callers do not match")
    by_caller: dict[str, list[float]] = {}
    for caller, seconds in log:
        by_caller.setdefault(caller, []).append(seconds * 1000)
    top = sorted(((c, len(v), sum(v)) for c, v in by_caller.items()), key=lambda r: -r[2])
    slowest = max(range(len(log)), key=lambda i: log[i][1])
    sql = statements[slowest]["sql"]
    content = response.content.decode()
    return Page(
        label=label,
        url=url,
        username=username,
        goal_ms=goal_ms,
        samples_ms=samples,
        queries=len(statements),
        sql_ms=sum(seconds for _c, seconds in log) * 1000,
        request_ms=request_ms,
        top=top[:4],
        size=len(response.content),
        rows=content.count("data-number=") if url.startswith("/desk/") else None,
        plan=_plan(sql) if sql.lstrip().upper().startswith("SELECT") else [],
        plan_sql=sql,
        plan_caller=log[slowest][0],
        python=profiled(get, parts),
    )


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def _shares(rows) -> str:
    return "; ".join(f"{label} {share:.0%}" for label, share in rows) or "n/a"


def _abridged(sql: str, width: int = 600) -> str:
    """The statement on one line; long select lists and filters cut in the middle."""
    text = " ".join(sql.split())
    if len(text) <= width:
        return text
    return f"{text[: width // 2]} … {text[-width // 2 :]}"


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{key} {n:,}" for key, n in values.items())


def report(*, started: datetime, info: dict, data, pages: list[Page], args) -> tuple[str, str]:
    """The markdown of the run, and its one-line summary for the History."""
    from bench.sla import _load

    rows = []
    for page in pages:
        goal = f"< {page.goal_ms:.0f} ms"
        for name, value in (("median", page.median_ms), ("p95", page.p95_ms)):
            rows.append(
                (
                    f"{page.label}, {name} of {len(page.samples_ms)}",
                    f"{value:.1f} ms",
                    goal,
                    _yes(value < page.goal_ms),
                )
            )
    load_end = _load()
    load = f"load average {info['load']} at the start, {load_end} at the end"
    wall = os.environ.get("BENCH_STARTED")
    wall_text = f"{time.time() - float(wall):.0f} s so far" if wall else "n/a"
    open_states = {k: v for k, v in data.by_state.items() if k not in FINISHED}
    finished = {k: v for k, v in data.by_state.items() if k in FINISHED}
    lines = [
        f"### Latest run: {started:%Y-%m-%d %H:%M} UTC",
        "",
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
        "",
        "| measure | result | goal | met? |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
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
        lines.append(f"- {page.label}: {_shares(page.python)}.")
    lines += ["", "<details><summary>Query plan of the slowest statement of each page</summary>"]
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
    lines += ["", "</details>", ""]
    missed = [a for a, _b, _c, d in rows if d == _yes(False)]
    figures = "; ".join(
        f"{page.label.split(':')[0]} median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms "
        f"(goal < {page.goal_ms:.0f} ms)"
        for page in pages
    )
    summary = (
        f"{started:%Y-%m-%d %H:%M} UTC (load {info['load']} → {load_end}), "
        f"{data.tickets:,} tickets: {figures}; "
        + (f"{len(missed)} of {len(rows)} goals missed" if missed else "all goals met")
    )
    return "\n".join(lines), summary


FINISHED = {"resolved", "closed", "cancelled", "rejected", "done", "accepted"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=92, help="history reported over these days")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", default="bench.ui", help="seed of the random histories")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench import ui_dataset, ui_world
    from bench.report_file import write_run
    from bench.sla import machine
    from tickets.escalation import sweep_due_steps
    from tickets.models import OPEN_STATES, Ticket

    if connection.vendor != "postgresql":
        print("the benchmark needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(f"[bench.ui] {message}", file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    info = machine()
    reference = datetime.now(UTC).replace(microsecond=0)
    settled = sweep_due_steps(now=reference)
    log(f"demo tickets settled: {settled.steps} steps recorded")
    ui_world.world_extend(today=timezone.localdate(reference))
    slots = ui_world.world_slots()
    log(f"world: {len(slots)} sites to call from")
    data = ui_dataset.ui_dataset_create(
        reference=reference,
        total=args.tickets,
        days=args.days,
        slots=slots,
        seed=ui_dataset.seed_value(args.seed),
        log=log,
    )
    log(
        f"dataset ready in {data.seconds:.0f} s: {data.tickets:,} tickets, "
        f"{data.open_tickets:,} open, {data.clocks:,} clocks, {data.steps:,} steps"
    )
    pages = [
        ("queue, first page: `GET /desk/` as agent", "/desk/", "agent", 150.0, QUEUE_PARTS),
        (
            "dashboard, this month: `GET /dashboard/?period=this_month` as manager",
            "/dashboard/?period=this_month",
            "manager",
            300.0,
            DASHBOARD_PARTS,
        ),
        (
            "dashboard, last month (a full month): `GET /dashboard/?period=last_month` as manager",
            "/dashboard/?period=last_month",
            "manager",
            300.0,
            DASHBOARD_PARTS,
        ),
    ]
    results = []
    for i, (label, url, username, goal, parts) in enumerate(pages, start=1):
        log(f"{i}/{len(pages)} {url} as {username}")
        page = measure_page(
            label=label,
            url=url,
            username=username,
            goal_ms=goal,
            warmup=args.warmup,
            requests=args.requests,
            parts=parts,
        )
        log(
            f"    median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms, "
            f"{page.queries} queries, {page.size / 1024:.0f} KiB"
        )
        results.append(page)
    queue = results[0]
    expected_rows = min(QUEUE_LIMIT, Ticket.objects.filter(state__in=OPEN_STATES).count())
    if queue.rows != expected_rows:
        raise RuntimeError(f"the queue showed {queue.rows} tickets, not {expected_rows}")
    section, summary = report(started=started, info=info, data=data, pages=results, args=args)
    print(section)
    write_run(args.output, "ui", title=TITLE, about=ABOUT, latest=section, summary=summary)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
