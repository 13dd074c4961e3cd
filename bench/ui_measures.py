"""The page benchmark's measures: each page timed through Django's test client, then
one request with every SQL statement captured and one under cProfile."""

import statistics
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bench.instruments import profiled, quantile

ROOT = Path(__file__).resolve().parent.parent
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
        return quantile(self.samples_ms, 95)


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

# label, URL, user, goal in ms, the functions whose share cProfile shows
PAGES = [
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


def _heaviest_callers(log: list[tuple[str, float]]) -> list[tuple[str, int, float]]:
    """(caller, statements, ms) by SQL time, the heaviest first."""
    by_caller: dict[str, list[float]] = {}
    for caller, seconds in log:
        by_caller.setdefault(caller, []).append(seconds * 1000)
    return sorted(((c, len(v), sum(v)) for c, v in by_caller.items()), key=lambda r: -r[2])


def measure_page(
    *, label: str, url: str, username: str, goal_ms: float, warmup: int, requests: int, parts
) -> Page:
    """`warmup` requests, `requests` timed ones, one with every query captured, one profiled."""
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
    slowest = max(range(len(log)), key=lambda i: log[i][1])
    sql = statements[slowest]["sql"]
    return Page(
        label=label,
        url=url,
        username=username,
        goal_ms=goal_ms,
        samples_ms=samples,
        queries=len(statements),
        sql_ms=sum(seconds for _c, seconds in log) * 1000,
        request_ms=request_ms,
        top=_heaviest_callers(log)[:4],
        size=len(response.content),
        rows=response.content.decode().count("data-number=") if url.startswith("/desk/") else None,
        plan=_plan(sql) if sql.lstrip().upper().startswith("SELECT") else [],
        plan_sql=sql,
        plan_caller=log[slowest][0],
        python=profiled(get, parts),
    )
