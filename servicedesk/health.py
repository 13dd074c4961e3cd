"""GET /healthz: what a load balancer, a supervisor or a person checks first.

Four checks, each `{"ok": bool, "detail": str}`: the database answers a
trivial query, the broker answers a ping (1 s timeout), the SLA sweep
completed within the last 30 s (`sweep_age_seconds`, from the heartbeat the
sweep writes in the database) and a worker ran the heartbeat task beat sends
every 10 s within the last 30 s. 200 when all hold, 503 otherwise. Two more, `mail`
(every active mailbox of the e-mail intake read lately) and `chat` (every active
chat-group robot reached at its last try), are said but do not change the status.
No login, never cached; details name what failed, never a URL, host or password.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from mail_intake.selectors import mailboxes_late
from servicedesk.celery import broker_ping
from tickets.chat import robots_listed
from tickets.heartbeats import (
    SWEEP_HEALTHY_SECONDS,
    WORKER_HEALTHY_SECONDS,
    heartbeat_age_seconds,
)
from tickets.models import Heartbeat

logger = logging.getLogger(__name__)


def _failed(what: str, exc: Exception) -> dict:
    # The exception text can hold hosts and user names: it goes to the log only.
    logger.warning("healthz: %s check failed: %r", what, exc)
    return {"ok": False, "detail": f"unreachable ({type(exc).__name__})"}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed("database", exc)
    return {"ok": True, "detail": "answers"}


def check_broker() -> dict:
    try:
        broker_ping(timeout=1.0)
    except Exception as exc:
        return _failed("broker", exc)
    return {"ok": True, "detail": "answers"}


def _heartbeat(name: str, limit: int, *, database_ok: bool) -> tuple[dict, float | None]:
    if not database_ok:
        return {"ok": False, "detail": "unknown: the database does not answer"}, None
    try:
        age = heartbeat_age_seconds(name=name)
    except Exception as exc:
        return _failed(name, exc), None
    if age is None:
        return {"ok": False, "detail": "never ran"}, None
    age = round(age, 1)
    if age > limit:
        return {"ok": False, "detail": f"last ran {age:.0f} s ago (limit {limit} s)"}, age
    return {"ok": True, "detail": f"last ran {age:.0f} s ago"}, age


def check_mail(*, database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False, "detail": "unknown: the database does not answer"}
    try:
        late = mailboxes_late()
    except Exception as exc:
        return _failed("mail", exc)
    if late:
        names = ", ".join(f"{box.name} ({why})" for box, why in late)
        return {"ok": False, "detail": f"not read: {names}"}
    return {"ok": True, "detail": "every active mailbox read"}


def check_chat(*, database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False, "detail": "unknown: the database does not answer"}
    try:
        failing = [robot.name for robot in robots_listed() if robot.active and robot.failing]
    except Exception as exc:
        return _failed("chat", exc)
    if failing:
        return {"ok": False, "detail": f"not reached: {', '.join(failing)}"}
    return {"ok": True, "detail": "every active chat-group robot reached"}


@never_cache
def healthz(request):
    database = check_database()
    broker = check_broker()
    sweep, sweep_age = _heartbeat(
        Heartbeat.Name.SLA_SWEEP, SWEEP_HEALTHY_SECONDS, database_ok=database["ok"]
    )
    worker, _age = _heartbeat(
        Heartbeat.Name.WORKER, WORKER_HEALTHY_SECONDS, database_ok=database["ok"]
    )
    ok = all(check["ok"] for check in (database, broker, sweep, worker))
    body = {
        # Said, not counted in the status: a mailbox that cannot be read stops intake by
        # e-mail, not the desk, so the web stays in service.
        "mail": check_mail(database_ok=database["ok"]),
        "chat": check_chat(database_ok=database["ok"]),
        "status": "ok" if ok else "failing",
        "database": database,
        "broker": broker,
        "sweep": sweep,
        "sweep_age_seconds": sweep_age,
        "worker": worker,
    }
    return JsonResponse(body, status=200 if ok else 503)
