"""The district queue with 10,000 applications in one district: query count and median server time.

Runs in-process (Django test client) against a PostgreSQL database (``BENCH_DB``, default
`portal_bench`) that it creates, migrates and fills once (10,000 applications in 滨海新区, 1,000
elsewhere). Prints; asserts nothing.

    .venv/bin/python bench/district_queue.py [--rows 10000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import _server

DB_NAME = _server.in_process(
    "portal_bench",
    # The official signs in with a TOTP code; the bench's force_login stands for that sign-in.
    OTP_REQUIRED="false",
    ALLOW_INSECURE_TEST_SETTINGS="true",
)


def fill(rows: int) -> None:
    from accounts.models import Role, User
    from certification.models import Application, Enterprise, Field, RuleSet
    from core.uscc import make_uscc
    from districts.models import District

    binhai = District.objects.get(code="120116")
    have = Application.objects.filter(
        enterprise__district=binhai, enterprise__name__startswith="基准"
    ).count()
    if have >= rows:
        return
    print(f"filling {rows} applications …", flush=True)
    rule_set = RuleSet.objects.get(is_default=True)
    fields = list(Field.objects.filter(catalogue__in_force=True, parent__isnull=False))
    others = list(District.objects.exclude(pk=binhai.pk))
    statuses = [
        "submitted",
        "accepted",
        "under_review",
        "reviewed",
        "recommended",
        "returned",
        "in_publicity",
    ]
    today = dt.date(2026, 11, 27)
    enterprises = [
        Enterprise(
            name=f"基准企业{i:05d}",
            uscc=make_uscc(f"91120116MB{i:07d}"),
            district=binhai if i < rows else others[i % len(others)],
            registered_on=dt.date(2018, 1, 1),
            address="天津市",
            contact_name="张三",
            contact_phone="022-12345678",
        )
        for i in range(have, rows + rows // 10)
    ]
    Enterprise.objects.bulk_create(enterprises, batch_size=2000)
    Application.objects.bulk_create(
        [
            Application(
                enterprise=e,
                district_id=e.district_id,
                year=2026,
                rule_set=rule_set,
                status=statuses[i % len(statuses)],
                field=fields[i % len(fields)],
                submitted_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
                review_deadline=today + dt.timedelta(days=(i % 70) - 20) if i % len(statuses) else None,
            )
            for i, e in enumerate(enterprises)
        ],
        batch_size=2000,
    )
    User.objects.get_or_create(
        username="bench_official", defaults={"role": Role.DISTRICT, "district": binhai}
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    _server.ensure_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    call_command("migrate", verbosity=0)
    fill(args.rows)
    client = Client()
    client.force_login(User.objects.get(username="bench_official"))
    cases = {
        "first page, by deadline": {},
        "page 200": {"page": "200"},
        "search by name": {"q": "基准企业0999"},
        "status + field filter": {"status": "accepted", "field": "01"},
        "sorted by name, page 50": {"sort": "name", "page": "50"},
    }
    print(f"district queue, {args.rows:,} applications in the district, {args.repeat} requests per case")
    for name, params in cases.items():
        client.get("/district/applications/", params)  # warm
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/district/applications/", params)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"  {name:<26} queries {len(queries):>2}  median {statistics.median(times):7.1f} ms  "
            f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:7.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
