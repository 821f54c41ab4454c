from __future__ import annotations

from celery import shared_task

from certification import publicity

# Tasks defined beside their features; importing them here registers them with every worker.
from certification.certificate_tasks import render_certificate_batch  # noqa: F401
from certification.lifecycle_tasks import flag_missing_reports  # noqa: F401


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def close_due_notices() -> list[int]:
    """The day after a notice's end the scheduler closes it; a second run finds nothing to do."""
    return publicity.close_due_notices()
