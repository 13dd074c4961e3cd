"""Celery tasks of planned maintenance: thin wrappers over services a command can run too."""

from celery import shared_task


@shared_task(ignore_result=True)
def downtime_remind() -> int:
    """Remind the customer's people before each planned window, once per version."""
    from maintenance.services import downtime_remind as remind

    return remind()
