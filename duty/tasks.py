"""Celery tasks of the duty roster: thin wrappers over services a command can run too."""

from celery import shared_task


@shared_task(ignore_result=True)
def duty_gaps_remind() -> int:
    """Tell the branches' managers, once per gap day, of holidays and events nobody covers."""
    from duty.services import gaps_remind

    return gaps_remind()
