"""Writing the Deadline rows: ``schedule_deadlines_for(obj)`` and the periodic ``sync_deadlines()``.

The other apps' services are not changed by this app: ``sync_deadlines`` runs before every sweep
and finds, per clock, the objects that run it but have no schedule for their current data (no
``set@<anchor>`` marker: an indexed anti-join, in bounded batches). A service may also call
``schedule_deadlines_for(obj)`` right after its own change (e.g. ``application_accept``) — inside
or after its transaction — to have the clock set at once instead of within a minute; nothing else
is needed, and no signals are used. Both are idempotent: the unique (clock, object, step) key makes
a second call write nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications.clocks import CLOCKS, ClockSpec, Context, SystemClock, clocks_for, working_calendar
from notifications.models import Deadline, Outcome

logger = logging.getLogger(__name__)

SYNC_BATCH = 200


def new_context(now: dt.datetime | None = None) -> Context:
    from notifications.selectors import Recipients

    return Context(now=now or timezone.now(), calendar=working_calendar(), recipients=Recipients())


def marker(anchor: str) -> str:
    return f"set@{anchor}"


def schedule(clock: ClockSpec, obj: Any, ctx: Context) -> int:
    """Upsert one object's rows for one clock; returns how many rows were added.

    Steps still to come are added (or moved, when pending and their time changed); pending rows the
    data no longer calls for are cancelled; done rows are never touched. Returns the number added.
    """
    content_type = clock.content_type()
    object_id = clock.object_id(obj)
    wanted = {s.name: s for s in clock.steps(obj, ctx)}
    anchor = clock.anchor(obj) if clock.applies(obj, ctx.today) else None
    with transaction.atomic():
        existing = {
            d.step: d
            for d in Deadline.objects.filter(kind=clock.kind, content_type=content_type, object_id=object_id)
        }
        stale = [d.pk for name, d in existing.items() if d.done_at is None and name not in wanted]
        if stale:
            Deadline.objects.filter(pk__in=stale, done_at__isnull=True).update(
                done_at=ctx.now, outcome=Outcome.CANCELLED
            )
        for name, step in wanted.items():
            row = existing.get(name)
            if row is not None and row.done_at is None and row.due_at != step.due_at:
                Deadline.objects.filter(pk=row.pk, done_at__isnull=True).update(due_at=step.due_at)
        rows = [
            Deadline(
                kind=clock.kind, content_type=content_type, object_id=object_id, step=name, due_at=step.due_at
            )
            for name, step in wanted.items()
            if name not in existing
        ]
        if anchor is not None and marker(anchor) not in existing:
            rows.append(
                Deadline(
                    kind=clock.kind,
                    content_type=content_type,
                    object_id=object_id,
                    step=marker(anchor),
                    due_at=ctx.now,
                    done_at=ctx.now,
                    outcome=Outcome.SET,
                )
            )
        # Two schedulers at once: the unique key lets the second insert nothing.
        Deadline.objects.bulk_create(rows, ignore_conflicts=True)
    return sum(1 for r in rows if r.outcome != Outcome.SET)


def schedule_deadlines_for(obj: Any, *, now: dt.datetime | None = None) -> int:
    """Set every clock this object runs (an Application, Review, PublicityNotice, Objection, Filing or
    Certificate), reading it afresh with what the clocks need. Idempotent."""
    ctx = new_context(now)
    added = 0
    for clock in clocks_for(obj):
        fresh = clock.load([obj.pk]).get(obj.pk)
        if fresh is not None:
            added += schedule(clock, fresh, ctx)
    return added


def sync_deadlines(*, now: dt.datetime | None = None, batch: int = SYNC_BATCH) -> int:
    """Schedule the objects whose schedule is missing, at most ``batch`` per clock per call."""
    ctx = new_context(now)
    added = 0
    for clock in CLOCKS.values():
        try:
            if isinstance(clock, SystemClock):
                for obj in clock.due_objects(ctx.today):
                    if not Deadline.objects.filter(
                        kind=clock.kind,
                        content_type=None,
                        object_id=clock.object_id(obj),
                        step=marker(clock.anchor(obj)),
                    ).exists():
                        added += schedule(clock, obj, ctx)
                continue
            ids = list(clock.missing(ctx.today).values_list("pk", flat=True)[:batch])
            for obj in clock.load(ids).values():
                added += schedule(clock, obj, ctx)
        except Exception:  # one clock's trouble must not stop the others (and the sweep after)
            logger.exception("sync of clock %s failed", clock.kind)
    return added
