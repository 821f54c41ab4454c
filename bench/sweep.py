"""The deadline sweep over 100,000 due items: items per second and the longest row-lock hold.

Runs in-process against a PostgreSQL database `portal_bench` that it creates and migrates (like
bench/queue.py), fills once with accepted applications whose two 40-day reminders (10 and 3 days
before the limit) are both due — 50,000 applications → 100,000 due deadline rows — and then runs
``notifications.sweep.sweep`` until nothing is due. Each due row becomes an inbox row for the
district's official and an email task enqueued on commit (to an in-memory broker, so the bench
measures the sweep, not a mail server). Before each run the rows are made due again.

Prints items per second and the duration of every batch transaction (the time it held its row
locks: SELECT … FOR UPDATE SKIP LOCKED to COMMIT); asserts nothing is done twice and no
transaction held its locks a second or more.

    .venv/bin/python bench/sweep.py [--items 100000] [--batch 500] [--budget 0.3]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named like the standard library's `queue`; keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "portal_bench"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": f"postgres://postgres:postgres@127.0.0.1:5432/{DB_NAME}",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))

BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=BJ)  # both reminders of a 30 November limit are due
LIMIT = dt.date(2026, 11, 30)
PREFIX = "基准时钟企业"


def ensure_database() -> None:
    import psycopg2

    conn = psycopg2.connect(
        host="127.0.0.1", port=5432, user="postgres", password="postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def fill(applications: int) -> None:
    """Enterprises and accepted applications spread over the 16 districts, one official each."""
    from accounts.models import Role, User
    from certification.models import Application, Enterprise, RuleSet
    from certification.uscc import make_uscc
    from districts.models import District

    have = Application.objects.filter(enterprise__name__startswith=PREFIX).count()
    districts = list(District.objects.order_by("code"))
    for d in districts:
        User.objects.get_or_create(
            username=f"bench_clock_{d.code}",
            defaults={"role": Role.DISTRICT, "district": d, "email": f"bench_{d.code}@example.com"},
        )
    User.objects.get_or_create(username="bench_clock_office", defaults={"role": Role.MUNICIPAL})
    if have >= applications:
        return
    print(f"filling {applications - have:,} applications …", flush=True)
    rule_set = RuleSet.objects.get(is_default=True)
    accepted_at = dt.datetime.combine(LIMIT - dt.timedelta(days=40), dt.time(10), tzinfo=BJ)
    step = 5000
    for start in range(have, applications, step):
        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"{PREFIX}{i:06d}",
                    uscc=make_uscc(f"91120116MC{i:07d}"),
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
                    year=2026,
                    rule_set=rule_set,
                    status="accepted",
                    accepted_at=accepted_at,
                    review_deadline=LIMIT,
                )
                for e in enterprises
            ]
        )


def make_due(applications: int) -> int:
    """The two reminders of every bench application as pending, due rows (and no inbox rows yet)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from certification.models import Application
    from notifications.clocks import review_limit_steps
    from notifications.models import Clock, Deadline

    ct = ContentType.objects.get_for_model(Application)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--budget", type=float, default=0.3, help="seconds a transaction keeps taking rows")
    args = parser.parse_args()
    ensure_database()
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
