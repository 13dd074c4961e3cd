"""Celery tasks of the deductions: thin wrappers over services a command can run too."""

from celery import shared_task


@shared_task(ignore_result=True)
def penalties_record() -> int:
    """The penalty of each breach recorded since the last run, into its contract's ledger."""
    from deductions.services import penalties_record as record

    return record()
