"""Celery with the real broker bin/test starts (Redis), and without it."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from servicedesk.celery import app
from tests.brokers import broker_down, needs_redis
from tickets.escalation import sweep_due_steps
from tickets.mail import notifications_deliver
from tickets.models import EscalationStep, Notification
from tickets.services.creation import ticket_create
from tickets.tasks import sla_sweep

# The read and write URLs are copied from broker_url when the app starts:
# the shared fixture points all three to a closed port.
broker_down = broker_down


def _late_ticket(world):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="Gateway offline",
        channel="phone",
        reported_at=timezone.now() - timedelta(hours=1),
    )


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_beat_task_runs_the_sweep_in_a_real_worker_over_redis(world):
    ticket = _late_ticket(world)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        sla_sweep.delay()
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and not EscalationStep.objects.filter(ticket=ticket).exists()
        ):
            time.sleep(0.2)
    assert EscalationStep.objects.filter(ticket=ticket, kind="breach").count() == 1


@pytest.mark.django_db
def test_with_the_broker_down_tickets_still_work_and_clocks_catch_up(
    world, api, broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    agent = api(world["agent"])
    created = agent.post(
        "/api/tickets/",
        {
            "contract": world["contract"].pk,
            "site": world["site"].pk,
            "priority": "P1",
            "summary": "Broker outage drill",
            "reported_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    assert agent.post(f"/api/tickets/{ticket_id}/acknowledge/").status_code == 200
    # The sweep records and notifies; queueing the email task fails quietly.
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_due_steps()
    assert result.steps > 0
    assert Notification.objects.filter(emailed_at__isnull=True).exists()
    # When a worker runs again, the next sweep sends what waited.
    assert notifications_deliver() == len(mailoutbox) > 0
