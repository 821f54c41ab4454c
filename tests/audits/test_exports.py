"""Exports reopened with openpyxl (and CSV parsed with csv) hold exactly the filtered rows; scoping; large jobs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audits.tasks import build_export, export_job
from certification.models import (
    Application,
    EntryOutcome,
    MonitoringReport,
    Objection,
    PublicityEntry,
    PublicityNotice,
)
from districts.models import Filing, FilingEntry
from experts.models import ExpertKind
from tests.audits import builders as b
from tests.factories import EnterpriseFactory, ExpertFactory, district

pytestmark = pytest.mark.django_db


# --- Reading files back -------------------------------------------------------------------------


def xlsx_rows(content: bytes) -> tuple[list, list[list]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    width = len(rows[0])
    # Read-only mode drops trailing empty cells: pad each row to the header's width.
    return rows[0], [r + [None] * (width - len(r)) for r in rows[1:]]


def csv_rows(content: bytes) -> tuple[list, list[list]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def norm(value) -> str:  # type: ignore[no-untyped-def]
    """One spelling for a cell read from either file: numbers as numbers, dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value).removesuffix(" 00:00:00")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def get_both(client, url: str, params: dict | None = None) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The xlsx and the CSV export of one list with one filter: the same header and rows; those rows."""
    xlsx = client.get(f"{url}.xlsx", params or {})
    assert xlsx.status_code == 200, xlsx.content[:300]
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    comma = client.get(f"{url}.csv", params or {})
    assert comma.status_code == 200 and comma["Content-Type"].startswith("text/csv")
    x_head, x_rows = xlsx_rows(xlsx.content)
    c_head, c_rows = csv_rows(comma.content)
    assert x_head == c_head
    x_norm = [[norm(v) for v in row] for row in x_rows]
    assert x_norm == [[norm(v) for v in row] for row in c_rows]
    return x_norm


def first_column(rows: list[list[str]]) -> list[str]:
    return [r[0] for r in rows]


# --- Data ---------------------------------------------------------------------------------------


@pytest.fixture
def apps_world():
    """Applications of two districts in several states, fields and names."""
    rows = {}
    for code in ("120116", "120101"):
        for i, (status, field_code) in enumerate(
            [
                ("submitted", "0101"),
                ("accepted", "0203"),
                ("accepted", "0101"),
                ("under_review", "0405"),
                ("certified", "0201"),
                ("draft", "0101"),
                ("returned", "05"),
            ]
        ):
            name = f"{'星河' if i % 2 else '海港'}科技{code}-{i}"
            app = b.application(
                code,
                status=status,
                field_code=field_code,
                enterprise=EnterpriseFactory(district=district(code), name=name),
                composite_score=Decimal("71.50") if status == "certified" else None,
                review_deadline=dt.date(2026, 4, 10) if status != "submitted" else None,
            )
            rows[(code, i)] = app
    return rows


def ids_where(**filters) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        str(pk)
        for pk in Application.objects.filter(**filters).exclude(status="draft").values_list("pk", flat=True)
    )


# --- Applications ---------------------------------------------------------------------------------


def test_district_applications_export_holds_exactly_the_filtered_rows(client, official, apps_world):
    client.force_login(official)
    rows = get_both(client, "/district/exports/applications", {"status": "accepted"})
    assert sorted(first_column(rows)) == ids_where(enterprise__district__code="120116", status="accepted")
    rows = get_both(client, "/district/exports/applications", {"q": "星河"})
    assert sorted(first_column(rows)) == ids_where(
        enterprise__district__code="120116", enterprise__name__contains="星河"
    )
    rows = get_both(
        client, "/district/exports/applications", {"field": "02"}
    )  # a top-level field: its sub-fields
    assert sorted(first_column(rows)) == ids_where(
        enterprise__district__code="120116", field__code__startswith="02"
    )
    rows = get_both(client, "/district/exports/applications")
    assert sorted(first_column(rows)) == ids_where(enterprise__district__code="120116")  # never drafts
    # The cells themselves.
    certified = apps_world[("120116", 4)]
    row = next(r for r in rows if r[0] == str(certified.pk))
    assert row[1:8] == [
        certified.enterprise.name,
        certified.enterprise.uscc,
        "滨海新区",
        "2026",
        str(certified.field),
        "已发证",
        "",
    ]
    assert row[-1] == "71.5"


def test_sort_parameter_orders_the_file_like_the_queue(client, official, apps_world):
    client.force_login(official)
    rows = get_both(client, "/district/exports/applications", {"sort": "name"})
    names = [r[1] for r in rows]
    assert names == sorted(names)


def test_office_exports_all_districts_or_one(client, municipal_user, apps_world):
    client.force_login(municipal_user)
    rows = get_both(client, "/municipal/exports/applications", {"status": "accepted"})
    assert sorted(first_column(rows)) == ids_where(status="accepted")
    rows = get_both(client, "/municipal/exports/applications", {"district": "120101", "q": "海港"})
    assert sorted(first_column(rows)) == ids_where(
        enterprise__district__code="120101", enterprise__name__contains="海港"
    )
    assert client.get("/municipal/exports/applications.xlsx", {"district": "999999"}).status_code == 404


def test_official_gets_404_for_another_districts_export(client, official, other_official, apps_world):
    client.force_login(official)
    assert client.get("/district/exports/applications.xlsx", {"district": "120101"}).status_code == 404
    assert client.get("/district/exports/certificates.csv", {"district": "120101"}).status_code == 404
    assert client.get("/district/exports/applications.xlsx", {"district": "120116"}).status_code == 200
    assert client.get("/district/exports/experts.xlsx").status_code == 404  # the office's list
    assert client.get("/district/exports/nothing.xlsx").status_code == 404
    assert client.get("/district/exports/applications.pdf").status_code == 404
    assert client.get("/municipal/exports/applications.xlsx").status_code == 403
    client.force_login(other_official)
    rows = get_both(client, "/district/exports/applications")
    assert sorted(first_column(rows)) == ids_where(enterprise__district__code="120101")


@pytest.mark.parametrize(
    ("person", "url", "expected_status"),
    [
        ("anonymous", "/municipal/exports/applications.xlsx", 302),
        ("anonymous", "/district/exports/applications.xlsx", 302),
        ("enterprise_user", "/district/exports/applications.xlsx", 403),
        ("expert_user", "/municipal/exports/applications.csv", 403),
        ("municipal_user", "/municipal/exports/", 200),
        ("official", "/district/exports/", 200),
    ],
)
def test_export_access(client, request, person, url, expected_status):
    user = request.getfixturevalue(person)
    if user is not None:
        client.force_login(user)
    assert client.get(url).status_code == expected_status


# --- The other lists -------------------------------------------------------------------------------


def test_pool_export_with_filters(client, official, municipal_user):
    made = [
        b.pool_entry("120116", readiness="ready", cultivation=True),
        b.pool_entry("120116", readiness="close"),
        b.pool_entry("120116", readiness="far", field_code="0201"),
        b.pool_entry("120101", readiness="ready"),
    ]
    client.force_login(official)
    rows = get_both(client, "/district/exports/pool", {"readiness": "ready"})
    assert [r[0] for r in rows] == [made[0].enterprise.name]
    rows = get_both(client, "/district/exports/pool", {"cultivation": "0"})
    assert sorted(r[0] for r in rows) == sorted(e.enterprise.name for e in made[1:3])
    rows = get_both(client, "/district/exports/pool", {"field": "02"})
    assert [r[0] for r in rows] == [made[2].enterprise.name]
    client.force_login(municipal_user)
    rows = get_both(client, "/municipal/exports/pool", {"readiness": "ready"})
    assert sorted(r[0] for r in rows) == sorted([made[0].enterprise.name, made[3].enterprise.name])


def test_certificate_export_by_status_and_query(client, official, municipal_user):
    issued = []
    for i, code in enumerate(("120116", "120116", "120116", "120101")):
        app = b.application(code, status="certified")
        issued.append(b.certificate(app, dt.date(2026, 3, 1 + i), official, revoked=i == 1))
    client.force_login(official)
    rows = get_both(client, "/district/exports/certificates", {"status": "revoked"})
    assert first_column(rows) == [issued[1].number]
    assert rows[0][7] == "已撤销"
    rows = get_both(client, "/district/exports/certificates", {"status": "valid"})
    assert sorted(first_column(rows)) == sorted([issued[0].number, issued[2].number])
    rows = get_both(client, "/district/exports/certificates", {"q": issued[2].number})
    assert first_column(rows) == [issued[2].number]
    client.force_login(municipal_user)
    rows = get_both(client, "/municipal/exports/certificates", {"status": "valid"})
    assert sorted(first_column(rows)) == sorted([issued[0].number, issued[2].number, issued[3].number])


def test_expert_export_for_the_office(client, municipal_user):
    technical = [ExpertFactory(name=f"技术{i}") for i in range(3)]
    financial = ExpertFactory(name="财务甲", kind=ExpertKind.FINANCIAL)
    ExpertFactory(name="停用乙", active=False)
    client.force_login(municipal_user)
    rows = get_both(client, "/municipal/exports/experts", {"kind": "financial"})
    assert [r[1] for r in rows] == [financial.name]
    rows = get_both(client, "/municipal/exports/experts", {"active": "1", "kind": "technical"})
    assert sorted(r[1] for r in rows) == sorted(e.name for e in technical)


def test_filing_objection_and_monitoring_exports(client, official, other_official, municipal_user):
    filed = b.application("120116", status="filed")
    filing = Filing.objects.create(district=district("120116"), created_by=official)
    FilingEntry.objects.create(filing=filing, application=filed)
    other = Filing.objects.create(district=district("120101"), created_by=other_official)
    FilingEntry.objects.create(filing=other, application=b.application("120101", status="filed"))
    client.force_login(official)
    rows = get_both(client, "/district/exports/filings")
    assert first_column(rows) == [str(filing.pk)] and rows[0][5:9] == ["1", "0", "0", "1"]
    assert get_both(client, "/district/exports/filings", {"status": "decided"}) == []

    notice = PublicityNotice.objects.create(
        district=district("120116"),
        title="滨海新区公示",
        start=dt.date(2026, 5, 1),
        end=dt.date(2026, 5, 15),
        created_by=official,
    )
    entry = PublicityEntry.objects.create(notice=notice, application=filed, outcome=EntryOutcome.PENDING)
    open_one = Objection.objects.create(
        entry=entry, tracking_number="YYAAAA000001", name="王五", phone="13800000000", reason="理由" * 6
    )
    Objection.objects.create(
        entry=entry,
        tracking_number="YYAAAA000002",
        name="赵六",
        phone="13800000001",
        reason="理由" * 6,
        status="dismissed",
    )
    rows = get_both(client, "/district/exports/objections", {"status": "open"})
    assert first_column(rows) == [open_one.tracking_number]
    assert "13800000000" not in str(rows)  # phone numbers stay out of the file
    rows = get_both(client, "/district/exports/objections", {"notice": str(notice.pk)})
    assert sorted(first_column(rows)) == ["YYAAAA000001", "YYAAAA000002"]

    cert = b.certificate(b.application("120116", status="certified"), dt.date(2026, 1, 5), official)
    other_cert = b.certificate(b.application("120101", status="certified"), dt.date(2026, 1, 5), official)
    for c, period, late in ((cert, "2026H1", False), (cert, "2026", True), (other_cert, "2026H1", False)):
        MonitoringReport.objects.create(
            certificate=c,
            kind="half_year" if "H" in period else "annual",
            period=period,
            due_on=dt.date(2026, 7, 31) if "H" in period else dt.date(2027, 1, 31),
            revenue=Decimal("12345678.90"),
            rd_expense=Decimal("1234567.00"),
            staff_total=80,
            new_ip_count=3,
            late=late,
            filed_by=official,
        )
    rows = get_both(client, "/district/exports/monitoring", {"late": "1"})
    assert [(r[0], r[5]) for r in rows] == [(cert.number, "2026")]
    assert rows[0][9] == "12345678.9"
    rows = get_both(client, "/district/exports/monitoring", {"kind": "half_year"})
    assert first_column(rows) == [cert.number]
    client.force_login(municipal_user)
    rows = get_both(client, "/municipal/exports/monitoring", {"period": "2026h1"})
    assert sorted(first_column(rows)) == sorted([cert.number, other_cert.number])


def test_text_that_looks_like_a_formula_stays_text(client, official):
    b.application("120116", status="submitted", enterprise=EnterpriseFactory(name='=HYPERLINK("x")'))
    client.force_login(official)
    xlsx = client.get("/district/exports/applications.xlsx")
    _head, rows = xlsx_rows(xlsx.content)
    assert rows[0][1] == '=HYPERLINK("x")'  # a string cell, not a formula
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["B2"].data_type == "s"
    _head, rows = csv_rows(client.get("/district/exports/applications.csv").content)
    assert rows[0][1] == '\'=HYPERLINK("x")'


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_export_query_count_does_not_grow_with_rows(client, official, municipal_user):
    for _ in range(3):
        b.application("120116", status="accepted")
        ExpertFactory()
    client.force_login(official)
    few = _queries(client, "/district/exports/applications.xlsx")
    client.force_login(municipal_user)
    few_office = _queries(client, "/municipal/exports/applications.csv")
    few_experts = _queries(client, "/municipal/exports/experts.xlsx")
    for _ in range(12):
        b.application("120116", status="accepted")
        ExpertFactory()
    client.force_login(official)
    assert _queries(client, "/district/exports/applications.xlsx") == few
    client.force_login(municipal_user)
    assert _queries(client, "/municipal/exports/applications.csv") == few_office
    assert _queries(client, "/municipal/exports/experts.xlsx") == few_experts


# --- More than the threshold: the Celery task -----------------------------------------------------


def test_large_export_runs_as_a_task_with_progress_and_a_download(
    client, settings, official, other_official, apps_world, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 1  # a small threshold: two accepted applications are "large"
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get("/district/exports/applications.xlsx", {"status": "accepted"})
    assert response.status_code == 302 and len(callbacks) == 1
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    state = export_job(job_id)
    assert state["state"] == "queued" and state["total"] == 2
    assert state["params"] == {"status": "accepted"} and state["user_id"] == official.pk
    body = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in body and f"0 / {state['total']} 行" in body
    assert "<script" not in body
    assert client.get(f"/district/exports/jobs/{job_id}/download/").status_code == 404  # not ready yet

    result = build_export(job_id)  # what the worker runs, here synchronously
    assert result["state"] == "done"
    body = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in body and 'data-state="done"' in body
    assert f"/district/exports/jobs/{job_id}/download/" in body
    download = client.get(f"/district/exports/jobs/{job_id}/download/")
    assert download.status_code == 200
    _head, rows = xlsx_rows(b"".join(download.streaming_content))
    assert sorted(str(r[0]) for r in rows) == ids_where(
        enterprise__district__code="120116", status="accepted"
    )

    # Running it again (a redelivery) rewrites the same file; the job stays done.
    assert build_export(job_id)["state"] == "done" and export_job(job_id)["state"] == "done"

    # Another official cannot follow or download the job.
    client.force_login(other_official)
    assert client.get(response["Location"]).status_code == 404
    assert client.get(f"/district/exports/jobs/{job_id}/download/").status_code == 404
    assert client.get("/district/exports/jobs/not-a-job/").status_code == 404


def test_large_csv_export_for_the_office_reports_progress(
    client, settings, municipal_user, apps_world, django_capture_on_commit_callbacks, monkeypatch
):
    from audits import exports

    settings.EXPORT_SYNC_MAX_ROWS = 3
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    client.force_login(municipal_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get("/municipal/exports/applications.csv")
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    seen: list[int] = []
    from audits import tasks

    original = tasks.JOBS.save

    def spy(job, state):  # type: ignore[no-untyped-def]
        seen.append(state["done"])
        original(job, state)

    monkeypatch.setattr(tasks.JOBS, "save", spy)
    build_export(job_id)
    assert seen[0] == 0 and 2 in seen and 4 in seen  # progress written while the rows are written
    expected_rows = len(ids_where())
    assert export_job(job_id)["done"] == expected_rows
    download = client.get(f"/municipal/exports/jobs/{job_id}/download/")
    _head, rows = csv_rows(b"".join(download.streaming_content))
    assert sorted(r[0] for r in rows) == ids_where()


def test_a_job_whose_user_lost_the_role_fails(
    client, settings, official, apps_world, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get("/district/exports/applications.xlsx")
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    official.role = "enterprise"
    official.enterprise = EnterpriseFactory()
    official.save()
    assert build_export(job_id)["state"] == "failed"
    assert build_export("0" * 32)["state"] == "missing"


def test_stored_file_is_the_one_downloaded(
    media, client, settings, official, apps_world, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get("/district/exports/applications.csv")
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    build_export(job_id)
    stored = media / "exports" / f"{job_id}.csv"
    assert stored.exists()
    download = client.get(f"/district/exports/jobs/{job_id}/download/")
    assert b"".join(download.streaming_content) == stored.read_bytes()
