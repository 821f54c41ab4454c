"""Exactly once: a second sweep, two sweeps at once, a sweep killed mid-way, a failing step."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from certification.models import ApplicationTransition, PublicityNotice
from notifications import sweep as sweeping
from notifications.models import Clock, Deadline, FailedTask, Notification, SweepRun
from notifications.scheduling import schedule_deadlines_for, sync_deadlines
from tests.notifications.conftest import D, accepted_application, open_notice

REMINDERS = 12


def due_reminders(travel):
    """12 applications whose 10-day reminder is due, and 3 notices whose close is due."""
    travel("2026-03-01 10:00")
    applications = [accepted_application(D("2026-04-10")) for _ in range(REMINDERS)]
    return applications


def setup_due(travel, official):
    applications = due_reminders(travel)
    notices = [open_notice(official, start=D("2026-03-16"), end=D("2026-03-27")) for _ in range(3)]
    for obj in [*applications, *notices]:
        schedule_deadlines_for(obj)
    travel("2026-03-31 09:00")
    return applications, notices


def effects() -> tuple[int, int]:
    return (
        Notification.objects.filter(kind="review_limit_reminder").count(),
        ApplicationTransition.objects.filter(to_status="publicity_passed").count(),
    )


@pytest.mark.django_db
def test_second_sweep_is_a_no_op(travel, official):
    setup_due(travel, official)
    first = sweeping.sweep(sync=False)
    assert first.processed == REMINDERS + 3
    assert effects() == (REMINDERS, 6)
    second = sweeping.sweep(sync=False)
    assert second.handled == 0
    assert effects() == (REMINDERS, 6)
    assert PublicityNotice.objects.filter(status="closed").count() == 3


@pytest.mark.django_db
def test_small_batches_and_a_tiny_budget_still_do_everything_once(travel, official):
    setup_due(travel, official)
    result = sweeping.sweep(sync=False, batch=4, transaction_budget=0.0)
    # A zero budget takes one row per transaction; nothing is left and nothing doubled.
    assert result.processed == REMINDERS + 3 and result.transactions >= REMINDERS + 3
    assert effects() == (REMINDERS, 6)


@pytest.mark.django_db
def test_schedule_is_idempotent(travel, official):
    travel("2026-03-01 10:00")
    application = accepted_application(D("2026-04-10"))
    assert schedule_deadlines_for(application) == 3  # d10, d3, passed
    assert schedule_deadlines_for(application) == 0
    # The periodic sync finds nothing missing for it (its SQL anchor matches): only today's flag run.
    assert sync_deadlines() == 1
    assert Deadline.objects.filter(kind=Clock.REPORT_FLAGS, step="flag@2026-03-01").exists()
    assert sync_deadlines() == 0
    steps = sorted(
        Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, object_id=application.pk).values_list(
            "step", flat=True
        )
    )
    assert steps == ["d10@2026-04-10", "d3@2026-04-10", "passed@2026-04-10", "set@2026-04-10"]


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, the transaction is not committed."""


@pytest.mark.django_db
def test_a_sweep_killed_mid_way_is_finished_by_the_next(travel, official, monkeypatch):
    setup_due(travel, official)
    real_perform = sweeping._perform
    calls = {"n": 0}

    def dies_on_the_fifth(row, objects, ctx):
        calls["n"] += 1
        outcome = real_perform(row, objects, ctx)  # claimed and performed …
        if calls["n"] == 5:
            raise Killed  # … and the worker dies before the batch commits
        return outcome

    monkeypatch.setattr(sweeping, "_perform", dies_on_the_fifth)
    with pytest.raises(Killed):
        sweeping.sweep(sync=False)
    # Everything the dead transaction did is gone: no row done, no notification, no transition.
    assert (
        Deadline.objects.filter(done_at__isnull=True, due_at__lte=sweeping.timezone.now()).count()
        == REMINDERS + 3
    )
    assert effects() == (0, 0)
    assert SweepRun.objects.get().finished_at is None  # the operations page shows it never finished

    monkeypatch.setattr(sweeping, "_perform", real_perform)
    result = sweeping.sweep(sync=False)
    assert result.processed == REMINDERS + 3
    assert effects() == (REMINDERS, 6)
    assert sweeping.sweep(sync=False).handled == 0


