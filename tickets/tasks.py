"""Celery tasks: thin wrappers over the services, which commands can run as well."""

from celery import shared_task

from tickets.escalation import notifications_deliver, sweep_due_steps


@shared_task(ignore_result=True)
def sla_sweep() -> dict:
    result = sweep_due_steps()
    sent = notifications_deliver()
    return {"clocks": result.clocks, "steps": result.steps, "emails": sent}


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_notifications() -> int:
    return notifications_deliver()
