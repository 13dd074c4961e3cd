"""Celery tasks of the reports app: thin wrappers over services a command can run too.

Services queue these by name (core.queue), never by importing this module.
"""

from celery import shared_task
from django.utils import timezone

from reports.rendering import report_job_run
from reports.rendering import report_jobs_requeue as requeue
from reports.surveys import surveys_send_due as send


@shared_task(ignore_result=True)
def surveys_send_due() -> int:
    """Send the half-yearly questionnaire where due and remind unanswered ones."""
    return send(now=timezone.now())


# Acknowledged only once rendered, and given back to the queue if the worker dies meanwhile;
# the job row's claim makes a second delivery harmless (reports.rendering).
@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def report_render(job_id: int) -> None:
    """Render a long report in the background; the job row carries progress and the file."""
    report_job_run(job_id=job_id)


@shared_task(ignore_result=True, acks_late=True)
def report_jobs_requeue() -> int:
    """Beat's safety net: re-queue report jobs whose worker stopped or that never reached one."""
    return requeue(now=timezone.now())
