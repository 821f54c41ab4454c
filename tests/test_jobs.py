"""core.jobs: the cache-backed state of background jobs (certificate batches, exports)."""

from __future__ import annotations

from core.jobs import CacheJobs


def test_create_get_save_fail():
    jobs = CacheJobs("test-jobs", 60)
    job_id = jobs.create({"state": "queued", "done": 0})
    assert len(job_id) == 32 and jobs.key(job_id) == f"test-jobs:{job_id}"
    assert jobs.get(job_id) == {"state": "queued", "done": 0}
    jobs.save(job_id, {"state": "running", "done": 3})
    jobs.fail(job_id)
    assert jobs.get(job_id) == {"state": "failed", "done": 3}


def test_unknown_malformed_and_expired_jobs_read_as_none():
    jobs = CacheJobs("test-jobs", 60)
    assert jobs.get("0" * 32) is None
    assert jobs.get("../../etc") is None and jobs.get("") is None
    jobs.fail("f" * 32)  # an expired job stays gone
    assert jobs.get("f" * 32) is None
