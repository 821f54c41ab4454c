"""Batch printing of certificates: a district official picks certificates, a Celery task renders them as one
PDF (one certificate per page), and a progress page follows it.

Job state lives in the Django cache (``core.jobs``; Redis in production and tests) for BATCH_TTL = 24
hours under ``certificate-batch:<job_id>``::

    {"state": "queued|running|done|failed", "done": 3, "total": 20,
     "district_id": 7, "user_id": 42, "file": "batches/<job_id>.pdf"}

No model holds it: a batch is a print run, not a record. The PDF is written to the default storage under
``batches/<job_id>.pdf``; after 24 hours the state expires and the download is gone with it (the file
itself stays until storage is cleaned, e.g. ``find var/media/batches -mtime +1 -delete``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from certification.certificates.pdf import render_batch
from certification.models import Certificate
from core.errors import DomainPermissionDenied
from core.jobs import CacheJobs

__all__ = [
    "BATCH_MAX",
    "BATCH_TTL",
    "batch_file_name",
    "batch_job",
    "batch_start",
    "render_certificate_batch",
]

logger = logging.getLogger(__name__)

BATCH_TTL = 24 * 3600
BATCH_MAX = 500  # one print run; a larger one would hold every page's layout in the worker's memory
JOBS = CacheJobs("certificate-batch", BATCH_TTL)


def batch_file_name(job_id: str) -> str:
    return f"batches/{job_id}.pdf"


def batch_job(job_id: str) -> dict[str, Any] | None:
    """The job's state, or None for an unknown, malformed or expired job id."""
    return JOBS.get(job_id)


def batch_start(*, by: User, certificate_ids: list[int]) -> str:
    """Record a queued job for the official's district and enqueue the render after commit; the job id.

    The caller passes ids it has already limited to the official's district; the task checks again.
    """
    if by.role != Role.DISTRICT or not by.district_id:
        raise DomainPermissionDenied(_("只有区县工作小组可以打印证书。"))
    ids = sorted(set(certificate_ids))
    if not ids or len(ids) > BATCH_MAX:
        raise ValueError(f"a batch holds 1 to {BATCH_MAX} certificates")
    job_id = JOBS.create(
        {
            "state": "queued",
            "done": 0,
            "total": len(ids),
            "district_id": by.district_id,
            "user_id": by.pk,
            "file": "",
        },
    )
    transaction.on_commit(lambda: render_certificate_batch.delay(job_id, ids))
    return job_id


class _BatchTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):  # type: ignore[no-untyped-def]
        # Called once retries are exhausted (or for an error that is not retried): the page says so.
        JOBS.fail(kwargs.get("job_id") or (args[0] if args else ""))


@shared_task(
    name="certification.certificate_tasks.render_certificate_batch",
    bind=True,
    base=_BatchTask,
    acks_late=True,
    autoretry_for=(OSError,),  # storage or font files briefly unavailable
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def render_certificate_batch(self, job_id: str, certificate_ids: list[int]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Render the job's certificates as one PDF at ``batches/<job_id>.pdf``, reporting progress.

    Safe to run twice (a redelivery after a worker loss, a retry, a manual re-run): it renders the same
    certificates again and replaces the file under the same name. A finished job stays "done" while it
    re-renders, so its download link never disappears. An expired or unknown job is skipped.
    """
    state = batch_job(job_id)
    if state is None:
        logger.warning("certificate batch %s: no job state (expired?); nothing to do", job_id)
        return {"state": "missing"}
    # Only the job's district, whatever ids arrive.
    certificates = list(
        Certificate.objects.select_related("district")
        .prefetch_related("versions")
        .filter(pk__in=certificate_ids, district_id=state["district_id"])
        .order_by("number")
    )
    rerun = state["state"] == "done"
    total = len(certificates)
    if not rerun:
        state = {**state, "state": "running", "done": 0, "total": total}
        JOBS.save(job_id, state)

    def progress(done: int, of: int) -> None:
        if not rerun:
            JOBS.save(job_id, {**state, "done": done, "total": of})

    if total == 0:
        JOBS.save(job_id, {**state, "state": "failed", "done": 0, "total": 0})
        return {"state": "failed"}
    pdf = render_batch(certificates, progress=progress)
    name = batch_file_name(job_id)
    # Same name every run: replace, never accumulate suffixed copies.
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(pdf))
    state = {**state, "state": "done", "done": total, "total": total, "file": stored}
    JOBS.save(job_id, state)
    return {"state": "done", "file": stored, "pages": total}
