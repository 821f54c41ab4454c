"""The world of the permission matrix (tests/test_permission_matrix.py): one of every object, the nine people.

Built once per module, inside a transaction that is rolled back when the module ends; each test runs
in a savepoint of it (pytest-django's ``db``), so a POST that changes something is undone before the
next request. The clock is fixed (``WORLD_NOW``) so publicity, pledges and certificates stay open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from certification.certificates import services as certificates
from certification.eligibility import pool
from certification.lifecycle import services as lifecycle
from certification.models import (
    Application,
    ApplicationStatus,
    Document,
    EntryOutcome,
    Objection,
    PublicityEntry,
    PublicityNotice,
    RDManagementItem,
)
from districts.models import Filing, FilingEntry
from experts.models import ExpertRelation, Pledge, Review
from experts.services.pool import current_year
from tests.experts.draw_factories import accepted_application
from tests.experts.draw_factories import pool as expert_pool
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, add_review_data, district

BJ = dt.timezone(dt.timedelta(hours=8))
# A Friday of an official calendar year, inside every window the world needs (publicity open, pledge year).
WORLD_NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=BJ)
TODAY = WORLD_NOW.date()

# The eight people of docs/domain.md (Actors) and the expert before the pledge, in the column order of the matrix.
PEOPLE = (
    "enterprise",  # an enterprise user (owner of every application of the world)
    "other_enterprise",  # another enterprise's user (district 120101)
    "official",  # the district's official (120116, the world's district)
    "other_official",  # another district's official (120101)
    "expert_on",  # an expert on the panel (reviews the world's application, pledge signed)
    "expert_off",  # an expert off it (pledge signed too: only the panel decides)
    "expert_unpledged",  # another expert on the same panel who has not signed this year's pledge
    "municipal",  # the municipal office
    "anonymous",  # an anonymous visitor
)

EXPORT_JOB_FMT = "csv"


def pdf(marker: str) -> bytes:
    """A tiny PDF that passes the upload checks; ``marker`` makes its SHA-256 unique."""
    return b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(marker: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{marker}.pdf", pdf(marker), content_type="application/pdf")


@dataclass
class World:
    people: dict[str, User | None]
    tokens: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # person → session key (browser pages)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # cache key → background job state

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def _document(application: Application, by: User, marker: str, kind: str = "qualification") -> Document:
    content = pdf(marker)
    document = Document(
        application=application,
        kind=kind,
        original_name=f"{marker}.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    document.file.save(f"{marker}.pdf", ContentFile(content), save=False)
    document.save()
    return document


POOL_PAYLOAD = {
    "as_of": TODAY.isoformat(),
    "field_code": "0101",
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2025-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
        }
    ],
    "staff": {"total": 100, "tech_college": 30, "rd": 10},
    "fiscal_years": [
        {
            "year": 2024,
            "sales_revenue": "20000000",
            "total_revenue": "21000000",
            "hightech_revenue": "15000000",
            "rd_expense": "1200000",
            "rd_expense_domestic": "1100000",
            "total_assets": "30000000",
        },
        {
            "year": 2025,
            "sales_revenue": "24000000",
            "total_revenue": "25000000",
            "hightech_revenue": "18000000",
            "rd_expense": "1500000",
            "rd_expense_domestic": "1400000",
            "total_assets": "36000000",
        },
    ],
    "composite_score": 75,
}


def build_world() -> World:
    from audits.models import SupervisionCheck, Target
    from audits.services import office as services_office
    from experts.services.draws import draw_experts
    from experts.services.meetings import sheet_enter

    binhai, heping = district("120116"), district("120101")

    # --- The people -------------------------------------------------------------------------------
    enterprise_user = UserFactory(enterprise_user=True, username="m_ent", enterprise__district=binhai)
    ent = enterprise_user.enterprise
    other_enterprise_user = UserFactory(
        enterprise_user=True, username="m_other_ent", enterprise__district=heping
    )
    official = UserFactory(role=Role.DISTRICT, district=binhai, username="m_official")
    other_official = UserFactory(role=Role.DISTRICT, district=heping, username="m_other_official")
    municipal = UserFactory(role=Role.MUNICIPAL, username="m_municipal")

    # The expert pool of field 0101 (7 technical, 3 financial): enough for a panel with alternates.
    technical, financial = expert_pool(7, 3)
    pool_experts = [*technical, *financial]

    # --- The application under review (online scoring), drawn by the real service -------------------
    app_review = add_review_data(
        accepted_application(enterprise=ent, year=2026, rd_management=list(RDManagementItem.values))
    )
    draw = draw_experts(application=app_review, by=official)
    reviews = list(Review.objects.filter(draw=draw).order_by("-chair", "kind", "pk"))
    review = next(r for r in reviews if not r.chair and r.kind == "technical")
    expert_on = review.expert
    expert_off = next(e for e in pool_experts if not Review.objects.filter(expert=e).exists())
    for expert in (expert_on, expert_off):
        Pledge.objects.create(expert=expert, year=current_year())
    # On the panel too, but without this year's pledge (第十三条): no application material for them.
    expert_unpledged = next(r.expert for r in reviews if r.expert_id != expert_on.pk)
    relation = ExpertRelation.objects.create(
        expert=expert_on, uscc=EnterpriseFactory.build().uscc, note="曾任顾问"
    )
    doc_review = _document(app_review, enterprise_user, "review-qualification")

    # --- An application reviewed at an on-site meeting: one sheet entered, one still open -----------
    app_meeting = add_review_data(
        accepted_application(enterprise=ent, year=2025, rd_management=list(RDManagementItem.values))
    )
    meeting_draw = draw_experts(
        application=app_meeting,
        by=official,
        mode="meeting",
        meeting_date=TODAY + dt.timedelta(days=10),
        meeting_place="滨海新区科技大厦 3 楼会议室",
    )
    meeting_reviews = list(Review.objects.filter(draw=meeting_draw).order_by("-chair", "kind", "pk"))
    sheet_review = next(r for r in meeting_reviews if r.kind == "financial")
    sheet_enter(
        review=sheet_review,
        by=official,
        scores={"growth": "9.5"},
        reasons={},
        comment="",
        present=True,
        sheet_file=pdf_upload("sheet"),
    )
    open_meeting_review = next(r for r in meeting_reviews if r.kind == "technical")

    # --- A draft (the enterprise's editable one) with a document ------------------------------------
    app_draft = ApplicationFactory(enterprise=ent, year=2027, status=ApplicationStatus.DRAFT)
    doc_draft = _document(app_draft, enterprise_user, "draft-qualification")

    # --- In publicity: notice, entry, objection (with evidence) -------------------------------------
    app_publicity = ApplicationFactory(
        enterprise=ent, year=2024, status=ApplicationStatus.IN_PUBLICITY, field=app_review.field
    )
    notice = PublicityNotice.objects.create(
        district=binhai,
        title="滨海新区 2026 年拟推荐高新技术企业公示",
        start=TODAY - dt.timedelta(days=3),
        end=TODAY + dt.timedelta(days=11),
        created_by=official,
    )
    entry = PublicityEntry.objects.create(
        notice=notice, application=app_publicity, outcome=EntryOutcome.PENDING
    )
    objection = Objection(
        entry=entry,
        tracking_number="YY2026MATRIX01",
        name="李四",
        phone="13800000000",
        reason="该企业知识产权归属存在争议，请核实。",
    )
    objection.evidence.save("evidence.pdf", ContentFile(pdf("objection")), save=False)
    objection.save()

    # --- Filed with the office ----------------------------------------------------------------------
    app_filed = ApplicationFactory(
        enterprise=ent, year=2023, status=ApplicationStatus.FILED, field=app_review.field
    )
    filing = Filing.objects.create(district=binhai, created_by=official)
    filing_entry = FilingEntry.objects.create(filing=filing, application=app_filed)
    from audits.models import FilingSample, FilingSampleCheck

    filing_sample = FilingSample.objects.create(
        filing=filing,
        size=1,
        seed="matrix",
        algorithm_version="filing-sample-1",
        eligible_ids=[filing_entry.pk],
        chosen_ids=[filing_entry.pk],
        created_by=municipal,
    )
    filing_check = FilingSampleCheck.objects.create(sample=filing_sample, entry=filing_entry)

    # --- Certified: the certificate, a monitoring report, a rename request -------------------------
    app_certified = ApplicationFactory(
        enterprise=ent, year=2022, status=ApplicationStatus.APPROVED, field=app_review.field
    )
    certificate = certificates.certificate_issue(
        by=official, application_ids=[app_certified.pk], issued_on=dt.date(2025, 12, 1)
    )[0]
    monitoring = lifecycle.monitoring_report_file(
        certificate=certificate,
        by=enterprise_user,
        kind="half_year",
        period="2026H1",
        data={
            "revenue": "12345678.90",
            "rd_expense": "1234567.00",
            "staff_total": "120",
            "new_ip_count": "3",
        },
    )
    change = lifecycle.rename_request(
        certificate=certificate,
        by=enterprise_user,
        new_name="天津矩阵新名称科技有限公司",
        evidence=pdf_upload("rename"),
        event_date=TODAY - dt.timedelta(days=10),
    )

    # --- The candidate pool ----------------------------------------------------------------------
    pool_entry = pool.pool_join(enterprise=ent, by=enterprise_user, payload=POOL_PAYLOAD)

    # --- The office's records: a target, a public report, a district check, a spot-check draw -------
    target = Target.objects.create(
        year=2026, district=binhai, certified_target=10, pool_target=30, set_by=municipal
    )
    report = services_office.report_file(
        certificate=certificate,
        name="王五",
        phone="13900000000",
        reason="该企业研发人员数量与申报不符，请核查。" * 2,
        evidence=pdf_upload("report"),
    )
    check = services_office.check_schedule(
        by=municipal,
        kind="district_work",
        district=binhai,
        scheduled_on=TODAY + dt.timedelta(days=20),
        subject="2026 年度认定工作检查",
    )
    spot_draw = services_office.check_random_spot_checks(
        by=municipal, year=2026, count=1, seed="matrix", scheduled_on=TODAY + dt.timedelta(days=30)
    )

    from audits.services.announcements import announcement_create

    announcement = announcement_create(
        by=municipal, title="2026 年度认定工作通知", body="请各区按时组织申报。"
    )

    # --- The "四单一库" ledger: the world's enterprise on the reform list, reformed with a PDF --------------
    from listings import services as listings

    listing_entry = listings.entry_add(enterprise=ent, stage="intention", by=municipal)
    listing_event = listings.event_record(
        entry=listing_entry,
        by=official,
        to_stage="reformed",
        happened_on=TODAY,
        evidence=pdf_upload("listing-evidence"),
    )
    # A training of the world's district (Binhai), attended by the world's enterprise.
    listing_activity = listings.activity_record(
        by=official,
        kind="training",
        held_on=TODAY,
        topic="股改条件培训",
        place="滨海新区政务中心",
        head_count=10,
        speakers=["主讲人"],
        enterprise_codes=[ent.uscc],
    )

    # --- The inbox and the operations page -----------------------------------------------------------
    from notifications.models import Channel, FailedTask, Notification

    notification = Notification.objects.create(
        user=enterprise_user,
        kind="matrix",
        subject="申请已受理",
        body="您的申请已受理。",
        url=f"/enterprise/applications/{app_review.pk}/",
        channel=Channel.INBOX,
    )
    failed_task = FailedTask.objects.create(task_name="matrix.unknown_task", error="RuntimeError: matrix")

    # --- The cadre help ledger: the world's enterprise on the 1-billion list, a ledger waiting for review
    from cadres.models import HelpListEntry, Ledger

    help_entry = HelpListEntry.objects.create(
        enterprise=ent, help_list="billion", year_added=2026, added_by=municipal
    )
    help_ledger = Ledger.objects.create(
        entry=help_entry, year=2026, half="h1", status="submitted", summary="matrix"
    )
    # The assessment of cadres: the year's sheet (one indicator) and a draft assessment of the entry's cadre.
    from cadres.models import Assessment, AssessmentSheet, Assignment, Cadre, Indicator

    help_cadre = User.objects.create_user(username="matrix_cadre", password="x-Matrix-2026", role=Role.CADRE)
    Cadre.objects.create(user=help_cadre, level="bureau", unit="市科委")
    Assignment.objects.create(
        entry=help_entry,
        cadre=help_cadre,
        kind="primary",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2028, 1, 1),
        assigned_by=municipal,
    )
    assessment_sheet = AssessmentSheet.objects.create(year=2026, created_by=municipal)
    Indicator.objects.create(
        sheet=assessment_sheet, position=1, name="责任心", max_score=100, source="manual"
    )
    assessment = Assessment.objects.create(
        sheet=assessment_sheet,
        cadre=help_cadre,
        entry=help_entry,
        year=2026,
        half="h1",
        assessed_by=municipal,
    )

    people: dict[str, User | None] = {
        "enterprise": enterprise_user,
        "other_enterprise": other_enterprise_user,
        "official": official,
        "other_official": other_official,
        "expert_on": expert_on.user,
        "expert_off": expert_off.user,
        "expert_unpledged": expert_unpledged.user,
        "municipal": municipal,
        "anonymous": None,
    }
    tokens = {name: Token.objects.create(user=user).key for name, user in people.items() if user is not None}
    objects = {
        "app_review": app_review,
        "app_meeting": app_meeting,
        "app_draft": app_draft,
        "app_publicity": app_publicity,
        "app_filed": app_filed,
        "app_certified": app_certified,
        "draw": draw,
        "meeting_draw": meeting_draw,
        "review": review,
        "sheet_review": sheet_review,
        "open_meeting_review": open_meeting_review,
        "expert_on": expert_on,
        "expert_off": expert_off,
        "relation": relation,
        "doc_review": doc_review,
        "doc_draft": doc_draft,
        "notice": notice,
        "entry": entry,
        "objection": objection,
        "filing": filing,
        "filing_check": filing_check,
        "certificate": certificate,
        "monitoring": monitoring,
        "change": change,
        "pool_entry": pool_entry,
        "target": target,
        "report": report,
        "announcement": announcement,
        "listing_entry": listing_entry,
        "listing_event": listing_event,
        "listing_activity": listing_activity,
        "check": check,
        "spot_draw": spot_draw,
        "spot_check": SupervisionCheck.objects.filter(draw=spot_draw).first(),
        "notification": notification,
        "failed_task": failed_task,
        "help_entry": help_entry,
        "help_ledger": help_ledger,
        "assessment_sheet": assessment_sheet,
        "assessment": assessment,
        "binhai": binhai,
        "heping": heping,
    }
    world = World(people=people, tokens=tokens, objects=objects)
    world.jobs = _job_states(world)
    # One signed-in session per person, made once: each test sends its cookie (force_login in every
    # test would write a session, a last_login and its history row for each of ~1,500 requests).
    for name, user in people.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            world.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


# --- Background jobs: their state lives in the cache ---------------------------------------------

CERT_BATCH_JOB = "c" * 32
EXPORT_JOB_DISTRICT = "d" * 32
EXPORT_JOB_OFFICE = "e" * 32


def _job_states(world: World) -> dict[str, dict[str, Any]]:
    """Cache key → state: a finished certificate batch of the district, a finished export of the
    official and one of the office; their files are written once, with the world."""
    from audits.tasks import JOBS as EXPORT_JOBS
    from audits.tasks import export_file_name
    from certification.certificates.tasks import JOBS as BATCH_JOBS
    from certification.certificates.tasks import batch_file_name

    official, municipal = world.people["official"], world.people["municipal"]
    assert official is not None and municipal is not None
    batch_name = batch_file_name(CERT_BATCH_JOB)
    states = {
        BATCH_JOBS.key(CERT_BATCH_JOB): {
            "state": "done",
            "done": 1,
            "total": 1,
            "district_id": official.district_id,
            "user_id": official.pk,
            "file": batch_name,
        }
    }
    if not default_storage.exists(batch_name):
        default_storage.save(batch_name, ContentFile(pdf("batch")))
    for job_id, user in ((EXPORT_JOB_DISTRICT, official), (EXPORT_JOB_OFFICE, municipal)):
        name = export_file_name(job_id, EXPORT_JOB_FMT)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(b"id,name\n1,x\n"))
        states[EXPORT_JOBS.key(job_id)] = {
            "state": "done",
            "done": 1,
            "total": 1,
            "user_id": user.pk,
            "name": "applications",
            "fmt": EXPORT_JOB_FMT,
            "params": {},
            "file": name,
        }
    return states


def seed_jobs(world: World) -> None:
    """Background jobs live in the cache, which is cleared before each request: put them back."""
    cache.set_many(world.jobs, 3600)
