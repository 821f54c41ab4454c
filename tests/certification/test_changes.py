"""Renames and major changes of certified enterprises (第十一条; 国科火字〔2011〕123号, 国科发火〔2008〕172号)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.certificates import services as certificates
from certification.lifecycle import services as lifecycle
from certification.models import Certificate, CertificateVersion, ChangeRequest
from certification.publicity.services import publicity_period, recompute_notice_ends
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
BJ = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_NAME = "天津新名称科技股份有限公司"


@pytest.fixture(autouse=True)
def _media_and_calendar(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    cache.clear()  # the working calendar is memoised per cache version


def at(time_machine, day: str) -> dt.date:
    time_machine.move_to(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=BJ), tick=False)
    return D(day)


def evidence(content: bytes = PDF, name: str = "营业执照变更.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def cert(official, enterprise_user):
    application = ApplicationFactory(enterprise=enterprise_user.enterprise, status="approved")
    return certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=D("2026-03-02")
    )[0]


def rename(cert, user, *, event="2026-09-01", name=NEW_NAME, file=None):
    return lifecycle.rename_request(
        certificate=cert, by=user, new_name=name, evidence=file or evidence(), event_date=D(event)
    )


# The facts after a major change (the eligibility check's body without registration): all met on
# 2026-09-01 under tianjin-2015.
FACTS = {
    "field_code": "0101",
    "staff": {"total": 100, "tech_college": 20, "rd": 7},
    "fiscal_years": [
        {
            "year": year,
            "sales_revenue": "30000000",
            "total_revenue": "32000000",
            "hightech_revenue": "20000000",
            "rd_expense": "1800000",
            "rd_expense_domestic": "1500000",
            "total_assets": "45000000",
        }
        for year in (2023, 2024, 2025)
    ],
    "ip": [{"kind": "invention_patent", "acquired_on": "2024-05-01", "acquisition": "self_developed"}],
}


def major(cert, user, *, kind="merger", event="2026-09-01", file=None, facts=None):
    return lifecycle.major_change_report(
        certificate=cert,
        by=user,
        kind=kind,
        description="本企业吸收合并天津某某科技有限公司，主营业务不变。",
        evidence=file or evidence(),
        event_date=D(event),
        facts=FACTS if facts is None else facts,
    )


# The same facts as the self-check's inputs (the change form reuses them).
FACTS_FORM = {
    "field_code": "0101",
    "staff.total": "100",
    "staff.tech_college": "20",
    "staff.rd": "7",
    "ip[0].kind": "invention_patent",
    "ip[0].acquired_on": "2024-05-01",
    "ip[0].acquisition": "self_developed",
    **{
        f"fiscal_years[{i}].{key}": value
        for i, year in enumerate(("2023", "2024", "2025"))
        for key, value in (
            ("year", year),
            ("sales_revenue", "30,000,000"),
            ("total_revenue", "32000000"),
            ("hightech_revenue", "20000000"),
            ("rd_expense", "1800000"),
            ("rd_expense_domestic", "1500000"),
            ("total_assets", "45000000"),
        )
    },
}


# --- The rename request ---------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "ok"), [("2026-12-01", True), ("2026-12-02", False)])
def test_rename_within_three_months_of_the_event(enterprise_user, cert, time_machine, today, ok):
    at(time_machine, today)
    if ok:
        change = rename(cert, enterprise_user)
        assert change.status == "requested" and change.old_name == cert.enterprise_name
        assert change.evidence_sha256 and change.evidence_name == "营业执照变更.pdf"
    else:
        with pytest.raises(InvalidInput) as exc:
            rename(cert, enterprise_user)
        assert "已超过三个月" in exc.value.errors["event_date"][0]
        assert not ChangeRequest.objects.exists()


def test_month_end_three_months_after():
    assert lifecycle.three_months_after(D("2026-11-30")) == D("2027-02-28")
    assert lifecycle.three_months_after(D("2027-11-30")) == D("2028-02-29")
    assert lifecycle.three_months_after(D("2026-03-15")) == D("2026-06-15")


def test_rename_page_refuses_a_too_old_event_and_bad_evidence(
    client, enterprise_user, cert, time_machine, tmp_path
):
    at(time_machine, "2026-12-10")
    client.force_login(enterprise_user)
    url = f"/enterprise/certificates/{cert.pk}/changes/new/"
    assert client.get(url + "?kind=rename").status_code == 200
    response = client.post(
        url,
        {
            "kind": "rename",
            "new_name": NEW_NAME,
            "event_date": "2026-09-01",
            "evidence": evidence(),
            "confirm": "1",
        },
    )
    assert response.status_code == 400 and "已超过三个月" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "rename",
            "new_name": NEW_NAME,
            "event_date": "2026-11-01",
            "evidence": evidence(b"<html>%PDF-1.4 %%EOF</html>", "x.pdf"),
            "confirm": "1",
        },
    )
    assert response.status_code == 400 and "不是 PDF" in response.content.decode()
    response = client.post(
        url, {"kind": "rename", "new_name": NEW_NAME, "event_date": "2026-11-01", "evidence": evidence()}
    )  # no confirmation
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))
    response = client.post(
        url,
        {
            "kind": "rename",
            "new_name": NEW_NAME,
            "event_date": "2026-11-01",
            "evidence": evidence(),
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().new_name == NEW_NAME
    assert len(list(tmp_path.rglob("*.pdf"))) == 1
    # One change at a time.
    response = client.post(
        url,
        {
            "kind": "merger",
            "description": "并购天津某某有限公司的全部股权。",
            "event_date": "2026-11-01",
            "evidence": evidence(),
            "confirm": "1",
            **FACTS_FORM,
        },
    )
    assert response.status_code == 409 and ChangeRequest.objects.count() == 1


def test_rename_input_checks(enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    with pytest.raises(InvalidInput) as exc:
        lifecycle.rename_request(
            certificate=cert,
            by=enterprise_user,
            new_name=cert.enterprise_name,
            evidence=None,
            event_date=D("2026-10-02"),
        )
    assert set(exc.value.errors) == {"new_name", "evidence", "event_date"}


# --- Publicity and completion ------------------------------------------------------------------


@pytest.fixture
def requested(enterprise_user, cert, time_machine):
    at(time_machine, "2026-09-20")
    return rename(cert, enterprise_user)


def test_publish_ten_working_days_then_complete(
    client, official, enterprise_user, cert, requested, time_machine
):
    at(time_machine, "2026-09-28")
    client.force_login(official)
    detail = client.get(f"/district/changes/{requested.pk}/")
    assert detail.status_code == 200 and NEW_NAME in detail.content.decode()
    assert (
        client.post(f"/district/changes/{requested.pk}/publish/", {"start": "2026-09-27"}).status_code == 400
    )
    response = client.post(f"/district/changes/{requested.pk}/publish/", {"start": "2026-09-28"})
    assert response.status_code == 302
    requested.refresh_from_db()
    notice = requested.notice
    assert requested.status == "in_publicity" and notice.start == D("2026-09-28")
    assert notice.kind == "rename" and notice.entries.get().change == requested
    # 10 working days by the same calendar as the application publicity (National Day in between).
    assert notice.end == publicity_period(D("2026-09-28")).end == D("2026-10-15")
    assert notice.end_confirmed is True
    # Publishing again is a wrong status.
    assert (
        client.post(f"/district/changes/{requested.pk}/publish/", {"start": "2026-09-29"}).status_code == 409
    )

    # The public list of publicity shows the rename while it runs (the old address redirects there).
    client.logout()
    body = client.get("/rename-notices/", follow=True).content.decode()
    for text in (requested.old_name, NEW_NAME, cert.uscc, "2026-09-28", "2026-10-15"):
        assert text in body

    # On the last day of the publicity completion is refused; the day after it goes through.
    at(time_machine, "2026-10-15")
    client.force_login(official)
    assert client.post(f"/district/changes/{requested.pk}/complete/").status_code == 409
    with pytest.raises(ApplicationStateError):
        lifecycle.rename_complete(change=requested, by=official)
    at(time_machine, "2026-10-16")
    client.force_login(official)  # the session of two weeks ago has expired
    response = client.post(f"/district/changes/{requested.pk}/complete/")
    assert response.status_code == 302, response.content.decode()
    renewed = Certificate.objects.get(pk=cert.pk)
    assert (renewed.number, renewed.issued_on, renewed.valid_until) == (
        cert.number,
        cert.issued_on,
        cert.valid_until,
    )
    assert renewed.enterprise_name == NEW_NAME and renewed.version == 2
    old, new = CertificateVersion.objects.filter(certificate=cert).order_by("version")
    assert old.superseded_at is not None and old.enterprise_name == requested.old_name
    assert (new.version, new.enterprise_name, new.reason, new.superseded_at) == (2, NEW_NAME, "更名", None)
    enterprise_user.enterprise.refresh_from_db()
    assert enterprise_user.enterprise.name == NEW_NAME
    requested.refresh_from_db()
    assert requested.status == "approved" and requested.decided_by == official
    # Completing twice is a wrong status; the verification shows the new name.
    assert client.post(f"/district/changes/{requested.pk}/complete/").status_code == 409
    page = client.get(f"/district/changes/{requested.pk}/")
    assert "已通过" in page.content.decode()
    client.force_login(enterprise_user)
    body = client.get("/enterprise/certificates/").content.decode()
    assert "已作废" in body and NEW_NAME in body


def test_rename_end_moves_with_the_official_calendar(official, requested, time_machine):
    from workdays.arithmetic import Calendar
    from workdays.services import _build

    at(time_machine, "2026-09-28")
    lifecycle.rename_publish(change=requested, by=official, start=D("2026-09-28"))
    base = _build()
    extra_holiday = Calendar(
        overrides={**base.overrides, D("2026-10-12"): False}, official_years=base.official_years
    )
    notice = requested.notice
    # The rename's notice moves with the other notices (one recomputer for both kinds).
    assert recompute_notice_ends(extra_holiday) == [(notice.pk, D("2026-10-15"), D("2026-10-16"))]
    notice.refresh_from_db()
    assert notice.end == D("2026-10-16")
    assert recompute_notice_ends(extra_holiday) == []


def test_complete_before_publicity_is_409(official, requested, time_machine):
    at(time_machine, "2026-12-01")
    with pytest.raises(ApplicationStateError) as exc:
        lifecycle.rename_complete(change=requested, by=official)
    assert exc.value.status == "requested"


def test_district_may_refuse_a_rename(client, official, requested, time_machine):
    at(time_machine, "2026-09-28")
    client.force_login(official)
    assert client.post(f"/district/changes/{requested.pk}/reject/", {"note": ""}).status_code == 400
    assert (
        client.post(
            f"/district/changes/{requested.pk}/reject/", {"note": "新名称未完成工商变更登记。"}
        ).status_code
        == 302
    )
    requested.refresh_from_db()
    assert requested.status == "rejected"


# --- Major changes -----------------------------------------------------------------------------


def test_major_change_goes_to_recheck_and_flags(client, enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    client.force_login(enterprise_user)
    response = client.post(
        f"/enterprise/certificates/{cert.pk}/changes/new/",
        {
            "kind": "restructuring",
            "description": "公司完成资产重组，研发团队整体并入新公司。",
            "event_date": "2026-09-15",
            "evidence": evidence(),
            "confirm": "1",
            **FACTS_FORM,
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.kind, change.major_kind, change.status, change.reported_late) == (
        "major",
        "restructuring",
        "recheck",
        False,
    )
    cert.refresh_from_db()
    assert cert.revocation_flag == "重大变化待复核"


def test_a_late_major_change_is_taken_and_marked(enterprise_user, cert, time_machine):
    at(time_machine, "2027-01-10")
    change = major(cert, enterprise_user, event="2026-09-01")
    assert change.reported_late is True and change.status == "recheck"


def test_decide_keep_clears_the_flag(client, official, enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    change = major(cert, enterprise_user)
    client.force_login(official)
    assert (
        client.post(f"/district/changes/{change.pk}/decide/", {"keep": "keep"}).status_code == 400
    )  # no confirm
    response = client.post(f"/district/changes/{change.pk}/decide/", {"keep": "keep", "confirm": "1"})
    assert response.status_code == 302
    change.refresh_from_db()
    cert.refresh_from_db()
    assert change.status == "approved" and cert.revocation_flag == "" and cert.revoked_at is None
    assert (
        client.post(f"/district/changes/{change.pk}/decide/", {"keep": "keep", "confirm": "1"}).status_code
        == 409
    )


def test_decide_not_keep_revokes(client, official, enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    change = major(cert, enterprise_user, kind="main_business")
    client.force_login(official)
    # Revoking needs the reason.
    assert (
        client.post(
            f"/district/changes/{change.pk}/decide/", {"keep": "revoke", "note": "", "confirm": "1"}
        ).status_code
        == 400
    )
    cert.refresh_from_db()
    assert cert.revoked_at is None
    response = client.post(
        f"/district/changes/{change.pk}/decide/",
        {"keep": "revoke", "note": "转业后主营业务不在重点支持的高新技术领域内。", "confirm": "1"},
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    change.refresh_from_db()
    assert certificates.certificate_status(cert) == "revoked" and change.status == "rejected"
    assert "主营业务变更" in cert.revoked_reason and "重大变化待复核" not in cert.revocation_flag
    # A revoked certificate takes no further change.
    with pytest.raises(ApplicationStateError):
        rename(cert, enterprise_user, event="2026-09-20")


def test_major_change_service_checks(enterprise_user, other_enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    with pytest.raises(InvalidInput) as exc:
        lifecycle.major_change_report(
            certificate=cert,
            by=enterprise_user,
            kind="rename",
            description="短",
            evidence=evidence(b"not a pdf"),
            event_date=D("2026-09-01"),
            facts={},
        )
    assert set(exc.value.errors) == {"kind", "description", "evidence", "facts"}
    with pytest.raises(DomainPermissionDenied):
        major(cert, other_enterprise_user)
    assert not ChangeRequest.objects.exists()


# --- Who may open what -------------------------------------------------------------------------

DISTRICT_GETS = ["/district/certificates/", "/district/monitoring/missing/", "/district/changes/"]


@pytest.fixture
def pending(enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    return major(cert, enterprise_user)


def test_enterprise_pages_permissions(
    client, cert, pending, enterprise_user, other_enterprise_user, official, municipal_user, expert_user
):
    own = [
        f"/enterprise/certificates/{cert.pk}/changes/new/",
        f"/enterprise/certificates/{cert.pk}/monitoring/",
        f"/enterprise/changes/{pending.pk}/evidence/",
    ]
    client.force_login(enterprise_user)
    for url in ["/enterprise/certificates/", *own]:
        assert client.get(url).status_code == 200, url
    assert client.get(own[2])["Content-Type"] == "application/pdf"
    client.force_login(other_enterprise_user)
    for url in own:
        assert client.get(url).status_code == 404, url
    for user in (official, municipal_user, expert_user):
        client.force_login(user)
        for url in ["/enterprise/certificates/", *own]:
            assert client.get(url).status_code == 403, url
    client.logout()
    for url in ["/enterprise/certificates/", *own]:
        assert client.get(url)["Location"].startswith("/accounts/login/"), url


def test_district_pages_permissions(
    client, cert, pending, official, other_official, enterprise_user, municipal_user, expert_user
):
    detail = f"/district/changes/{pending.pk}/"
    posts = {
        f"/district/changes/{pending.pk}/publish/": {"start": "2026-10-08"},
        f"/district/changes/{pending.pk}/complete/": {},
        f"/district/changes/{pending.pk}/reject/": {"note": "x"},
        f"/district/changes/{pending.pk}/decide/": {"keep": "revoke", "note": "x", "confirm": "1"},
        f"/district/certificates/{cert.pk}/revoke/": {"ground": "fraud", "reason": "x", "confirm": "1"},
    }
    gets = [
        *DISTRICT_GETS,
        detail,
        f"/district/changes/{pending.pk}/evidence/",
        f"/district/certificates/{cert.pk}/revoke/",
    ]
    client.force_login(official)
    for url in gets:
        assert client.get(url).status_code == 200, url
    body = client.get("/district/certificates/").content.decode()
    assert cert.number in body and "重大变化待复核" in body
    assert cert.number in client.get("/district/changes/").content.decode()
    client.force_login(other_official)
    for url in gets[len(DISTRICT_GETS) :]:
        assert client.get(url).status_code == 404, url
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    for url in DISTRICT_GETS[:1] + DISTRICT_GETS[2:]:
        assert cert.number not in client.get(url).content.decode()
    for user in (enterprise_user, municipal_user, expert_user):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 403, url
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, url
    client.logout()
    for url in gets:
        assert client.get(url)["Location"].startswith("/accounts/login/"), url
    for url, data in posts.items():
        assert client.post(url, data)["Location"].startswith("/accounts/login/"), url
    # Nothing of the above changed anything.
    pending.refresh_from_db()
    cert.refresh_from_db()
    assert pending.status == "recheck" and cert.revoked_at is None


def test_the_old_rename_notices_address_redirects_to_the_publicity_list(client):
    response = client.get("/rename-notices/")
    assert response.status_code == 302 and response.url == "/publicity/?kind=rename"
    response = client.get(response.url)
    assert response.status_code == 200 and "目前没有正在公示的更名" in response.content.decode()


def test_certificate_list_search_and_filters(client, official, cert, time_machine):
    other = certificates.certificate_issue(
        by=official,
        application_ids=[
            ApplicationFactory(
                enterprise=EnterpriseFactory(name="滨海另一家", district=district("120116")),
                status="approved",
            ).pk
        ],
        issued_on=D("2023-01-05"),
    )[0]  # expired on 2026-01-04
    at(time_machine, "2026-10-01")
    client.force_login(official)
    assert other.number in client.get("/district/certificates/?status=expired").content.decode()
    assert cert.number not in client.get("/district/certificates/?status=expired").content.decode()
    body = client.get("/district/certificates/?status=valid").content.decode()
    assert cert.number in body and other.number not in body
    body = client.get("/district/certificates/", {"q": "另一家"}).content.decode()
    assert other.number in body and cert.number not in body
    body = client.get("/district/certificates/", {"q": cert.uscc.lower()}).content.decode()
    assert cert.number in body and other.number not in body
    assert client.get("/district/certificates/?status=revoked").content.decode().count("TJ20") == 0
