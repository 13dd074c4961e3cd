"""Celery tasks of the inspections app: thin wrappers over services a command can run too."""

from celery import shared_task
from django.utils import timezone


@shared_task(ignore_result=True)
def inspections_generate() -> int:
    """Create the scheduled inspections of every active plan ahead of time (idempotent)."""
    from inspections.services.scheduling import inspections_generate as generate

    return generate(today=timezone.localdate())


@shared_task(ignore_result=True)
def inspections_alert() -> int:
    """Remind before inspections fall due and escalate the overdue ones, once each."""
    from inspections.services.scheduling import inspections_alert as alert

    return alert(now=timezone.now())
