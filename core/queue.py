"""Handing work to the Celery workers by task name, so services never import the task modules.

The tasks modules import the services they wrap; a service that queues work
names the task instead, and the broker carries the name. Every task queued
this way is idempotent: the database says what is left to do, so a message
sent twice, or lost and sent again by a sweep, does no harm.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_send(name: str, *args) -> bool:
    """Queue the task `name` now; False, with a warning, when the broker cannot be reached."""
    try:
        current_app.send_task(name, args=args, retry=False)
    except Exception:  # the broker may be down: the caller's fallback or a sweep catches up
        logger.warning("could not queue %s%r", name, args)
        return False
    return True


def task_send_on_commit(name: str, *args) -> None:
    """Queue the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_send(name, *args))
