"""Load test: the busiest pages and APIs through gunicorn on PostgreSQL with a realistic data set.

Usage: ``.venv/bin/python bench/load.py [--threads 4] [--seconds 30] [--requests 20000] [--workers 4]``

1. Creates the database ``portal_load`` (``BENCH_DB``) if it is missing (psycopg2), migrates it and, once, fills
   it with bulk_create: 16,000 enterprises over the 16 districts (seeded by the migrations), 20,000
   applications (2026 in every status, 2025 finished) with three fiscal years each, 300 experts
   with their fields, 600 applications under review with a draw of five experts each (3,000
   reviews; the expert user sits on 40 panels, half of them scored), a filing per district of its
   filed applications waiting for the office (about 1,300 entries in all), about 400 certificates with
   their serial counters, an open publicity notice per district with about 2,000 entries in all
   (and the closed ones of 2025), one official per district, an enterprise user and an expert user.
2. Starts ``gunicorn config.wsgi -w 4`` on a free port of 127.0.0.1 with production-like settings
   (``DEBUG=false``, Redis cache; the rate limits switched off by empty ``*_RATE`` variables, which
   ``config.throttling.rate_from_env`` reads as "no limit"), waits for ``/healthz/``.
3. Signs in the 滨海新区 official and the enterprise user through the login form (GET for the CSRF
   cookie and token, POST the form) and keeps their session cookies.
4. Runs a fixed, seeded mix from ``--threads`` client threads (``urllib``, no keep-alive) for
   ``--seconds`` or ``--requests`` in total, whichever comes first: the district queue (first page,
   later pages, filters, a search), an application page of that district, ``POST
   /api/v1/eligibility/check/`` (bench/eligibility_http.py's bodies, one in ten a 400 by design),
   the public publicity list page and API, certificate verification API and page (one in ten an
   unknown number, a 404 by design), the enterprise home, and the expert's home, review list and
   review page.
5. Prints per endpoint: requests, errors (an unexpected status or a failed connection), median and
   p95 latency in milliseconds, requests per second.
6. Then runs the bare endpoint (``/healthz/``: the same gunicorn, every middleware, one ``SELECT 1``),
   the anchor (``/bench/anchor/``: a plain DRF list of 20 enterprises by primary key, served only
   with ``bench.settings``, bench/urls.py) and each scenario of the mix alone, with the same threads
   for ``--scenario-seconds`` each, and prints each scenario's req/s, p50 and p95 and its req/s as a
   ratio to the anchor's and to /healthz/'s (the goal: ≥ 0.6 of the anchor, p95 < 100 ms);
   stops gunicorn.

``--list`` prints the scenarios' names; ``--scenario NAME`` (repeatable) runs only those scenarios
alone (with /healthz/ and the anchor) and skips the mix; ``--no-mix`` skips the mix.

``BENCH_DB`` names the database (default ``portal_load``), ``--port`` (or ``BENCH_PORTS``) the port
or a range to pick from, e.g. ``8140-8149``; bench/_server.py starts and stops gunicorn.

Only 127.0.0.1 is contacted; the run is bounded in count and time and stops by itself. Exit status
1 when any request failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import _server

ROOT = _server.ROOT
HOST = _server.HOST
PG_URL = _server.PG_URL
DB_NAME = os.environ.get("BENCH_DB", "portal_load")
SECRET_KEY = "bench-only-secret-key-" + "x" * 40
PASSWORD = "Load-Bench-2026!"
PREFIX = "负载企业"  # names of the bench's enterprises: the fill runs once
TODAY = dt.date.today()  # the clocks and the open notices are relative to the day of the fill
MAX_REQUESTS = 200_000
ANCHOR = "anchor: 20-row list"
BARE = "bare endpoint /healthz/"
MAX_SECONDS = 600
ENTERPRISES = 16_000
APPLICATIONS_2025 = 4_000  # the first 4,000 enterprises applied in 2025 too: 20,000 applications
EXPERTS = 300
REVIEWED_APPLICATIONS = 600  # each with a draw of five experts
REVIEWS_OF_FIRST_EXPERT = 40  # the expert user's own panels
EXPERT_USER = "load_expert_000"

# Share of the enterprises per district (滨海新区 the largest, as in Tianjin); the rest evenly.
BINHAI = "120116"
BINHAI_SHARE = 0.25
STATUSES_2026 = {
    "draft": 8,
    "submitted": 12,
    "returned": 4,
    "accepted": 11,
    "under_review": 12,
    "reviewed": 10,
    "recommended": 6,
    "not_recommended": 4,
    "in_publicity": 13,  # about 2,000 entries in the open notices
    "publicity_passed": 6,
    "filed": 8,
    "approved": 6,
}
STATUSES_2025 = {"certified": 10, "not_recommended": 70, "objection_upheld": 3, "filing_returned": 17}


def server_env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",  # the product's, plus the anchor's URL
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "ALLOW_INSECURE_TEST_SETTINGS": "true",
            "OTP_REQUIRED": "false",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            # Empty: no rate limit (config.throttling.rate_from_env); one client address sends everything.
            "ELIGIBILITY_RATE": "",
            "VERIFY_RATE": "",
            "OBJECTION_RATE": "",
            "REPORT_RATE": "",
            "VAR_DIR": var_dir,  # keeps static, cache and broker files out of the working tree
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# --- The data set (in this process, Django set up on portal_load) -----------------------------------


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def fill() -> None:
    """Fill once (all or nothing, in one transaction); later runs find the data and keep it."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Role, User
    from certification import workflow
    from certification.certificates.services import certificate_number, valid_until
    from certification.models import (
        Application,
        ApplicationFiscalYear,
        Certificate,
        CertificateSerial,
        CertificateVersion,
        Enterprise,
        EntryOutcome,
        Field,
        NoticeStatus,
        PublicityEntry,
        PublicityNotice,
        RuleSet,
    )
    from core.uscc import make_uscc
    from districts.models import District, Filing, FilingEntry
    from experts.models import Draw, Expert, ExpertKind, Pledge, Review, ReviewStatus
    from experts.services.pool import current_year

    # Which columns a row in each status has, from the transition table (certification/workflow.py).
    accepted_statuses = set(workflow.statuses_after(workflow.to_status("accept"), inclusive=True))
    clock_statuses = set(workflow.CLOCK_STATUSES)  # 受理 → 报备: the 40-day deadline runs
    passed_review = set(  # reviewed and still on the way to a certificate
        workflow.statuses_between(workflow.to_status("review_complete"), workflow.to_status("certify"))
    )

    if Application.objects.filter(enterprise__name__startswith=PREFIX).exists():
        return
    started = time.perf_counter()
    print(
        f"filling {DB_NAME}: {ENTERPRISES:,} enterprises, {ENTERPRISES + APPLICATIONS_2025:,} applications …"
    )
    rng = random.Random(2026)
    districts = list(District.objects.order_by("code"))
    if len(districts) != 16:
        raise SystemExit(f"expected the 16 districts of the migrations, found {len(districts)}")
    binhai = next(d for d in districts if d.code == BINHAI)
    others = [d for d in districts if d.code != BINHAI]
    rule_set = RuleSet.objects.get(is_default=True)
    fields = list(Field.objects.filter(catalogue__in_force=True, parent__isnull=False).order_by("code"))
    password = make_password(PASSWORD)  # one PBKDF2 hash shared by every bench user

    with transaction.atomic():
        officials = {
            d.pk: User(
                username=f"load_official_{d.code}",
                email=f"load_official_{d.code}@example.com",
                password=password,
                role=Role.DISTRICT,
                district=d,
                full_name=f"{d.name}工作人员",
            )
            for d in districts
        }
        User.objects.bulk_create(officials.values())
        User.objects.create(
            username="load_municipal",
            email="load_municipal@example.com",
            password=password,
            role=Role.MUNICIPAL,
        )

        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"{PREFIX}{i:05d}科技有限公司",
                    uscc=make_uscc(f"91120116ML{i:07d}"),
                    district=binhai if rng.random() < BINHAI_SHARE else rng.choice(others),
                    registered_on=dt.date(2010 + i % 15, 1 + i % 12, 1 + i % 28),
                    address="天津市某区某路 1 号",
                    contact_name="张三",
                    contact_phone="022-12345678",
                )
                for i in range(ENTERPRISES)
            ],
            batch_size=2000,
        )

        def application(enterprise: Enterprise, year: int, status: str, i: int) -> Application:
            submitted = status != "draft"
            submitted_at = (
                dt.datetime(year, 6, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * i % 200_000)
                if submitted
                else None
            )
            score = None
            if status in passed_review:
                score = 71 + (i % 25)
            elif status in STATUSES_2025 or status == "not_recommended":
                score = 50 + (i % 45)
            return Application(
                enterprise=enterprise,
                district_id=enterprise.district_id,
                year=year,
                rule_set=rule_set,
                status=status,
                field=fields[i % len(fields)],
                legal_representative="王五",
                main_products="工业软件与智能装备",
                core_technology="自主研发的核心算法",
                contact_name="张三",
                contact_phone="022-12345678",
                staff_total=50 + i % 400,
                staff_tech_college=20 + i % 150,
                staff_rd=5 + i % 60,
                audit_firm="天津某会计师事务所" if submitted else "",
                submitted_at=submitted_at,
                accepted_at=submitted_at + dt.timedelta(days=5)
                if submitted_at and status in accepted_statuses
                else None,
                review_deadline=TODAY + dt.timedelta(days=(i % 70) - 20)
                if status in clock_statuses
                else None,
                composite_score=score,
                review_passed=None if score is None else score >= 70,
            )

        statuses = _weighted(rng, STATUSES_2026, ENTERPRISES)
        finished = _weighted(rng, STATUSES_2025, APPLICATIONS_2025)
        rows = [application(e, 2026, statuses[i], i) for i, e in enumerate(enterprises)]
        rows += [
            application(enterprises[i], 2025, finished[i], ENTERPRISES + i) for i in range(APPLICATIONS_2025)
        ]
        applications = Application.objects.bulk_create(rows, batch_size=2000)

        fiscal_rows = []
        for i, app in enumerate(applications):
            sales = 5_000_000 + (i * 7919) % 400_000_000
            for k, year in enumerate(range(app.year - 3, app.year)):
                s = sales + k * sales // 10
                fiscal_rows.append(
                    ApplicationFiscalYear(
                        application=app,
                        year=year,
                        sales_revenue=s,
                        total_revenue=s + s // 20,
                        hightech_revenue=s * 7 // 10,
                        rd_expense=s * 6 // 100,
                        rd_expense_domestic=s * 5 // 100,
                        total_assets=s * 2,
                    )
                )
        ApplicationFiscalYear.objects.bulk_create(fiscal_rows, batch_size=5000)

        expert_users = User.objects.bulk_create(
            [
                User(
                    username=f"load_expert_{i:03d}",
                    email=f"load_expert_{i:03d}@example.com",
                    password=password,
                    role=Role.EXPERT,
                )
                for i in range(EXPERTS)
            ]
        )
        experts = Expert.objects.bulk_create(
            [
                Expert(
                    user=u,
                    name=f"专家{i:03d}",
                    kind=ExpertKind.TECHNICAL if i % 5 else ExpertKind.FINANCIAL,
                    title="教授" if i % 2 else "高级工程师",
                    employer=f"天津某大学{i % 20}",
                    employer_uscc=make_uscc(f"12120000MB{i:07d}"),
                )
                for i, u in enumerate(expert_users)
            ]
        )
        through = Expert.fields.through
        through.objects.bulk_create(
            [
                through(expert_id=e.pk, field_id=fields[(i * 3 + k) % len(fields)].pk)
                for i, e in enumerate(experts)
                if e.kind == ExpertKind.TECHNICAL
                for k in range(3)
            ]
        )

        # Expert reviews: a draw of five for each of the first REVIEWED_APPLICATIONS applications under
        # review; the first expert sits on REVIEWS_OF_FIRST_EXPERT panels (half scored), with this
        # year's pledge, as bench/load.py's expert user.
        under_review = [a for a in applications if a.status == "under_review"][:REVIEWED_APPLICATIONS]
        draws = Draw.objects.bulk_create(
            [
                Draw(
                    application=a,
                    seed=f"{i:064x}",
                    algorithm_version="bench",
                    rules={},
                    eligible_ids=[],
                    excluded=[],
                    panel=[],
                    alternates=[],
                    created_by=officials[a.district_id],
                )
                for i, a in enumerate(under_review)
            ]
        )
        reviews = []
        for i, (a, draw) in enumerate(zip(under_review, draws, strict=True)):
            first = [experts[0]] if i < REVIEWS_OF_FIRST_EXPERT else []
            others = [experts[1 + (i * 4 + k) % (EXPERTS - 1)] for k in range(5 - len(first))]
            for k, expert in enumerate(first + others):
                scored = i % 2 == 0
                reviews.append(
                    Review(
                        draw=draw,
                        application=a,
                        expert=expert,
                        kind=expert.kind,
                        chair=k == 0,
                        status=ReviewStatus.SUBMITTED if scored else ReviewStatus.ASSIGNED,
                        due_on=TODAY + dt.timedelta(days=5 + i % 10),
                        ip=20 if scored else None,
                        conversion=20 if scored else None,
                        rd_management=15 if scored else None,
                        growth=15 if scored else None,
                        comment="核心技术自主可控，成长性良好。" if scored else "",
                        submitted_at=dt.datetime.now(dt.UTC) if scored else None,
                    )
                )
        Review.objects.bulk_create(reviews, batch_size=5000)
        Pledge.objects.create(expert=experts[0], year=current_year())

        # Certificates of 2025, numbered per district without gaps; their serial counters.
        certified = [a for a in applications if a.status == "certified"]
        serials: dict[int, int] = {}
        certificates = []
        for k, app in enumerate(certified):
            district = app.enterprise.district
            serials[district.pk] = serials.get(district.pk, 0) + 1
            issued_on = dt.date(2025, 12, 1) + dt.timedelta(days=k % 20)
            certificates.append(
                Certificate(
                    number=certificate_number(2025, district.code, serials[district.pk]),
                    application=app,
                    enterprise=app.enterprise,
                    district=district,
                    enterprise_name=app.enterprise.name,
                    uscc=app.enterprise.uscc,
                    field_name=app.field.name,
                    issued_on=issued_on,
                    valid_until=valid_until(issued_on),
                    issued_by=officials[district.pk],
                )
            )
        certificates = Certificate.objects.bulk_create(certificates)
        CertificateVersion.objects.bulk_create(
            [
                CertificateVersion(certificate=c, version=1, enterprise_name=c.enterprise_name)
                for c in certificates
            ]
        )
        CertificateSerial.objects.bulk_create(
            [CertificateSerial(district_id=d, year=2025, last=n) for d, n in serials.items()]
        )

        # An open notice per district (10 working days ≈ 14 calendar days), the closed ones of 2025.
        for year, status_of_entry, status in (
            (2026, "in_publicity", NoticeStatus.OPEN),
            (2025, "certified", NoticeStatus.CLOSED),
        ):
            start = TODAY - dt.timedelta(days=3) if year == 2026 else dt.date(2025, 10, 9)
            for d in districts:
                entries = [a for a in applications if a.year == year and a.status == status_of_entry]
                entries = [a for a in entries if a.enterprise.district_id == d.pk]
                if not entries:
                    continue
                notice = PublicityNotice.objects.create(
                    district=d,
                    title=f"{d.name} {year} 年度市级高新技术企业拟认定名单公示",
                    start=start,
                    end=start + dt.timedelta(days=14),
                    status=status,
                    created_by=officials[d.pk],
                )
                PublicityEntry.objects.bulk_create(
                    [
                        PublicityEntry(
                            notice=notice,
                            application=a,
                            outcome=EntryOutcome.PENDING if year == 2026 else EntryOutcome.PASSED,
                        )
                        for a in entries
                    ]
                )

        # A filing per district of its filed 2026 applications, waiting for the office's decision.
        filed = [a for a in applications if a.year == 2026 and a.status == "filed"]
        for d in districts:
            mine = [a for a in filed if a.district_id == d.pk]
            if not mine:
                continue
            filing = Filing.objects.create(district=d, created_by=officials[d.pk])
            FilingEntry.objects.bulk_create(
                [
                    FilingEntry(
                        filing=filing,
                        application=a,
                        review_deadline=a.review_deadline,
                        composite_score=a.composite_score,
                    )
                    for a in mine
                ]
            )

        # The enterprise user: a 滨海新区 enterprise with a 2026 application and a 2025 certificate.
        mine = next(c.enterprise for c in certificates if c.district_id == binhai.pk)
        User.objects.create(
            username="load_enterprise",
            email="load_enterprise@example.com",
            password=password,
            role=Role.ENTERPRISE,
            enterprise=mine,
            full_name="企业联系人",
        )
    from django.db import connection

    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would leave them
        cursor.execute("ANALYZE")
    print(
        f"filled in {time.perf_counter() - started:.0f} s: {len(applications):,} applications, "
        f"{len(fiscal_rows):,} fiscal years, {len(experts)} experts, {len(certificates)} certificates"
    )


