"""Periodic work of publicity: closing the notices whose period has ended."""

from __future__ import annotations

from celery import shared_task

from certification.publicity import services as publicity


@shared_task(
    name="certification.tasks.close_due_notices",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def close_due_notices() -> list[int]:
    """The day after a notice's end the scheduler closes it; a second run finds nothing to do."""
    return publicity.close_due_notices()