@pytest.mark.django_db
def test_a_failing_step_is_retried_with_backoff_then_given_up(travel, official, monkeypatch):
    setup_due(travel, official)
    target = (
        Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, done_at__isnull=True)
        .order_by("due_at", "pk")
        .first()
    )
    real_perform = sweeping._perform

    def fails_for_one(row, objects, ctx):
        if row.pk == target.pk:
            raise RuntimeError("SMTP relay down")
        return real_perform(row, objects, ctx)

    monkeypatch.setattr(sweeping, "_perform", fails_for_one)
    result = sweeping.sweep(sync=False)
    assert result.errors == 1 and result.processed == REMINDERS + 2  # the others are not held up
    target.refresh_from_db()
    assert target.done_at is None and target.attempts == 1 and "SMTP relay down" in target.last_error
    assert target.retry_at == sweeping.timezone.now() + sweeping.backoff(1)
    assert sweeping.sweep(sync=False).handled == 0  # waits for its retry time
    for _attempt in range(2, sweeping.MAX_ATTEMPTS + 1):
        Deadline.objects.filter(pk=target.pk).update(retry_at=None)  # its backoff has passed
        sweeping.sweep(sync=False)
    target.refresh_from_db()
    assert target.outcome == "failed" and target.done_at is not None
    failed = FailedTask.objects.get()
    assert failed.task_name == "notifications.deadline" and failed.args == [target.pk]

    # The retry button makes it due again; now it succeeds.
    from notifications.services import failed_task_retry
    from tests.factories import UserFactory

    monkeypatch.setattr(sweeping, "_perform", real_perform)
    failed_task_retry(failed=failed, by=UserFactory(municipal=True))
    target.refresh_from_db()
    assert target.done_at is None and target.attempts == 0
    sweeping.sweep(sync=False)
    target.refresh_from_db()
    assert target.outcome in ("done", "skipped")


# --- Two workers at once, on real PostgreSQL transactions -------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sweeping_at_once_do_each_step_once(travel, official, monkeypatch, eager, mailoutbox):
    applications, notices = setup_due(travel, official)
    total = REMINDERS + 3
    barrier = threading.Barrier(2, timeout=20)
    real_load = sweeping._load_objects
    first_batch = threading.local()

    def load_then_wait(rows, careful):
        # Both workers hold a claimed batch before either goes on: the batches must be disjoint.
        if not getattr(first_batch, "seen", False):
            first_batch.seen = True
            first_batch.rows = [r.pk for r in rows]
            barrier.wait()
        return real_load(rows, careful)

    monkeypatch.setattr(sweeping, "_load_objects", load_then_wait)
    results, claimed, errors = {}, {}, []

    def worker(name):
        try:
            results[name] = sweeping.sweep(sync=False, batch=3)
            claimed[name] = first_batch.rows
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert not set(claimed["a"]) & set(claimed["b"])  # SKIP LOCKED: no row in both first batches
    assert results["a"].processed + results["b"].processed == total
    assert results["a"].processed > 0 and results["b"].processed > 0
    assert effects() == (REMINDERS, 6)
    assert Deadline.objects.filter(outcome="done").exclude(kind=Clock.REPORT_FLAGS).count() == total
    # The reminders' emails went out once each, after the commits.
    # 12 reminders + 3 "publicity closed" + 6 "publicity passed" (two applications a notice, workflow.py),
    # one official.
    assert len(mailoutbox) == REMINDERS + 3 + 6
    assert all(n.delivered_at for n in Notification.objects.all())


@pytest.mark.django_db
def test_a_database_error_in_one_step_is_isolated(travel, official, monkeypatch):
    """A step that breaks the transaction (a database error) makes the sweep redo the batch with a
    savepoint per step: that step alone is rolled back and retried later, the others are done."""
    from django.db import connection as conn

    setup_due(travel, official)
    target = (
        Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, done_at__isnull=True)
        .order_by("due_at", "pk")
        .first()
    )
    real_perform = sweeping._perform

    def breaks_the_transaction(row, objects, ctx):
        if row.pk == target.pk:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        return real_perform(row, objects, ctx)

    monkeypatch.setattr(sweeping, "_perform", breaks_the_transaction)
    result = sweeping.sweep(sync=False)
    assert result.errors == 1 and result.processed == REMINDERS + 2
    target.refresh_from_db()
    assert target.done_at is None and target.attempts == 1 and "division by zero" in target.last_error
    assert effects() == (REMINDERS - 1, 6)


@pytest.mark.django_db
def test_the_same_failure_again_updates_one_row(travel):
    from notifications.services import record_failed_task

    travel("2026-11-27 10:00")
    first = record_failed_task(task_name="notifications.tasks.sweep", error="OperationalError: down")
    travel("2026-11-27 10:01")
    again = record_failed_task(task_name="notifications.tasks.sweep", error="OperationalError: down")
    assert again.pk == first.pk and FailedTask.objects.count() == 1
    assert again.failed_at == sweeping.timezone.now()
    record_failed_task(task_name="notifications.tasks.sweep", error="OperationalError: other")
    assert FailedTask.objects.count() == 2


@pytest.mark.django_db
def test_a_clock_that_cannot_load_its_objects_is_retried_not_skipped(travel, official, monkeypatch):
    from notifications.clocks import CLOCKS

    setup_due(travel, official)

    def broken(ids):
        raise RuntimeError("loader bug")

    monkeypatch.setattr(CLOCKS[Clock.REVIEW_LIMIT], "load", broken)
    result = sweeping.sweep(sync=False)
    assert result.errors == REMINDERS and result.processed == 3  # the notices still close
    pending = Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, done_at__isnull=True, attempts=1)
    assert pending.count() == REMINDERS and "loader bug" in pending.first().last_error
    monkeypatch.undo()
    Deadline.objects.filter(kind=Clock.REVIEW_LIMIT).update(retry_at=None)
    assert sweeping.sweep(sync=False).processed == REMINDERS
    assert effects() == (REMINDERS, 6)