@dataclass
class Targets:
    """What the mix asks for, read from the database before the server starts."""

    binhai_applications: list[int]
    certificate_numbers: list[str]
    counts: dict[str, int]
    enterprise_applications: list[int] = field(default_factory=list)  # the enterprise user's own
    expert_reviews: list[int] = field(default_factory=list)  # the expert user's reviews
    binhai_filing: int = 0  # 滨海新区's filing, waiting for the office


def targets() -> Targets:
    from django.db import connection

    from certification.models import Application, Certificate, PublicityEntry, PublicityNotice
    from districts.models import District, Filing
    from experts.models import Expert, Review

    binhai = District.objects.get(code=BINHAI)
    ids = list(
        Application.objects.filter(enterprise__district=binhai)
        .exclude(status="draft")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    numbers = list(Certificate.objects.order_by("number").values_list("number", flat=True))
    own = list(
        Application.objects.filter(enterprise__users__username="load_enterprise")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reviews = list(
        Review.objects.filter(expert__user__username=EXPERT_USER).order_by("pk").values_list("pk", flat=True)
    )
    counts = {
        "districts": District.objects.count(),
        "applications": Application.objects.count(),
        "binhai (non-draft)": len(ids),
        "experts": Expert.objects.count(),
        "reviews": Review.objects.count(),
        "the expert user's reviews": len(reviews),
        "certificates": len(numbers),
        "open notices": PublicityNotice.objects.filter(status="open").count(),
        "open entries": PublicityEntry.objects.filter(notice__status="open").count(),
        "filings": Filing.objects.count(),
    }
    connection.close()
    return Targets(
        binhai_applications=ids,
        certificate_numbers=numbers,
        counts=counts,
        enterprise_applications=own,
        expert_reviews=reviews,
        binhai_filing=Filing.objects.filter(district=binhai).values_list("pk", flat=True).first() or 0,
    )


# --- The client ---------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (e.g. to the login page when a session is lost) is an answer, not something to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send(url: str, *, data: bytes | None = None, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(
        url, data=data, method="POST" if data is not None else "GET", headers=headers
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return int(exc.code)


def sign_in(base: str, username: str) -> str:
    """The login form as a browser submits it: GET (CSRF cookie and token), POST; the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base + "/accounts/login/", timeout=10) as response:
        html = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None:
        raise SystemExit("the login page has no CSRF token")
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1), "next": "/"}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/accounts/login/"},
    )
    try:
        opener.open(request, timeout=30).read()
        status = 200
    except urllib.error.HTTPError as exc:  # the 302 after a successful sign-in
        status = exc.code
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if status != 302 or session is None:
        raise SystemExit(f"signing in {username} failed: status {status}")
    return session


@dataclass
class Endpoint:
    name: str
    weight: int
    make: Callable[[random.Random], tuple[str, bytes | None]]  # path (with query), body for a POST
    ok: frozenset[int] = frozenset({200})
    session: str | None = None
    json_body: bool = False
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


def load_eligibility_bodies(count: int) -> list[bytes]:
    """bench/eligibility_http.py's reproducible bodies."""
    import eligibility_http

    return [json.dumps(b).encode() for b in eligibility_http.make_bodies(count)]


def endpoints(t: Targets, sessions: dict[str, str]) -> list[Endpoint]:
    bodies = load_eligibility_bodies(2000)
    queue_queries = [
        "",
        "",
        "page=2",
        "page=40",
        "status=accepted",
        "status=under_review&sort=name",
        "field=01",
        "q=" + urllib.parse.quote(PREFIX + "012"),
    ]
    numbers = t.certificate_numbers

    def number(rng: random.Random) -> str:
        if rng.random() < 0.1:  # a mistyped number: unknown, answered 404
            return f"TJ2025120116{rng.randint(5000, 9999):04d}"
        return rng.choice(numbers)

    def q(query: str) -> str:
        return "?" + query if query else ""

    return [
        Endpoint(
            "district queue page",
            3,
            lambda r: ("/district/applications/" + q(r.choice(queue_queries)), None),
            session="official",
        ),
        Endpoint(
            "district application page",
            3,
            lambda r: (f"/district/applications/{r.choice(t.binhai_applications)}/", None),
            session="official",
        ),
        Endpoint(
            "POST eligibility check API",
            3,
            lambda r: ("/api/v1/eligibility/check/", r.choice(bodies)),
            ok=frozenset({200, 400}),
            json_body=True,
        ),
        Endpoint("publicity list page", 2, lambda r: ("/publicity/", None)),
        Endpoint("publicity list API", 2, lambda r: ("/api/v1/publicity/", None)),
        Endpoint(
            "certificate verify API",
            2,
            lambda r: (f"/api/v1/certificates/verify/{number(r)}/", None),
            ok=frozenset({200, 404}),
        ),
        Endpoint(
            "certificate verify page", 2, lambda r: (f"/verify/{number(r)}/", None), ok=frozenset({200, 404})
        ),
        Endpoint("enterprise home page", 2, lambda r: ("/enterprise/", None), session="enterprise"),
        Endpoint(
            "enterprise application page",
            1,
            lambda r: (f"/enterprise/applications/{r.choice(t.enterprise_applications)}/", None),
            session="enterprise",
        ),
        Endpoint(
            "municipal application page",
            1,
            lambda r: (f"/municipal/history/applications/{r.choice(t.binhai_applications)}/", None),
            session="municipal",
        ),
        Endpoint("district dashboard", 1, lambda r: ("/district/dashboard/", None), session="official"),
        Endpoint("city dashboard", 1, lambda r: ("/municipal/dashboard/", None), session="municipal"),
        Endpoint("office filing page", 1, lambda r: ("/municipal/filings/", None), session="municipal"),
        Endpoint(
            "office filing decision page",
            1,
            lambda r: (f"/municipal/filings/{t.binhai_filing}/", None),
            session="municipal",
        ),
        Endpoint("expert home page", 1, lambda r: ("/expert/", None), session="expert"),
        Endpoint("expert review list", 1, lambda r: ("/expert/reviews/", None), session="expert"),
        Endpoint(
            "expert review page",
            1,
            lambda r: (f"/expert/reviews/{r.choice(t.expert_reviews)}/", None),
            session="expert",
        ),
    ]


def anchor_endpoint() -> Endpoint:
    """The bare 20-row list (bench/urls.py, served only with bench.settings): what the goal is a ratio of."""
    return Endpoint(ANCHOR, 1, lambda r: ("/bench/anchor/", None))


def scenario_names() -> list[str]:
    """Every scenario's name (the lambdas are not called: no database needed)."""
    return [e.name for e in endpoints(Targets([], [], {}), {})]


def call(
    base: str, endpoint: Endpoint, rng: random.Random, sessions: dict[str, str]
) -> tuple[float, int | None]:
    path, body = endpoint.make(rng)
    json_api = path.startswith(("/api/", "/bench/"))
    headers = {"Accept": "application/json" if json_api else "text/html"}
    if endpoint.session is not None:
        headers["Cookie"] = f"sessionid={sessions[endpoint.session]}"
    if endpoint.json_body:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        status: int | None = send(base + path, data=body, headers=headers, timeout=30)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        status = None
    return (time.perf_counter() - started) * 1000, status


def run_mix(
    base: str, mix: list[Endpoint], sessions: dict[str, str], *, threads: int, seconds: float, requests: int
) -> float:
    lock = threading.Lock()
    budget = [requests]
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(1000 + index)
        local: list[tuple[Endpoint, float, int | None]] = []
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            endpoint = rng.choices(mix, weights=[e.weight for e in mix])[0]
            elapsed, status = call(base, endpoint, rng, sessions)
            local.append((endpoint, elapsed, status))
        with lock:
            for endpoint, elapsed, status in local:
                endpoint.latencies.append(elapsed)
                endpoint.statuses[status or 0] = endpoint.statuses.get(status or 0, 0) + 1
                if status not in endpoint.ok:
                    endpoint.errors += 1

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 60)
    return time.perf_counter() - started


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def report(mix: list[Endpoint], elapsed: float, args: argparse.Namespace, counts: dict[str, int]) -> int:
    print()
    print(
        f"gunicorn -w {args.workers} (sync) on PostgreSQL {DB_NAME}; {args.threads} client threads (urllib, "
        f"no keep-alive) for {elapsed:.1f} s"
    )
    print("data: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    header = f"{'endpoint':<30} {'requests':>8} {'errors':>6} {'median ms':>10} {'p95 ms':>9} {'req/s':>7}  statuses"
    print(header)
    print("-" * len(header))
    total = errors = 0
    for e in mix:
        values = sorted(e.latencies)
        total += len(values)
        errors += e.errors
        if not values:
            print(f"{e.name:<30} {0:>8}")
            continue
        print(
            f"{e.name:<30} {len(values):>8} {e.errors:>6} {statistics.median(values):>10.1f} "
            f"{percentile(values, 0.95):>9.1f} {len(values) / elapsed:>7.1f}  {dict(sorted(e.statuses.items()))}"
        )
    everything = sorted(v for e in mix for v in e.latencies)
    if everything:
        print(
            f"{'all':<30} {total:>8} {errors:>6} {statistics.median(everything):>10.1f} "
            f"{percentile(everything, 0.95):>9.1f} {total / elapsed:>7.1f}"
        )
    return 1 if errors else 0


def bare_endpoint() -> Endpoint:
    """The same stack with (almost) nothing to do: gunicorn, every middleware, one ``SELECT 1``."""
    return Endpoint(BARE, 1, lambda r: ("/healthz/", None))


def run_alone(
    base: str, t: Targets, sessions: dict[str, str], *, threads: int, seconds: float, only: list[str]
) -> list[tuple[Endpoint, float]]:
    """The bare endpoint, the anchor, then each scenario (of ``only``, or all) on its own: the same
    threads, the same time."""
    measured = []
    chosen = [e for e in endpoints(t, sessions) if not only or e.name in only]
    for endpoint in [bare_endpoint(), anchor_endpoint(), *chosen]:
        elapsed = run_mix(base, [endpoint], sessions, threads=threads, seconds=seconds, requests=MAX_REQUESTS)
        measured.append((endpoint, elapsed))
    return measured


def report_alone(alone: list[tuple[Endpoint, float]], args: argparse.Namespace) -> int:
    """Each scenario's req/s, p50 and p95, and its req/s as a ratio to the anchor's and /healthz/'s."""
    rates = {e.name: len(e.latencies) / elapsed for e, elapsed in alone if e.latencies}
    bare_rps = rates.get(BARE, 0.0)
    anchor_rps = rates.get(ANCHOR, 0.0)
    print()
    print(
        f"each scenario alone, {args.threads} client threads for {args.scenario_seconds:.0f} s; ratios are "
        f"req/s ÷ the anchor's (the bare 20-row list, /bench/anchor/) and ÷ /healthz/'s "
        f"(every middleware, one SELECT 1); goal: ≥ 0.6 of the anchor, p95 < 100 ms"
    )
    header = (
        f"{'scenario':<30} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'÷ anchor':>8} {'÷ healthz':>9} {'errors':>6}  goal"
    )
    print(header)
    print("-" * len(header))
    errors = 0
    for e, _elapsed in alone:
        values = sorted(e.latencies)
        errors += e.errors
        if not values:
            print(f"{e.name:<30} no requests")
            errors += 1
            continue
        rps = rates[e.name]
        p95 = percentile(values, 0.95)
        to_anchor = rps / anchor_rps if anchor_rps else float("nan")
        to_bare = rps / bare_rps if bare_rps else float("nan")
        met = "yes" if to_anchor >= 0.6 and p95 < 100 else "no"
        print(
            f"{e.name:<30} {len(values):>8} {rps:>7.1f} {statistics.median(values):>7.1f} {p95:>7.1f} "
            f"{to_anchor:>8.2f} {to_bare:>9.2f} {e.errors:>6}  {met}"
        )
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads (1–16)")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help=f"measured duration (at most {MAX_SECONDS})"
    )
    parser.add_argument("--requests", type=int, default=20_000, help="stop after this many requests in total")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (1–8)")
    parser.add_argument(
        "--scenario-seconds",
        type=float,
        default=5.0,
        help="then each scenario alone, and the bare endpoint, for this long (at most 60)",
    )
    parser.add_argument(
        "--port",
        default=None,
        help="port or range of 127.0.0.1, e.g. 8140-8149 (default BENCH_PORTS, else any)",
    )
    parser.add_argument("--list", action="store_true", help="print the scenarios' names and stop")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this scenario alone (repeatable; beside the anchor and /healthz/), no mix",
    )
    parser.add_argument("--no-mix", action="store_true", help="skip the mix: only the scenarios alone")
    args = parser.parse_args()
    names = scenario_names()
    if args.list:
        print("\n".join([BARE, ANCHOR, *names]))
        return 0
    unknown = [n for n in args.scenario if n not in names]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)} (see --list)")
    if not 0 < args.scenario_seconds <= 60:
        parser.error("--scenario-seconds must be between 0 and 60")
    if not 1 <= args.threads <= 16:
        parser.error("--threads must be between 1 and 16")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be between 0 and {MAX_SECONDS}")
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= args.workers <= 8:
        parser.error("--workers must be between 1 and 8")

    sys.path.insert(0, str(ROOT))
    _server.ensure_database(DB_NAME)
    with tempfile.TemporaryDirectory(prefix="portal-load-") as var_dir:
        env = server_env(var_dir)
        os.environ.update(env)  # this process sets Django up on the same database for the fill
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        fill()
        t = targets()

        log_path = Path(var_dir) / "gunicorn.log"
        with _server.gunicorn(env, _server.pick_port(args.port), args.workers, log_path) as base:
            sessions = {
                "official": sign_in(base, f"load_official_{BINHAI}"),
                "enterprise": sign_in(base, "load_enterprise"),
                "municipal": sign_in(base, "load_municipal"),
                "expert": sign_in(base, EXPERT_USER),
            }
            mix = endpoints(t, sessions)
            warm = random.Random(7)
            chosen = [e for e in mix if not args.scenario or e.name in args.scenario]
            # Every worker's first requests (imports, caches).
            for endpoint in [*chosen, bare_endpoint(), anchor_endpoint()]:
                for _ in range(2 * args.workers):
                    call(base, endpoint, warm, sessions)
            with_mix = not (args.scenario or args.no_mix)
            elapsed = (
                run_mix(
                    base, mix, sessions, threads=args.threads, seconds=args.seconds, requests=args.requests
                )
                if with_mix
                else 0.0
            )
            alone = run_alone(
                base, t, sessions, threads=args.threads, seconds=args.scenario_seconds, only=args.scenario
            )
        server_log = log_path.read_text(errors="replace")
    code = report(mix, elapsed, args, t.counts) if with_mix else 0
    code |= report_alone(alone, args)
    if code:
        print("\nserver log (tail):\n" + server_log[-3000:])
    return code


if __name__ == "__main__":
    sys.exit(main())
