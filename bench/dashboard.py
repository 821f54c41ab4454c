"""The city dashboard over 100,000 applications in the 16 districts: server time and query count.

Runs in-process (Django test client, signed in as the municipal office) against a PostgreSQL
database (``BENCH_DB``, default `portal_bench`) that it creates, migrates and fills once for the
year 2025: 100,000 enterprises and applications spread over the 16 districts and the fields of the
catalogue, at every stage of the procedure, each with the status transitions of its path (640,000
rows, written by COPY; a tenth filed after their 40-day limit) and the stage dates rebuilt from them
(`certification.applications.stage_dates.rebuild`, timed), a certificate for each certified one, a candidate pool
of 20,000 enterprises and a target per district. Then it requests the city dashboard
(and one district's) ``--repeat`` times and prints the median and p95 server time and the number of
SQL queries of one request; also the time of ``audits.dashboard.dashboard`` alone. Asserts nothing
about time.

    BENCH_DB=bench_clocks .venv/bin/python bench/dashboard.py [--applications 100000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
from zoneinfo import ZoneInfo

import _server

DB_NAME = _server.in_process(
    "portal_bench",
    # The office signs in with a TOTP code; the bench's force_login stands for that sign-in.
    OTP_REQUIRED="false",
    ALLOW_INSECURE_TEST_SETTINGS="true",
)

BJ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
PREFIX = "基准看板企业"
# The procedure's path; an application at stage k has the first k transitions.
PATH = (
    ("submitted", 0),
    ("accepted", 3),
    ("under_review", 6),
    ("reviewed", 18),
    ("recommended", 20),
    ("in_publicity", 22),
    ("publicity_passed", 36),
    ("filed", 38),
    ("approved", 50),
    ("certified", 60),
)
# How many applications (of 20) stop at each stage of PATH: most are far along in a late year.
STAGE_WEIGHTS = (2, 2, 2, 1, 1, 1, 1, 2, 2, 6)


def stage_of(i: int) -> int:
    slot, total = i % sum(STAGE_WEIGHTS), 0
    for stage, weight in enumerate(STAGE_WEIGHTS):
        total += weight
        if slot < total:
            return stage
    raise AssertionError


def fill(count: int) -> None:
    from django.db import connection

    from accounts.models import Role, User
    from audits.models import Target
    from certification.applications import stage_dates
    from certification.models import Application, Certificate, Enterprise, Field, PoolEntry, RuleSet
    from core.uscc import make_uscc
    from districts.models import District

    office, _ = User.objects.get_or_create(
        username="bench_dashboard_office", defaults={"role": Role.MUNICIPAL}
    )
    districts = list(District.objects.order_by("code"))
    for d in districts:
        Target.objects.get_or_create(
            year=YEAR, district=d, defaults={"certified_target": 1500, "pool_target": 1500, "set_by": office}
        )
    have = Application.objects.filter(year=YEAR, enterprise__name__startswith=PREFIX).count()
    if have >= count:
        return
    print(f"filling {count - have:,} applications of {YEAR} …", flush=True)
    rule_set = RuleSet.objects.get(is_default=True)
    fields = list(Field.objects.filter(catalogue__in_force=True, parent__isnull=False).order_by("pk"))
    step = 5000
    for start in range(have, count, step):
        numbers = range(start, min(start + step, count))
        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"{PREFIX}{i:06d}",
                    uscc=make_uscc(f"91120116MD{i:07d}"),
                    district=districts[i % len(districts)],
                    registered_on=dt.date(2018, 1, 1),
                    address="天津市",
                    contact_name="张三",
                    contact_phone="022-12345678",
                )
                for i in numbers
            ]
        )
        plans = []
        for i, enterprise in zip(numbers, enterprises, strict=True):
            stage = stage_of(i)
            submitted = dt.datetime(YEAR, 1, 6, 9, tzinfo=BJ) + dt.timedelta(
                days=(i * 7) % 240, minutes=i % 600
            )
            accepted = submitted + dt.timedelta(days=PATH[1][1])
            late = dt.timedelta(days=12) if i % 10 == 0 else dt.timedelta(0)  # a tenth filed late
            times = [
                submitted + dt.timedelta(days=days) + (late if index >= 7 else dt.timedelta(0))
                for index, (_status, days) in enumerate(PATH)
            ]
            plans.append((enterprise, stage, times, accepted))
        applications = Application.objects.bulk_create(
            [
                Application(
                    enterprise=enterprise,
                    district_id=enterprise.district_id,
                    year=YEAR,
                    rule_set=rule_set,
                    status=PATH[stage][0],
                    field=fields[i % len(fields)],
                    submitted_at=times[0],
                    accepted_at=accepted if stage >= 1 else None,
                    review_deadline=(accepted + dt.timedelta(days=40)).date() if stage >= 1 else None,
                )
                for i, (enterprise, stage, times, accepted) in zip(numbers, plans, strict=True)
            ]
        )
        buffer = io.StringIO()
        for application, (_enterprise, stage, times, _accepted) in zip(applications, plans, strict=True):
            previous = "draft"
            for index in range(stage + 1):
                status = PATH[index][0]
                buffer.write(f"{application.pk}\t{previous}\t{status}\t{times[index].isoformat()}\t\t{{}}\n")
                previous = status
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                "COPY certification_applicationtransition (application_id, from_status, to_status, at, note, data)"
                " FROM STDIN",
                buffer,
            )
        Certificate.objects.bulk_create(
            [
                Certificate(
                    number=f"TJ{YEAR}{enterprise.district.code[-2:]}{i:06d}",
                    application=application,
                    enterprise=enterprise,
                    district=enterprise.district,
                    enterprise_name=enterprise.name,
                    uscc=enterprise.uscc,
                    field_name="电子信息",
                    issued_on=times[-1].date(),
                    valid_until=times[-1].date() + dt.timedelta(days=3 * 365),
                    issued_by=office,
                )
                for i, application, (enterprise, stage, times, _a) in zip(
                    numbers, applications, plans, strict=True
                )
                if stage == len(PATH) - 1
            ]
        )
        PoolEntry.objects.bulk_create(
            [
                PoolEntry(
                    enterprise=enterprise,
                    field=fields[i % len(fields)],
                    payload={},
                    result={},
                    national_result={},
                    eligible=i % 3 == 0,
                    failed_count=i % 3,
                    national_failed_count=i % 4,
                    readiness=("ready", "close", "far")[i % 3],
                    cultivation=i % 7 == 0,
                )
                for i, (enterprise, *_rest) in zip(numbers, plans, strict=True)
                if i % 5 == 0
            ]
        )
    # COPY bypasses record_transition: date the stages from the transitions, as the migration does.
    start = time.perf_counter()
    dated = stage_dates.rebuild(Application.objects.filter(year=YEAR, enterprise__name__startswith=PREFIX))
    print(f"stage dates of {dated:,} applications rebuilt in {time.perf_counter() - start:.1f} s", flush=True)


def analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them: a bulk load or the backfill's UPDATE of every
    application leaves them stale, and the plans (and the figures) with them."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "certification_enterprise",
            "certification_application",
            "certification_applicationtransition",
            "certification_certificate",
            "certification_poolentry",
        ):
            cursor.execute(f"ANALYZE {table}")


def timed(client, url: str, repeat: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, catalogues, the database's caches
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times, len(queries), len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    _server.ensure_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from audits.dashboard import dashboard
    from certification.models import Application, ApplicationTransition
    from districts.models import District

    start = time.perf_counter()
    call_command("migrate", verbosity=0)  # the first run after a migration also times its backfill
    print(f"migrate: {time.perf_counter() - start:.1f} s", flush=True)
    fill(args.applications)
    analyze()
    client = Client()
    client.force_login(User.objects.get(username="bench_dashboard_office"))
    applications = Application.objects.filter(year=YEAR).exclude(status="draft").count()
    transitions = ApplicationTransition.objects.filter(application__year=YEAR).count()
    print(
        f"city dashboard {YEAR}: {applications:,} applications in {District.objects.count()} districts,"
        f" {transitions:,} transitions; {args.repeat} requests each"
    )
    district = District.objects.order_by("code").first()
    cases = {
        "city dashboard": reverse("audits:dashboard") + f"?year={YEAR}",
        f"district dashboard ({district.code})": reverse("audits:dashboard_district", args=[district.code])
        + f"?year={YEAR}",
    }
    for name, url in cases.items():
        times, queries, size = timed(client, url, args.repeat)
        print(
            f"  {name:<30} queries {queries:>2}  median {statistics.median(times):7.1f} ms  "
            f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:7.1f} ms  ({size // 1024} KiB)"
        )
    aggregation = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        dash = dashboard(YEAR)
        aggregation.append((time.perf_counter() - start) * 1000)
    print(
        f"  {'audits.dashboard.dashboard()':<30}             median {statistics.median(aggregation):7.1f} ms"
    )
    print(
        f"  city: {dash.total.applications:,} applications, {dash.total.certified:,} certified,"
        f" filed {dash.total.filed:,} ({dash.total.on_time_share}% within 40 days), pool {dash.total.pool:,}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
