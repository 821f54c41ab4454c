"""The deadline sweep: its time and query count with many open clocks of which few are due.

Runs in-process against a PostgreSQL database (``BENCH_DB``, default `portal_bench`) that it
creates, migrates and fills once. Two modes:

**Default — open clocks, few due** (issue #7): N open applications (accepted, their 40-day limit
five weeks away: three pending steps each, plus the ``set@`` marker, as the scheduler leaves them)
and 1,000 accepted applications whose 10-day reminder is due. The sweep exactly as the beat runs it
(``sync_deadlines`` first, then every due step, then ``requeue_stalled``) is timed and its SQL
queries counted, for each N given (default 10,000 and 100,000): the count must not grow with N.

**--all-due** (the earlier bench): every row due — 50,000 applications whose two reminders are both
due → 100,000 due rows; prints items per second and the duration of every batch transaction (the
time it held its row locks: SELECT … FOR UPDATE SKIP LOCKED to COMMIT).

Each due row becomes an inbox row for the district's official and an email task enqueued on commit
(to an in-memory broker, so the bench measures the sweep, not a mail server). Before each run the
rows are made due again. Asserts nothing is done twice or lost.

    BENCH_DB=bench_clocks .venv/bin/python bench/sweep.py [--open 10000,100000] [--due 1000]
    BENCH_DB=bench_clocks .venv/bin/python bench/sweep.py --all-due [--items 100000] [--batch 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
from zoneinfo import ZoneInfo

import _server

DB_NAME = _server.in_process("portal_bench")

BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=BJ)  # both reminders of a 30 November limit are due
LIMIT = dt.date(2026, 11, 30)
PREFIX = "基准时钟企业"
# The default mode: open applications (limit five weeks away) and due ones (10-day reminder due).
OPEN_PREFIX = "基准在办企业"
DUE_PREFIX = "基准到期企业"
OPEN_LIMIT = NOW.date() + dt.timedelta(days=35)  # 2027-01-01: d10 on 22 December, nothing due
DUE_LIMIT = dt.date(2026, 12, 5)  # d10 on 25 November is due; d3 (2 December) and passed are not
PARKED = "draft"  # open-mode applications beyond the N of a run wait in a status no clock runs for


def fill(applications: int, prefix: str = PREFIX, limit: dt.date = LIMIT, uscc_from: int = 0) -> None:
    """Enterprises and accepted applications spread over the 16 districts, one official each."""
    from accounts.models import Role, User
    from certification.models import Application, Enterprise, RuleSet
    from core.uscc import make_uscc
    from districts.models import District

    have = Application.objects.filter(enterprise__name__startswith=prefix).count()
    districts = list(District.objects.order_by("code"))
    for d in districts:
        User.objects.get_or_create(
            username=f"bench_clock_{d.code}",
            defaults={"role": Role.DISTRICT, "district": d, "email": f"bench_{d.code}@example.com"},
        )
    User.objects.get_or_create(username="bench_clock_office", defaults={"role": Role.MUNICIPAL})
    if have >= applications:
        return
    print(f"filling {applications - have:,} applications ({prefix}) …", flush=True)
    rule_set = RuleSet.objects.get(is_default=True)
    accepted_at = dt.datetime.combine(limit - dt.timedelta(days=40), dt.time(10), tzinfo=BJ)
    step = 5000
    for start in range(have, applications, step):
        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"{prefix}{i:06d}",
                    uscc=make_uscc(f"91120116MC{uscc_from + i:07d}"),
                    district=districts[i % len(districts)],
                    registered_on=dt.date(2018, 1, 1),
                    address="天津市",
                    contact_name="张三",
                    contact_phone="022-12345678",
                )
                for i in range(start, min(start + step, applications))
            ]
        )
        Application.objects.bulk_create(
            [
                Application(
                    enterprise=e,
                    district_id=e.district_id,
                    year=2026,
                    rule_set=rule_set,
                    status="accepted",
                    accepted_at=accepted_at,
                    review_deadline=limit,
                )
                for e in enterprises
            ]
        )


def make_due(applications: int) -> int:
    """The two reminders of every bench application as pending, due rows (and no inbox rows yet)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from certification.clocks import review_limit_steps
    from certification.models import Application
    from notifications.models import Clock, Deadline

    ct = ContentType.objects.get_for_model(Application)
    # The open mode may have parked them; they run the clock again here.
    Application.objects.filter(enterprise__name__startswith=PREFIX).update(status="accepted")
    ids = list(
        Application.objects.filter(enterprise__name__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:applications]
    with connection.cursor() as cursor:  # plain SQL: the ORM's delete would write history rows
        cursor.execute(
            "DELETE FROM notifications_notification WHERE deadline_id IN (SELECT id FROM notifications_deadline"
            " WHERE kind = %s AND content_type_id = %s)",
            [Clock.REVIEW_LIMIT, ct.pk],
        )
        cursor.execute(
            "DELETE FROM notifications_deadline WHERE kind = %s AND content_type_id = %s",
            [Clock.REVIEW_LIMIT, ct.pk],
        )
    steps = [s for s in review_limit_steps(LIMIT) if s.due_at <= NOW]
    rows = [
        Deadline(kind=Clock.REVIEW_LIMIT, content_type=ct, object_id=pk, step=s.name, due_at=s.due_at)
        for pk in ids
        for s in steps
    ]
    Deadline.objects.bulk_create(rows, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_deadline")
        cursor.execute("ANALYZE notifications_notification")
    return len(rows)


def prepare_open(open_count: int, due_count: int) -> tuple[int, int]:
    """The first ``open_count`` open applications and ``due_count`` due ones run the 40-day clock, with
    their rows as the scheduler leaves them; every other bench application is parked. Returns
    (pending rows, due rows)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from certification.clocks import review_limit_steps
    from certification.models import Application
    from notifications.models import Clock
    from notifications.scheduling import marker

    ct = ContentType.objects.get_for_model(Application)
    Application.objects.filter(enterprise__name__startswith=PREFIX).update(status=PARKED)
    live: dict[str, list[tuple[int, dt.date]]] = {}
    for prefix, count in ((OPEN_PREFIX, open_count), (DUE_PREFIX, due_count)):
        rows = list(
            Application.objects.filter(enterprise__name__startswith=prefix)
            .order_by("pk")
            .values_list("pk", "review_deadline")
        )
        live[prefix] = rows[:count]
        Application.objects.filter(pk__in=[pk for pk, _ in rows[:count]]).update(status="accepted")
        parked = [pk for pk, _ in rows[count:]]
        for start in range(0, len(parked), 10_000):
            Application.objects.filter(pk__in=parked[start : start + 10_000]).update(status=PARKED)
    with connection.cursor() as cursor:  # plain SQL: the ORM's delete would write history rows
        cursor.execute(
            "DELETE FROM notifications_notification WHERE deadline_id IN (SELECT id FROM notifications_deadline"
            " WHERE content_type_id = %s)",
            [ct.pk],
        )
        cursor.execute("DELETE FROM notifications_deadline WHERE content_type_id = %s", [ct.pk])
    # COPY the rows in (400,000 for 100,000 applications in a few seconds): each step pending, the
    # marker done, exactly what ``schedule`` writes for an application accepted a few days ago.
    buffer = io.StringIO()
    created = NOW.isoformat()
    pending = due = 0
    for pk, limit in live[OPEN_PREFIX] + live[DUE_PREFIX]:
        for step in review_limit_steps(limit):
            buffer.write(
                f"{Clock.REVIEW_LIMIT}\t{ct.pk}\t{pk}\t{step.name}\t{step.due_at.isoformat()}\t\\N\t\t0\t\t\\N\t{created}\n"
            )
            pending += 1
            due += step.due_at <= NOW
        buffer.write(
            f"{Clock.REVIEW_LIMIT}\t{ct.pk}\t{pk}\t{marker(limit.isoformat())}\t{created}\t{created}\tset\t0\t\t\\N\t{created}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY notifications_deadline (kind, content_type_id, object_id, step, due_at, done_at, outcome,"
            " attempts, last_error, retry_at, created_at) FROM STDIN",
            buffer,
        )
        cursor.execute("ANALYZE notifications_deadline")
        cursor.execute("ANALYZE notifications_notification")
        cursor.execute("ANALYZE certification_application")
    return pending, due


def run_open(args: argparse.Namespace) -> int:
    """The default mode: the beat's sweep over N open applications of which ``--due`` are due."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.models import Clock, Deadline, Notification
    from notifications.sweep import sweep

    sizes = sorted(int(n) for n in args.open.split(","))
    fill(sizes[-1], OPEN_PREFIX, OPEN_LIMIT, uscc_from=1_000_000)
    fill(args.due, DUE_PREFIX, DUE_LIMIT, uscc_from=2_000_000)
    figures = []
    for size in sizes:
        pending, due = prepare_open(size, args.due)
        # A first, unmeasured sweep three days earlier (no application step due then) loads the
        # caches (calendar, content types, templates, catalogues) as a running worker has them; it
        # may set and perform the daily system clocks (report flags) of that day.
        sweep(now=NOW - dt.timedelta(days=3), record=False)
        print(
            f"open applications {size:,} + {args.due:,} due: {pending:,} pending deadline rows,"
            f" {due:,} of them due",
            flush=True,
        )
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = sweep(now=NOW)
            elapsed = time.perf_counter() - started
        done = Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, outcome="done").count()
        told = (
            Notification.objects.filter(kind="review_limit_reminder").values("deadline_id").distinct().count()
        )
        again = sweep(now=NOW, record=False)
        print(f"  sweep wall time        {elapsed * 1000:>10.0f} ms")
        print(f"  SQL queries            {len(queries):>10,}")
        print(
            f"  steps performed        {result.processed:>10,}  (of them 40-day reminders {done:,};"
            f" scheduled {result.scheduled}, skipped"
            f" {result.skipped}, errors {result.errors}, transactions {result.transactions},"
            f" max lock {result.max_lock_seconds * 1000:.0f} ms)"
        )
        print(f"  a second sweep handles {again.handled} rows")
        # The 40-day clock: every due step performed once, each with its inbox rows, nothing else
        # (the count may include a daily system step; the open applications are all scheduled).
        assert due == done == told and result.processed - due <= 2, (result, due, done, told)
        assert again.handled == 0, "a step was done twice"
        figures.append((size, elapsed, len(queries)))
    print()
    print(f"  {'open':>9}  {'due':>6}  {'time':>8}  {'queries':>7}")
    for size, elapsed, count in figures:
        print(f"  {size:>9,}  {args.due:>6,}  {elapsed * 1000:>6.0f} ms  {count:>7}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all-due", action="store_true", help="the earlier bench: every row due (--items of them)"
    )
    parser.add_argument("--open", default="10000,100000", help="open applications per run, comma-separated")
    parser.add_argument("--due", type=int, default=1000, help="due applications (one due step each)")
    parser.add_argument("--items", type=int, default=100_000, help="with --all-due: due rows")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--budget", type=float, default=0.3, help="seconds a transaction keeps taking rows")
    args = parser.parse_args()
    _server.ensure_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app

    # Email tasks go to an in-memory broker: the bench measures the sweep and the enqueue, not SMTP.
    app.conf.broker_url = "memory://"
    app.conf.result_backend = "cache+memory://"
    app.conf.task_always_eager = False

    from notifications.models import Clock, Deadline, Notification
    from notifications.sweep import sweep

    call_command("migrate", verbosity=0)
    if not args.all_due:
        return run_open(args)
    applications = (args.items + 1) // 2
    fill(applications)
    due = make_due(applications)
    # Warm the caches the sweep uses (working calendar, content types, templates) outside the timing.
    print(f"sweeping {due:,} due deadline rows (batch {args.batch}, budget {args.budget}s) …", flush=True)
    started = time.perf_counter()
    result = sweep(
        now=NOW, batch=args.batch, sync=False, max_seconds=float("inf"), transaction_budget=args.budget
    )
    elapsed = time.perf_counter() - started

    held = sorted(result.transaction_seconds)
    done = Deadline.objects.filter(kind=Clock.REVIEW_LIMIT, outcome="done").count()
    notes = Notification.objects.filter(kind="review_limit_reminder").count()
    # Each step told each official of its district once (one official a district here, unless the
    # queue bench added one): no deadline without inbox rows, no (deadline, person) twice.
    told = Notification.objects.filter(kind="review_limit_reminder").values("deadline_id").distinct().count()
    print(
        f"  items processed        {result.processed:>10,}  (errors {result.errors}, skipped {result.skipped})"
    )
    print(f"  elapsed                {elapsed:>10.1f} s")
    print(f"  items per second       {result.processed / elapsed:>10,.0f}")
    print(f"  transactions           {result.transactions:>10,}")
    print(
        f"  lock held per transaction: median {statistics.median(held) * 1000:.0f} ms, "
        f"p95 {held[int(len(held) * 0.95) - 1] * 1000:.0f} ms, max {held[-1] * 1000:.0f} ms"
    )
    print(f"  inbox rows written     {notes:>10,}   deadline rows done {done:,}, with inbox rows {told:,}")
    again = sweep(now=NOW, batch=args.batch, sync=False, max_seconds=float("inf"))
    print(f"  a second sweep handles {again.handled} rows")
    assert done == due and told == due and again.handled == 0, "a step was lost or done twice"
    assert held[-1] < 1.0, f"a transaction held its row locks {held[-1]:.2f} s"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
