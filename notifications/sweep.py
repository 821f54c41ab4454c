"""The sweep: performs every due deadline step exactly once, in short transactions.

Design ("nothing lost, nothing twice"):

1. One transaction takes a batch of due, pending rows with ``SELECT … FOR UPDATE SKIP LOCKED``:
   a second sweep (another worker, the next beat while this one runs) skips them and takes others.
2. For each row it re-reads the object and recomputes the clock's steps from the data as it is
   now: a step the data no longer calls for is marked ``skipped``; one whose time moved later
   is moved; otherwise the step is performed — through the owning service for a transition
   (``notice_close``, in a savepoint), or as inbox rows written in one INSERT per batch. A step
   that fails is rolled back alone, counted, and retried later with backoff; after
   ``MAX_ATTEMPTS`` it is marked failed and shown on the operations page.
3. ``done_at`` is written in the same transaction as the effects. If the worker dies anywhere
   before the commit, PostgreSQL rolls everything back and the rows are pending again for the
   next sweep; after the commit they are done and the effects exist. Emails are enqueued with
   ``transaction.on_commit`` (``deliver`` is idempotent, so ``acks_late`` is safe); if the worker
   dies between the commit and the enqueue, ``requeue_stalled`` sends them on a later sweep.
4. A transaction stops taking new rows after ``transaction_budget`` seconds (0.3 s), so no row
   lock is held much longer than that; the rest are taken by the next transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.template.loader import get_template
from django.utils import timezone, translation

from accounts.history_actor import system_actor
from notifications import emails
from notifications.clocks import CLOCKS, NOTIFICATION_KINDS, Context, link
from notifications.models import Deadline, Language, Outcome, SweepRun
from notifications.scheduling import new_context, sync_deadlines
from notifications.services import (
    DEADLINE_TASK,
    format_error,
    record_failed_task,
    requeue_stalled,
    save_notifications,
)

logger = logging.getLogger(__name__)

BATCH = 500
TRANSACTION_BUDGET = 0.3  # seconds a transaction keeps taking rows (its locks are released soon after)
MAX_SECONDS = 50.0  # one run ends before the next beat (every 60 s)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 60  # seconds; doubles per attempt, at most an hour
BACKOFF_MAX = 3600
KEEP_RUNS = dt.timedelta(days=14)
RESCHEDULED = "rescheduled"


@dataclass
class SweepResult:
    processed: int = 0  # steps performed
    skipped: int = 0  # steps the data no longer called for
    rescheduled: int = 0
    errors: int = 0
    failed: int = 0  # gave up after MAX_ATTEMPTS
    scheduled: int = 0  # rows added by the sync before the sweep
    requeued: int = 0
    transactions: int = 0
    max_lock_seconds: float = 0.0  # the longest any batch transaction held its row locks
    transaction_seconds: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def handled(self) -> int:
        return self.processed + self.skipped + self.rescheduled + self.errors


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def warm_up() -> None:
    """Load the URLconf, the email templates and both catalogues before any row is locked, so the
    first transaction of a fresh worker does not hold its locks while Python imports modules."""
    link("notifications:inbox")
    for language in Language.values:
        with translation.override(language):
            for kind in NOTIFICATION_KINDS:
                emails.has_templates(kind)
                get_template(f"{emails.TEMPLATE_DIR}/{kind}.txt")


def due_rows(now: dt.datetime) -> Any:
    return (
        Deadline.objects.filter(done_at__isnull=True, due_at__lte=now)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .order_by("due_at", "pk")
    )


def _load_objects(
    rows: list[Deadline], careful: bool
) -> tuple[dict[str, dict[int, Any]], dict[str, Exception]]:
    """The rows' objects, one query (or a few) per clock; a clock whose loading fails is reported
    so its rows are retried later, not skipped."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_kind[row.kind].add(row.object_id)
    objects: dict[str, dict[int, Any]] = {}
    failures: dict[str, Exception] = {}
    for kind, ids in by_kind.items():
        if kind not in CLOCKS:
            continue
        try:
            if careful:
                with transaction.atomic():
                    objects[kind] = CLOCKS[kind].load(ids)
            else:
                objects[kind] = CLOCKS[kind].load(ids)
        except Exception as exc:
            if isinstance(exc, DatabaseError) and not careful:
                raise
            failures[kind] = exc
    return objects, failures


def _perform(row: Deadline, objects: dict[str, dict[int, Any]], ctx: Context) -> str:
    """One step: skipped, moved, or performed. Runs inside a savepoint of the batch transaction."""
    clock = CLOCKS.get(row.kind)
    if clock is None:
        return Outcome.SKIPPED
    obj = objects.get(row.kind, {}).get(row.object_id)
    step = next((s for s in clock.steps(obj, ctx) if s.name == row.step), None)
    if step is None:
        return Outcome.SKIPPED
    if step.due_at > ctx.now:
        Deadline.objects.filter(pk=row.pk).update(due_at=step.due_at)
        return RESCHEDULED
    note = clock.fire(obj, step, row, ctx)
    logger.info("deadline %s %s %s:%s: %s", row.pk, row.kind, row.object_id, row.step, note)
    return Outcome.DONE


