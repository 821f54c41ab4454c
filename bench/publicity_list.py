"""The public publicity list page (/publicity/) with every district's notice open: latency and size.

Runs in-process against a PostgreSQL database (``BENCH_DB``, default ``bench_filing``) that it
creates and migrates, fills once with 16 open notices (one per district) holding ``--entries``
entries in all (the load bench's share: 4 % of 16,000 enterprises in publicity = 640), then GETs the
first page, a later page and a search through Django's test client, ``--requests`` times each, and
prints median and p95 latency in milliseconds, the queries per request and the page size in KiB.

    BENCH_DB=bench_filing .venv/bin/python bench/publicity_list.py [--entries 640] [--requests 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import _server

DB_NAME = _server.in_process("bench_filing")
PREFIX = "基准公示企业"


def fill(entries: int) -> None:
    from django.utils import timezone

    from accounts.models import Role, User
    from certification.models import (
        Application,
        ApplicationStatus,
        Enterprise,
        NoticeStatus,
        PublicityEntry,
        PublicityNotice,
        RuleSet,
    )
    from core.uscc import make_uscc
    from districts.models import District

    if PublicityEntry.objects.filter(application__enterprise__name__startswith=PREFIX).count() >= entries:
        return
    print(f"filling {entries} entries …", flush=True)
    districts = list(District.objects.order_by("code"))
    rule_set = RuleSet.objects.get(is_default=True)
    today = timezone.localdate()
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"{PREFIX}{i:05d}",
            uscc=make_uscc(f"91120116MD{i:07d}"),
            district=districts[i % len(districts)],
            registered_on=dt.date(2018, 1, 1),
            address="天津市",
            contact_name="张三",
            contact_phone="022-12345678",
        )
        for i in range(entries)
    )
    applications = Application.objects.bulk_create(
        Application(enterprise=e, year=2026, rule_set=rule_set, status=ApplicationStatus.IN_PUBLICITY)
        for e in enterprises
    )
    notices = {}
    for d in districts:
        official, _ = User.objects.get_or_create(
            username=f"bench_pub_{d.code}", defaults={"role": Role.DISTRICT, "district": d}
        )
        notices[d.pk] = PublicityNotice.objects.create(
            district=d,
            title=f"{d.name}2026年度市级高新技术企业拟认定名单公示",
            start=today,
            end=today + dt.timedelta(days=14),
            status=NoticeStatus.OPEN,
            created_by=official,
        )
    PublicityEntry.objects.bulk_create(
        PublicityEntry(notice=notices[a.enterprise.district_id], application=a) for a in applications
    )


def measure(client, url: str, params: dict, requests: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, size = [], 0
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    queries = len(ctx.captured_queries)
    assert response.status_code == 200
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        size = len(response.content)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return f"median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries  {size / 1024:6.1f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=640)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    _server.ensure_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    fill(args.entries)
    client = Client()
    from certification.models import PublicityEntry

    total = PublicityEntry.objects.filter(notice__status="open").count()
    print(f"/publicity/ with {total} entries in open notices, {args.requests} requests each (in-process):")
    for label, params in [
        ("first page", {}),
        ("page 5", {"page": 5}),
        ("search by name", {"q": f"{PREFIX}0001"}),
    ]:
        print(f"  {label:15s} {measure(client, '/publicity/', params, args.requests)}")


if __name__ == "__main__":
    main()
