"""Large exports (over `audits.exports.sync_max_rows()` rows) built by a Celery task, with progress.

Job state lives in the Django cache (``core.jobs``) for EXPORT_TTL = 24 hours under ``audits-export:<job_id>``::

    {"state": "queued|running|done|failed", "done": 1500, "total": 12000, "user_id": 42,
     "name": "applications", "fmt": "xlsx", "params": {"status": "accepted"}, "file": "exports/<id>.xlsx"}

The job belongs to the user who started it (their status page and download only). The task rebuilds
the queryset from the stored list name and filters *as that user*, so what the file holds is decided
by the same permission rules as the page, at the time it is written. The file goes to the default
storage under ``exports/<job_id>.<fmt>``; after 24 hours the state, and with it the download, expires.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from celery import Task, shared_task
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from audits import exports
from core.jobs import CacheJobs

logger = logging.getLogger(__name__)

EXPORT_TTL = 24 * 3600
JOBS = CacheJobs("audits-export", EXPORT_TTL)


def export_file_name(job_id: str, fmt: str) -> str:
    return f"exports/{job_id}.{fmt}"


def export_job(job_id: str) -> dict[str, Any] | None:
    """The job's state, or None for an unknown, malformed or expired job id."""
    return JOBS.get(job_id)


def export_start(*, by: User, name: str, fmt: str, params: dict[str, str], total: int) -> str:
    """Record a queued job and enqueue the build after commit; the job id."""
    exports.get_list(name, by)  # NotVisible for a list the user may not export
    if fmt not in exports.FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    job_id = JOBS.create(
        {
            "state": "queued",
            "done": 0,
            "total": total,
            "user_id": by.pk,
            "name": name,
            "fmt": fmt,
            "params": dict(params),
            "file": "",
        },
    )
    transaction.on_commit(lambda: build_export.delay(job_id))
    return job_id


class _ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):  # type: ignore[no-untyped-def]
        # Once retries are exhausted (or for an error that is not retried): the status page says so.
        JOBS.fail(kwargs.get("job_id") or (args[0] if args else ""))


@shared_task(
    bind=True,
    base=_ExportTask,
    acks_late=True,
    autoretry_for=(OSError,),  # storage briefly unavailable
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def build_export(self, job_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Write the job's list to ``exports/<job_id>.<fmt>``, reporting progress every few hundred rows.

    Safe to run twice (a redelivery, a retry): it writes the same file again under the same name. A
    finished job stays "done" while it is rewritten, so its download link never disappears.
    """
    state = export_job(job_id)
    if state is None:
        logger.warning("export %s: no job state (expired?); nothing to do", job_id)
        return {"state": "missing"}
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    try:
        if user is None:
            raise exports.NotVisible
        spec = exports.get_list(state["name"], user)
        qs = spec.build(user, state["params"])
    except exports.NotVisible:
        JOBS.save(job_id, {**state, "state": "failed"})
        return {"state": "failed"}
    rerun = state["state"] == "done"
    total = qs.count()
    if not rerun:
        state = {**state, "state": "running", "done": 0, "total": total}
        JOBS.save(job_id, state)

    def progress(done: int) -> None:
        if not rerun:
            JOBS.save(job_id, {**state, "done": done})

    fmt = state["fmt"]
    filters = exports.describe_filters(spec, user, state["params"])
    with tempfile.TemporaryFile() as handle:
        rows = exports.write_export(
            spec, exports.iterate(qs), fmt, handle, filters=filters, progress=progress
        )
        handle.seek(0)
        name = export_file_name(job_id, fmt)
        # Same name every run: replace, never accumulate suffixed copies.
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(handle))
    state = {**state, "state": "done", "done": rows, "total": rows, "file": stored}
    JOBS.save(job_id, state)
    return {"state": "done", "file": stored, "rows": rows}
