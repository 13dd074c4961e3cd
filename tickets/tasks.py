"""Celery tasks: thin wrappers over the services, which commands can run as well.

Services queue these by name (core.queue), never by importing this module.
"""

from celery import shared_task

from tickets.calendar_years import calendar_clocks_recompute as recompute
from tickets.calendar_years import holiday_years_remind as remind
from tickets.chat import chat_deliver
from tickets.escalation import sweep_due_steps
from tickets.heartbeats import heartbeat_record
from tickets.mail import notifications_deliver
from tickets.models import Heartbeat


@shared_task(ignore_result=True)
def sla_sweep() -> dict:
    result = sweep_due_steps()
    sent = notifications_deliver()
    return {"clocks": result.clocks, "steps": result.steps, "emails": sent}


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_notifications() -> int:
    return notifications_deliver()


@shared_task(ignore_result=True)
def deliver_chat() -> int:
    """Escalations to the chat groups (tickets/chat.py): queued by each step, and every
    15 s by beat for the retries; apart from the sweep, so a slow chat service never
    holds up escalations."""
    return chat_deliver()


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def calendar_clocks_recompute(calendar_id: int, changes: list[dict]) -> int:
    return recompute(calendar_id=calendar_id, changes=changes)


@shared_task(ignore_result=True)
def holiday_years_remind() -> int:
    return remind()


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Beat sends this every few seconds; the worker that runs it proves workers take tasks."""
    heartbeat_record(name=Heartbeat.Name.WORKER)
