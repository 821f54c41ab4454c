"""The state of a background job with a progress page, kept in the Django cache (Redis in production).

Used by the certificate batches (``certification/certificates/tasks.py``) and the exports
(``audits/tasks.py``): the view records a queued job and enqueues the task on commit, the task writes
its progress and the result, the status page reads it. No model holds the state: after ``ttl`` seconds
it expires, and the download with it. Job ids are 32 hex characters (``uuid4().hex``); anything else
reads as an unknown job.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.cache import cache

JOB_ID_RE = re.compile(r"^[0-9a-f]{32}$")


class CacheJobs:
    """The jobs of one kind, under ``<prefix>:<job_id>`` in the cache for ``ttl`` seconds."""

    def __init__(self, prefix: str, ttl: int) -> None:
        self.prefix, self.ttl = prefix, ttl

    def key(self, job_id: str) -> str:
        return f"{self.prefix}:{job_id}"

    def create(self, state: dict[str, Any]) -> str:
        """Record a new job with its first state; its id."""
        job_id = uuid.uuid4().hex
        self.save(job_id, state)
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's state, or None for an unknown, malformed or expired job id."""
        if not JOB_ID_RE.match(job_id or ""):
            return None
        return cache.get(self.key(job_id))

    def save(self, job_id: str, state: dict[str, Any]) -> None:
        """Replace the job's state (and renew its time to live)."""
        cache.set(self.key(job_id), state, self.ttl)

    def fail(self, job_id: str) -> None:
        """Mark a known job failed (a task's ``on_failure``); an expired or unknown job stays gone."""
        state = self.get(job_id)
        if state is not None:
            self.save(job_id, {**state, "state": "failed"})