def _record_error(row: Deadline, exc: Exception, ctx: Context, tally: SweepResult) -> None:
    attempts = row.attempts + 1
    error = format_error(exc)
    logger.warning("deadline %s (%s %s) failed, attempt %s: %s", row.pk, row.kind, row.step, attempts, error)
    if attempts >= MAX_ATTEMPTS:
        Deadline.objects.filter(pk=row.pk).update(
            attempts=attempts, last_error=error, done_at=timezone.now(), outcome=Outcome.FAILED
        )
        record_failed_task(task_name=DEADLINE_TASK, args=[row.pk], error=f"{row.kind} {row.step}: {error}")
        tally.failed += 1
    else:
        Deadline.objects.filter(pk=row.pk).update(
            attempts=attempts, last_error=error, retry_at=ctx.now + backoff(attempts)
        )


def _run_batch(ctx: Context, batch: int, budget: float, *, careful: bool) -> tuple[SweepResult, int, float]:
    """One transaction: take up to ``batch`` due rows, perform them until ``budget`` seconds passed.

    Steps that only notify run without a savepoint and their inbox rows are written in one INSERT
    at the end; a step that writes through a service (closing a notice) runs in a savepoint. If a
    database error breaks the transaction, the caller redoes the batch ``careful``ly: a savepoint
    per step, so the failing step is rolled back alone and retried later.
    """
    started = time.monotonic()
    tally = SweepResult()
    handled = 0
    outbox: list[Any] = []
    ctx.outbox = outbox
    committed: list[float] = []
    try:
        with transaction.atomic():
            # Registered first, so it runs first after COMMIT: the moment the row locks were released
            # (the email enqueues that follow are not lock time).
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            rows = list(due_rows(ctx.now).select_for_update(skip_locked=True)[:batch])
            if rows:
                objects, load_failures = _load_objects(rows, careful)
                finished: dict[str, list[int]] = defaultdict(list)
                for row in rows:
                    if handled and time.monotonic() - started > budget:
                        break  # the rest stay pending for the next transaction
                    handled += 1
                    if row.kind in load_failures:
                        tally.errors += 1
                        _record_error(row, load_failures[row.kind], ctx, tally)
                        continue
                    mark = len(outbox)
                    clock = CLOCKS.get(row.kind)
                    try:
                        if careful or clock is None or clock.writes:
                            with transaction.atomic():
                                outcome = _perform(row, objects, ctx)
                                save_notifications(outbox[mark:])
                                del outbox[mark:]
                        else:
                            outcome = _perform(row, objects, ctx)
                    except Exception as exc:
                        if isinstance(exc, DatabaseError) and not careful:
                            raise  # the transaction is broken: redo the batch carefully
                        del outbox[mark:]
                        tally.errors += 1
                        _record_error(row, exc, ctx, tally)
                        continue
                    if outcome == RESCHEDULED:
                        tally.rescheduled += 1
                        continue
                    finished[outcome].append(row.pk)
                    if outcome == Outcome.DONE:
                        tally.processed += 1
                    else:
                        tally.skipped += 1
                save_notifications(outbox)
                done_at = timezone.now()
                for outcome, ids in finished.items():
                    Deadline.objects.filter(pk__in=ids).update(
                        done_at=done_at, outcome=outcome, retry_at=None
                    )
    finally:
        ctx.outbox = None
    return tally, handled, (committed[0] if committed else time.monotonic()) - started


def _one_transaction(ctx: Context, batch: int, budget: float, result: SweepResult) -> int:
    try:
        tally, handled, held = _run_batch(ctx, batch, budget, careful=False)
    except DatabaseError:
        logger.warning("a sweep batch hit a database error; redoing it a step at a time", exc_info=True)
        tally, handled, held = _run_batch(ctx, batch, budget, careful=True)
    for name in ("processed", "skipped", "rescheduled", "errors", "failed"):
        setattr(result, name, getattr(result, name) + getattr(tally, name))
    result.transactions += 1
    result.transaction_seconds.append(held)
    result.max_lock_seconds = max(result.max_lock_seconds, held)
    return handled


def sweep(
    now: dt.datetime | None = None,
    batch: int = BATCH,
    *,
    sync: bool = True,
    max_seconds: float = MAX_SECONDS,
    transaction_budget: float = TRANSACTION_BUDGET,
    record: bool = True,
) -> SweepResult:
    """Set missing clocks (``sync``), perform every due step, resend lost emails; recorded as a SweepRun.

    Every history record it writes is marked ``system:sweep`` (accounts/history_actor.py).
    """
    with system_actor("sweep"):
        return _sweep(
            now,
            batch,
            sync=sync,
            max_seconds=max_seconds,
            transaction_budget=transaction_budget,
            record=record,
        )


def _sweep(
    now: dt.datetime | None,
    batch: int,
    *,
    sync: bool,
    max_seconds: float,
    transaction_budget: float,
    record: bool,
) -> SweepResult:
    now = now or timezone.now()
    started = time.monotonic()
    run = SweepRun.objects.create(started_at=timezone.now()) if record else None
    result = SweepResult()
    if sync:
        result.scheduled = sync_deadlines(now=now)
    ctx = new_context(now)
    warm_up()
    while time.monotonic() - started < max_seconds:
        if _one_transaction(ctx, batch, transaction_budget, result) == 0:
            break
    result.requeued = requeue_stalled(now=now)
    result.elapsed = time.monotonic() - started
    if run is not None:
        run.finished_at = timezone.now()
        run.scheduled, run.processed, run.errors = result.scheduled, result.handled, result.errors
        run.max_lock_seconds = result.max_lock_seconds
        run.save(update_fields=["finished_at", "scheduled", "processed", "errors", "max_lock_seconds"])
        SweepRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()
        SweepRun.history.filter(history_date__lt=now - KEEP_RUNS).delete()
    return result
