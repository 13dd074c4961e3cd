from celery import shared_task

from mail_intake.services import mailboxes_poll


@shared_task(ignore_result=True)
def mail_poll() -> int:
    """Beat's minute: read every active mailbox (mail_intake.services)."""
    return sum(result.taken for result in mailboxes_poll())
