"""Races against a real PostgreSQL: two people on one ticket, two sweepers at once."""

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from core.errors import TransitionConflict
from tickets.models import EscalationStep, Notification, Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_transition

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks and SKIP LOCKED need PostgreSQL",
    ),
]


def _overdue_ticket(world, hours_ago: float = 3) -> Ticket:
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="Telemetry lost",
        channel="phone",
        reported_at=timezone.now() - timedelta(hours=hours_ago),
    )


def test_two_agents_acknowledge_at_once_one_wins_the_other_gets_a_conflict(world):
    ticket = _overdue_ticket(world, hours_ago=0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user):
        try:
            barrier.wait()
            ticket_transition(ticket_id=ticket.pk, name="acknowledge", user=user)
            outcomes.append("ok")
        except TransitionConflict as exc:
            outcomes.append(f"conflict: {exc.message}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(world[u],)) for u in ("agent", "manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "ok"
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    assert "Acknowledged" in sorted(outcomes)[0] or "已受理" in sorted(outcomes)[0]
    ticket.refresh_from_db()
    assert ticket.state == "acknowledged"
    assert ticket.events.filter(kind="transition").count() == 1
    assert ticket.clocks.get(kind="response").stopped_at is not None


def test_two_sweeper_processes_never_record_a_step_twice(world):
    tickets = [_overdue_ticket(world) for _ in range(120)]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    command = [sys.executable, "manage.py", "sla_sweep"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    # Three hours late on a 30-min response and a 4-h on-site promise:
    # response 50/75/100/+120 and on-site 50/75 per ticket.
    per_ticket = 6
    assert EscalationStep.objects.count() == per_ticket * len(tickets)
    reported = sum(
        int(re.search(r"Swept \d+ clocks: (\d+) escalation steps", out).group(1))
        for out, _ in outputs
    )
    assert reported == per_ticket * len(tickets)
    assert Notification.objects.filter(step__isnull=False).values(
        "user", "step"
    ).distinct().count() == (Notification.objects.count())


def test_sweeper_threads_with_small_batches_share_the_work_without_repeats(world):
    from tickets.escalation import sweep_due_steps

    tickets = [_overdue_ticket(world) for _ in range(60)]
    barrier = threading.Barrier(3)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sweep_due_steps(batch_size=7))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.steps for r in results) == EscalationStep.objects.count() == 6 * len(tickets)
    step_ids = [i for r in results for i in r.step_ids]
    assert len(step_ids) == len(set(step_ids))
