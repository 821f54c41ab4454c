"""The whole procedure over HTTP, as an outside client drives it, against a portal started like `make run`.

scripts/run.sh itself starts the portal (migrate, compilemessages, seed_demo, then gunicorn, a real Celery
worker and beat) in a fresh VAR_DIR; the test talks to it with `requests` only, as the enterprise, the
district official (official_120116), the experts of the drawn panel, the municipal office and the public:

register → apply → upload the eight required documents → submit → returned → resubmit → accept (review
deadline 40 calendar days later) → draw → every panel expert signs the pledge and scores → the district's
opinion → publicity → a real-name objection on the public API → its finding → the clock moves past the
notice's end and beat's sweep, run by the worker, closes the notice → filing → municipal approval →
certificate issued → batch printing rendered by the worker → certificate PDF → public verification → the
clock moves into the next half year → monitoring report.

Batch printing and the monitoring report have no API endpoint: they go through their pages with a signed-in
session and the CSRF token, as a browser would.

The clock: tests/clock/sitecustomize.py is put on PYTHONPATH of run.sh, so every Python process it starts
(manage.py, gunicorn's master and workers, the Celery worker and its pool, beat) shifts its wall clock
(time.time, datetime.now, date.today, via time-machine) by the seconds written in VAR_DIR/clock, re-read
every 0.2 s; time.monotonic and sleeps stay real. The test writes that file to move time forward for all of
them at once. (Debian's libfaketime was tried first: 0.9.10 hangs Python 3.11's timed lock waits, which
Celery and gunicorn use.) The portal starts at Monday 2026-09-14 09:00 Beijing time, a year with an
official working-day calendar. API tokens live 12 hours: after each move every person asks for a new one.

Parametrized: once on the embedded default (SQLite + Kombu's file-system broker + the file cache, no
DATABASE_URL/REDIS_URL: exactly `make run`), once on PostgreSQL (a database created for the run and
dropped after) + Redis db 14.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from core.uscc import make_uscc
from tests.embedded_default import ROOT
from tests.portal_process import free_port, outside_var, start, stop

BJ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 14, 9, 0, tzinfo=BJ)  # a Monday; 2026 has an official calendar
PASSWORD = "Demo-Pass-2026"
OFFICIAL = "official_120116"
PG_ADMIN = os.environ.get("JOURNEY_PG_ADMIN_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres")
PG_DB = "portal_journey_pg"
REDIS = "redis://127.0.0.1:6379/14"
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUIRED_KINDS = [
    "application_form",
    "qualification",
    "audit_report",
    "ip_proof",
    "conversion_proof",
    "rd_management_proof",
    "growth_statement",
    "staff_structure",
]

APPLICATION = {
    "field_code": "0101",
    "staff": {"total": 100, "tech_college": 30, "rd": 10},
    "fiscal_years": [
        {
            "year": year,
            "sales_revenue": sales,
            "total_revenue": total,
            "hightech_revenue": hightech,
            "rd_expense": rd,
            "rd_expense_domestic": rd_domestic,
            "total_assets": assets,
        }
        for year, sales, total, hightech, rd, rd_domestic, assets in [
            (2023, "14000000", "15000000", "10000000", "800000", "700000", "20000000"),
            (2024, "20000000", "21000000", "15000000", "1200000", "1100000", "30000000"),
            (2025, "28000000", "29000000", "20000000", "1500000", "1400000", "42000000"),
        ]
    ],
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2025-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
            "title": "一种数据压缩方法",
            "number": "ZL202510000001.1",
        }
    ],
    "conversions": [{"year": y, "title": f"成果转化 {y}-{i}"} for y in (2023, 2024, 2025) for i in range(5)],
    "rd_management": [
        "project_approval",
        "rd_accounting",
        "industry_university",
        "rd_institution",
        "rd_incentives",
    ],
}
AUDIT = {
    "audit": {
        "firm": "天津某会计师事务所",
        "firm_uscc": "",
        "report_number": "津审字〔2026〕001号",
        "report_date": "2026-03-01",
    },
    "products": [{"name": "智能网关", "technology": "边缘计算", "revenue": "20000000"}],
}


class Portal:
    """The running portal: its base URL, its clock and the people who sign in to it."""

    def __init__(self, base: str, clock: Path):
        self.base = base
        self.clock = clock

    def set_clock(self, when: dt.datetime) -> None:
        """Move every portal process's wall clock so that it reads ``when`` now."""
        self.clock.write_text(str((when - dt.datetime.now(dt.UTC)).total_seconds()))
        time.sleep(1.5)  # every process re-reads the file within 0.2 s

    def url(self, path: str) -> str:
        return self.base + path

    def api(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A client with a fresh API token (a token lives 12 hours of the portal's clock)."""
        answer = requests.post(
            self.url("/api/v1/auth/token/"), json={"username": username, "password": password}, timeout=30
        )
        assert answer.status_code == 200, (username, answer.status_code, answer.text[:500])
        session = requests.Session()
        session.headers["Authorization"] = f"Token {answer.json()['token']}"
        return session

    def browser(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A signed-in session with its CSRF cookie, as a browser has after the login page."""
        session = requests.Session()
        page = session.get(self.url("/accounts/login/"), timeout=30)
        assert page.status_code == 200
        answer = session.post(
            self.url("/accounts/login/"),
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": self.url("/accounts/login/")},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[-1500:]
        return session


def ok(answer: requests.Response, status: int = 200) -> dict | list:
    assert answer.status_code == status, (
        answer.request.method,
        answer.url,
        answer.status_code,
        answer.text[:1500],
    )
    return answer.json()


def csrf_post(session: requests.Session, url: str, data: dict | list) -> requests.Response:
    if isinstance(data, dict):
        data = list(data.items())
    return session.post(
        url,
        data=[*data, ("csrfmiddlewaretoken", session.cookies["csrftoken"])],
        headers={"Referer": url},
        timeout=60,
        allow_redirects=False,
    )


def wait_for(what: str, check, timeout: float = 240, every: float = 2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(every)


# --- The two stores ------------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request):  # type: ignore[no-untyped-def]
    """The environment of the portal's stores: nothing (the embedded default) or PostgreSQL + Redis."""
    if request.param == "sqlite":
        yield request.param, {}
        return
    import redis

    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_DB}")
    redis.Redis.from_url(REDIS).flushdb()
    try:
        yield request.param, {"DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}", "REDIS_URL": REDIS}
    finally:
        redis.Redis.from_url(REDIS).flushdb()
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


@pytest.fixture
def portal(stores, tmp_path):  # type: ignore[no-untyped-def]
    name, env = stores
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    clock = var_dir / "clock"
    clock.write_text(str((START - dt.datetime.now(dt.UTC)).total_seconds()))
    env = env | {"PYTHONPATH": str(ROOT / "tests" / "clock"), "PORTAL_CLOCK_FILE": str(clock)}
    port = free_port()
    log = var_dir / "run.log"
    before = outside_var()
    started = time.monotonic()
    process = start(var_dir, port, log, env)
    try:
        yield Portal(f"http://127.0.0.1:{port}", clock)
    finally:
        stop(process, signal.SIGTERM)
        print(f"\njourney on {name}: {time.monotonic() - started:.0f} s wall time (start to stop)")
        text = log.read_text(errors="replace")
        for line in text.splitlines():
            if "Traceback" in line or " ERROR" in line:
                print("run.log:", line)
        assert outside_var() == before, "the portal wrote outside VAR_DIR"


# --- The journey ---------------------------------------------------------------------------------------


def test_whole_procedure_over_http(portal):  # type: ignore[no-untyped-def]
    # 1. Registration (public) and the enterprise's application.
    uscc = make_uscc("91120116MA05JRNY1")
    enterprise_name = "天津旅程科技有限公司"
    ok(
        requests.post(
            portal.url("/api/v1/auth/register/"),
            json={
                "username": "journey_ent",
                "password": "Journey-Pass-2026",
                "email": "journey@example.com",
                "enterprise": {
                    "name": enterprise_name,
                    "uscc": uscc,
                    "district": "120116",
                    "registered_on": "2020-03-01",
                    "address": "天津市滨海新区第一大街 1 号",
                    "contact_name": "张三",
                    "contact_phone": "13800000000",
                },
            },
            timeout=30,
        ),
        201,
    )
    ent = portal.api("journey_ent", "Journey-Pass-2026")
    created = ok(ent.post(portal.url("/api/v1/applications/"), json=APPLICATION, timeout=30), 201)
    app_id = created["id"]
    assert created["status"] == "draft"
    app_url = portal.url(f"/api/v1/applications/{app_id}/")
    ok(ent.patch(app_url, json=AUDIT, timeout=30))
    eligibility = ok(ent.get(app_url + "eligibility/", timeout=30))
    failed = [c["code"] for c in eligibility["conditions"] if c["passed"] is False]
    assert failed == [], eligibility

    # 2. Documents (PDF only), then submit.
    for kind in REQUIRED_KINDS:
        doc = ok(
            ent.post(
                app_url + "documents/",
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", MINIMAL_PDF, "application/pdf")},
                timeout=30,
            ),
            201,
        )
        assert doc["kind"] == kind
    assert ok(ent.post(app_url + "submit/", json={}, timeout=30))["status"] == "submitted"

    # 3. The district returns it, the enterprise resubmits, the district accepts.
    district = portal.api(OFFICIAL)
    returned = ok(
        district.post(app_url + "return/", json={"reasons": ["专项审计报告缺少明细，请补充。"]}, timeout=30)
    )
    assert returned["status"] == "returned"
    assert ok(ent.post(app_url + "submit/", json={}, timeout=30))["status"] == "submitted"
    accepted = ok(district.post(app_url + "accept/", json={}, timeout=30))
    assert accepted["status"] == "accepted"
    # 40 calendar days, the day of acceptance not counted (民法典 第201条).
    assert accepted["review_deadline"] == (START.date() + dt.timedelta(days=40)).isoformat()

    # 4. The draw; each panel expert signs the pledge and scores.
    drawn = ok(district.post(app_url + "draw-experts/", json={}, timeout=60), 201)
    panel = drawn["panel"]
    assert (
        len(panel) >= 5
        and any(p["kind"] == "financial" for p in panel)
        and sum(p["chair"] for p in panel) == 1
    )
    record = ok(district.get(portal.url(f"/api/v1/draws/{drawn['draw_id']}/"), timeout=30))
    assert record["seed"] == drawn["seed"]
    assert (
        ok(district.post(portal.url(f"/api/v1/draws/{drawn['draw_id']}/replay/"), json={}, timeout=60))[
            "identical"
        ]
        is True
    )
    office = portal.api("municipal")
    usernames = {
        p["expert_id"]: ok(office.get(portal.url(f"/api/v1/experts/{p['expert_id']}/"), timeout=30))[
            "username"
        ]
        for p in panel
    }
    for pick in panel:
        expert = portal.api(usernames[pick["expert_id"]])
        reviews = ok(expert.get(portal.url("/api/v1/reviews/"), timeout=30))
        reviews = reviews["results"] if isinstance(reviews, dict) else reviews
        (review,) = [r for r in reviews if r["application"] == app_id or r.get("application_id") == app_id]
        review_url = portal.url(f"/api/v1/reviews/{review['id']}/")
        assert expert.get(review_url, timeout=30).status_code == 403  # no pledge yet
        ok(expert.post(portal.url("/api/v1/experts/pledge/"), json={}, timeout=30), 201)
        detail = ok(expert.get(review_url, timeout=30))
        assert detail["application"]["id"] == app_id
        scores = {key: band["max"] for key, band in detail["bands"].items()}
        assert set(scores) == (
            {"growth"} if pick["kind"] == "financial" else {"ip", "conversion", "rd_management"}
        )
        submitted = ok(
            expert.post(review_url + "submit/", json={"scores": scores, "comment": "材料真实。"}, timeout=30)
        )
        assert submitted["status"] == "submitted"
    reviewed = ok(district.get(app_url, timeout=30))
    assert reviewed["status"] == "reviewed"
    assert Decimal(reviewed["composite_score"]) > 60 and reviewed["review_passed"] is True

    # 5. Opinion, publicity, an objection on the public API and its finding.
    opinion = ok(
        district.post(app_url + "opinion/", json={"recommend": True, "note": "同意推荐。"}, timeout=30)
    )
    assert opinion["status"] == "recommended"
    notice = ok(
        district.post(
            portal.url("/api/v1/publicity/"),
            json={"applications": [app_id], "start": START.date().isoformat()},
            timeout=30,
        ),
        201,
    )
    end = dt.date.fromisoformat(notice["end"])
    span = ok(
        requests.get(
            portal.url("/api/v1/calendar/working-days/"),
            params={"start": START.date().isoformat(), "count": 10},
            timeout=30,
        )
    )
    assert span["confirmed"] is True and notice["end"] == span["end"]  # 10 working days (2026-09-20 is one)
    assert ok(district.get(app_url, timeout=30))["status"] == "in_publicity"
    public = ok(requests.get(portal.url("/api/v1/publicity/"), timeout=30))
    assert any(
        e["notice"]["id"] == notice["id"] and e["enterprise_name"] == enterprise_name
        for e in public["results"]
    ), public
    objection = ok(
        requests.post(
            portal.url(f"/api/v1/publicity/{notice['id']}/objections/"),
            data={
                "application": app_id,
                "name": "李四",
                "phone": "13900000000",
                "reason": "专利系受让取得，请核实。",
            },
            timeout=30,
        ),
        201,
    )
    tracked = ok(
        requests.get(portal.url(f"/api/v1/objections/track/{objection['tracking_number']}/"), timeout=30)
    )
    assert "李四" not in str(tracked)
    resolved = ok(
        district.post(
            portal.url(f"/api/v1/objections/{objection['id']}/resolve/"),
            json={"upheld": False, "finding": "经核实，专利为自主研发，异议不成立。"},
            timeout=30,
        )
    )
    assert resolved["status"] != "pending", resolved
    tracked = ok(
        requests.get(portal.url(f"/api/v1/objections/track/{objection['tracking_number']}/"), timeout=30)
    )
    assert "异议不成立" in str(tracked)
    early = district.post(portal.url(f"/api/v1/publicity/{notice['id']}/close/"), json={}, timeout=30)
    assert early.status_code == 409, early.text

    # 6. After the end the scheduler (beat → worker) closes the notice; nobody calls close.
    portal.set_clock(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9, 0), BJ))
    district = portal.api(OFFICIAL)
    closed = wait_for(
        "the sweep to close the notice",
        lambda: (a := ok(district.get(app_url, timeout=30)))["status"] == "publicity_passed" and a,
        timeout=300,
    )
    assert closed["status"] == "publicity_passed"
    again = ok(district.post(portal.url(f"/api/v1/publicity/{notice['id']}/close/"), json={}, timeout=30))
    assert again is not None  # 200, no further effect
    assert ok(district.get(app_url, timeout=30))["status"] == "publicity_passed"

    # 7. Filing, approval, certificate.
    filing = ok(
        district.post(portal.url("/api/v1/filings/"), json={"applications": [app_id]}, timeout=60), 201
    )
    assert ok(district.get(app_url, timeout=30))["status"] == "filed"
    office = portal.api("municipal")
    ok(
        office.post(
            portal.url(f"/api/v1/filings/{filing['id']}/decide/"),
            json={"decisions": [{"application": app_id, "approved": True, "reason": ""}]},
            timeout=60,
        )
    )
    assert ok(district.get(app_url, timeout=30))["status"] == "approved"
    (issued,) = ok(
        district.post(portal.url("/api/v1/certificates/issue/"), json={"applications": [app_id]}, timeout=60),
        201,
    )
    today = end + dt.timedelta(days=1)
    assert issued["application"] == app_id and issued["issued_on"] == today.isoformat()
    assert issued["valid_until"].startswith(str(today.year + 3))
    assert re.fullmatch(r"TJ\d{4}120116\d{4}", issued["number"])
    assert ok(district.get(app_url, timeout=30))["status"] == "certified"

    # 8. Batch printing, rendered by the worker (the district's page, signed in).
    official_page = portal.browser(OFFICIAL)
    page = official_page.get(portal.url("/district/certificates/batch/"), timeout=30)
    assert page.status_code == 200
    ids = re.findall(r'name="certificates" value="(\d+)"', page.text)
    assert len(ids) == 1
    started = csrf_post(
        official_page, portal.url("/district/certificates/batch/"), [("certificates", ids[0])]
    )
    assert started.status_code == 302, started.text[-1500:]
    status_url = (
        portal.url(started.headers["Location"])
        if started.headers["Location"].startswith("/")
        else started.headers["Location"]
    )
    wait_for(
        "the worker to render the batch",
        lambda: 'data-state="done"' in official_page.get(status_url, timeout=30).text,
        timeout=240,
    )
    batch = official_page.get(status_url + "download/", timeout=60)
    assert batch.status_code == 200 and batch.content.startswith(b"%PDF-")

    # 9. Certificate PDF and public verification.
    pdf = ent.get(portal.url(f"/api/v1/certificates/{issued['number']}/pdf/"), timeout=60)
    if pdf.status_code == 401:  # the morning's token is past its 12 hours
        ent = portal.api("journey_ent", "Journey-Pass-2026")
        pdf = ent.get(portal.url(f"/api/v1/certificates/{issued['number']}/pdf/"), timeout=60)
    assert (
        pdf.status_code == 200
        and pdf.headers["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF-")
    )
    verified = ok(requests.get(portal.url(f"/api/v1/certificates/verify/{issued['number']}/"), timeout=30))
    assert (
        verified["status"] == "valid"
        and verified["uscc"] == uscc
        and verified["enterprise_name"] == enterprise_name
    )

    # 10. Next July: the half-year monitoring report (the enterprise's page, signed in).
    portal.set_clock(dt.datetime(today.year + 1, 7, 5, 10, 0, tzinfo=BJ))
    enterprise_page = portal.browser("journey_ent", "Journey-Pass-2026")
    listing = enterprise_page.get(portal.url("/enterprise/certificates/"), timeout=30)
    assert listing.status_code == 200
    (monitoring_path,) = set(re.findall(r'href="(/enterprise/certificates/\d+/monitoring/)', listing.text))
    period = f"half_year:{today.year + 1}H1"
    filed = csrf_post(
        enterprise_page,
        portal.url(monitoring_path),
        {
            "report": period,
            "revenue": "15000000",
            "rd_expense": "900000",
            "staff_total": "110",
            "new_ip_count": "2",
            "confirm": "on",
        },
    )
    assert filed.status_code == 302, filed.text[-2000:]
    listing = enterprise_page.get(portal.url("/enterprise/certificates/"), timeout=30)
    assert monitoring_path not in listing.text  # nothing more to file for now
