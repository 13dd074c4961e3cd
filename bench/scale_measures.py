"""The measures of the scale benchmark (`bench.scale`) at one size of history.

Pages through Django's test client (`bench.ui_measures.measure_page`), ticket
creation through the API (`bench.sla_measures.measure_creation`), and the
escalation sweep on the same data: the desk a little later, when the next
`count` clocks have reached a step, swept once (per step), then again with
the e-mails the steps' notifications send delivered (per step and per
message, over the locmem backend: the cost of the service, not of a mail
server).
"""

import statistics
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.instruments import profiled, quantile
from bench.paths import dashboard_month_path
from bench.scale_report import GOALS
from bench.ui_measures import DASHBOARD_PARTS, QUEUE_PARTS, measure_page
from tickets.escalation import sweep_due_steps
from tickets.mail import notifications_deliver
from tickets.models import OPEN_STATES, Notification, SlaClock, Ticket

TICKET_PARTS = [
    ("template rendering (`render`)", "django/shortcuts.py", "render"),
    ("SQL (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
]
API_PARTS = [
    ("serializing (`Serializer.data`)", "rest_framework/serializers.py", "data"),
    ("SQL (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
]
SWEEP_PARTS = [
    ("`_clocks_save` (one UPDATE)", "tickets/escalation.py", "_clocks_save"),
    ("`bulk_create` of steps, notifications, events", "django/db/models/query.py", "bulk_create"),
    ("`_step_message`", "tickets/escalation.py", "_step_message"),
    ("`moment_when_used`", "tickets/clockmath.py", "moment_when_used"),
    ("`_Staff.recipients`", "tickets/escalation.py", "recipients"),
    ("`notifications_deliver` (e-mails)", "tickets/mail.py", "notifications_deliver"),
    ("SQL (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
]


@dataclass
class Figure:
    """One measure at one size: what the report and the growth factors read."""

    key: str
    median_ms: float
    p95_ms: float
    queries: float
    samples: int
    note: str = ""
    python: list | None = None
    plan: list | None = None
    plan_caller: str = ""

    def as_json(self) -> dict:
        return asdict(self)


def _open_ticket_number() -> str:
    """A ticket an agent would open: the oldest open one with the most history behind it."""
    ticket = (
        Ticket.objects.filter(state__in=OPEN_STATES, covered=True)
        .order_by("reported_at", "pk")
        .values_list("number", flat=True)
        .first()
    )
    return ticket or Ticket.objects.order_by("pk").values_list("number", flat=True).first()


def pages(*, warmup: int, requests: int, log) -> list[Figure]:
    number = _open_ticket_number()
    wanted = [
        ("queue", "/desk/", "agent", QUEUE_PARTS),
        ("ticket", f"/desk/tickets/{number}/", "agent", TICKET_PARTS),
        ("api_list", "/api/tickets/", "agent", API_PARTS),
        ("dashboard", dashboard_month_path(), "manager", DASHBOARD_PARTS),
    ]
    figures = []
    for key, url, username, parts in wanted:
        label, goal, _flat = GOALS[key]
        log(f"{key}: {url} as {username}")
        page = measure_page(
            label=label,
            url=url,
            username=username,
            goal_ms=goal,
            warmup=warmup,
            requests=requests,
            parts=parts,
        )
        log(f"    median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms, {page.queries} queries")
        figures.append(
            Figure(
                key=key,
                median_ms=page.median_ms,
                p95_ms=page.p95_ms,
                queries=page.queries,
                samples=len(page.samples_ms),
                note=f"{page.size / 1024:.0f} KiB, {page.sql_ms:.1f} ms in SQL",
                python=page.python,
                plan=page.plan[:12],
                plan_caller=page.plan_caller,
            )
        )
    return figures


def creation(*, requests: int, log) -> Figure:
    from bench.sla_measures import measure_creation

    log(f"create: POST /api/tickets/ ×{requests}")
    made = measure_creation(requests=requests, warmup=10, profiled_requests=10)
    log(f"    median {made.median_ms:.1f} ms, {made.queries_per_request:.0f} queries")
    return Figure(
        key="create",
        median_ms=made.median_ms,
        p95_ms=quantile(made.samples_ms, 95),
        queries=made.queries_per_request,
        samples=len(made.samples_ms),
        note=f"{made.sql_share:.0%} of the time in SQL",
        python=made.python,
    )


def _moment_when_due(after: datetime, count: int) -> datetime | None:
    """The moment by which `count` more clocks have a step due after `after`."""
    moments = (
        SlaClock.objects.filter(next_step_at__gt=after)
        .order_by("next_step_at")
        .values_list("next_step_at", flat=True)
    )
    return moments[count - 1 : count].first() if count else None


def _sweep_round(after: datetime, count: int, *, with_mail: bool):
    """One sweep at the moment `count` more clocks fell due; (ms, steps, messages, queries)."""
    moment = _moment_when_due(after, count)
    if moment is None:
        return None
    outbox = len(getattr(mail, "outbox", []))
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = sweep_due_steps(now=moment)
        swept = time.perf_counter()
        delivery_queries = len(captured.captured_queries)
        if with_mail:
            while notifications_deliver():
                pass
        ended = time.perf_counter()
    delivery_queries = len(captured.captured_queries) - delivery_queries
    messages = len(getattr(mail, "outbox", [])) - outbox
    return {
        "moment": moment,
        "steps": result.steps,
        "notifications": result.notifications,
        "sweep_ms": (swept - started) * 1000,
        "mail_ms": (ended - swept) * 1000,
        "messages": messages,
        "queries": len(captured.captured_queries),
        "delivery_queries": delivery_queries,
    }


def escalation(*, reference: datetime, count: int, rounds: int, log) -> list[Figure]:
    """Per step: the sweep alone, then the sweep with its e-mails, `rounds` sweeps of each."""
    # The dataset's e-mails are history: only the ones the measured steps cause are sent.
    Notification.objects.exclude(email_due_at=None).update(email_due_at=None)
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    after = reference
    plain, with_mail = [], []
    for i in range(2 * rounds):
        sending = i % 2 == 1
        done = _sweep_round(after, count, with_mail=sending)
        if done is None or not done["steps"]:
            log(f"    no more clocks to make due after {after}: {i} sweeps")
            break
        after = done["moment"]
        (with_mail if sending else plain).append(done)
        log(
            f"    sweep {i + 1}: {done['steps']} steps in {done['sweep_ms']:.0f} ms"
            + (f", {done['messages']} e-mails in {done['mail_ms']:.0f} ms" if sending else "")
        )
    python = None
    moment = _moment_when_due(after, count)
    if moment is not None:
        python = profiled(lambda: sweep_due_steps(now=moment), SWEEP_PARTS)
    figures = []
    if plain:
        per_step = [r["sweep_ms"] / r["steps"] for r in plain]
        steps = sum(r["steps"] for r in plain)
        figures.append(
            Figure(
                key="sweep",
                median_ms=statistics.median(per_step),
                p95_ms=max(per_step),
                queries=sum(r["queries"] for r in plain) / steps,
                samples=len(plain),
                note=f"{len(plain)} sweeps, {steps} steps, "
                f"{sum(r['notifications'] for r in plain)} notifications",
                python=python,
            )
        )
    if with_mail:
        per_step = [(r["sweep_ms"] + r["mail_ms"]) / r["steps"] for r in with_mail]
        steps = sum(r["steps"] for r in with_mail)
        messages = sum(r["messages"] for r in with_mail)
        mail_ms = sum(r["mail_ms"] for r in with_mail)
        delivery_queries = sum(r["delivery_queries"] for r in with_mail)
        per_message = f"{mail_ms / messages:.2f} ms" if messages else "n/a"
        per_message_queries = f"{delivery_queries / messages:.3f}" if messages else "n/a"
        figures.append(
            Figure(
                key="escalation_mail",
                median_ms=statistics.median(per_step),
                p95_ms=max(per_step),
                queries=sum(r["queries"] for r in with_mail) / steps,
                samples=len(with_mail),
                note=f"{len(with_mail)} sweeps, {steps} steps, {messages} e-mails; "
                f"delivery {per_message} and {per_message_queries} queries per e-mail",
            )
        )
    return figures
