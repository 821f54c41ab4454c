"""Reports (举报): the public form, the tracking number, the district's finding and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import Report, ReportStatus
from audits.services.office import report_file, report_resolve
from audits.views import public as public_views
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from tests.audits import builders as b

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASON = "该企业申报材料中的知识产权并非自主取得，存在弄虚作假。"


@pytest.fixture
def certificate(official):
    return b.certificate(b.application("120116", status="certified"), dt.date(2026, 4, 1), official)


@pytest.fixture
def heping_certificate(other_official):
    return b.certificate(b.application("120101", status="certified"), dt.date(2026, 4, 1), other_official)


def _post(client, target: str, **extra):  # type: ignore[no-untyped-def]
    data = {"target": target, "name": "举报人张", "phone": "13912345678", "reason": REASON, **extra}
    return client.post("/reports/new/", data)


def test_public_files_a_report_and_gets_a_tracking_number(client, certificate):
    assert client.get("/reports/new/").status_code == 200
    evidence = SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf")
    response = _post(client, certificate.number.lower(), evidence=evidence)
    assert response.status_code == 302 and response["Location"] == "/reports/done/"
    report = Report.objects.get()
    assert report.certificate == certificate and report.district_id == certificate.district_id
    assert report.enterprise_id == certificate.enterprise_id and report.status == ReportStatus.OPEN
    assert report.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert re.fullmatch(r"JB[A-Z2-9]{10}", report.tracking_number)
    body = client.get("/reports/done/").content.decode()
    assert report.tracking_number in body
    # By credit code as well.
    assert _post(client, certificate.uscc).status_code == 302
    # The phone number is not in the history tables.
    assert not hasattr(report.history.first(), "reporter_phone")


def test_bad_input_is_400_and_nothing_saved(client, certificate):
    assert _post(client, "TJ00000000000000").status_code == 400  # no such certificate
    assert _post(client, certificate.number, reason="太短").status_code == 400
    assert _post(client, certificate.number, phone="abc").status_code == 400
    fake = SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")
    response = _post(client, certificate.number, evidence=fake)
    assert response.status_code == 400 and "只接受 PDF 文件" in response.content.decode()
    assert not Report.objects.exists()


def test_honeypot_and_revoked_certificates(client, certificate, official):
    assert _post(client, certificate.number, website="http://spam").status_code == 400
    assert not Report.objects.exists()
    certificate.revoked_at = b.at("2026-05-01 10:00")
    certificate.save()
    assert _post(client, certificate.number).status_code == 400
    with pytest.raises(ApplicationStateError):
        report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)


def test_rate_limit_per_address(client, certificate, monkeypatch):
    monkeypatch.setattr(public_views.ReportRateThrottle, "rate", "2/hour")
    assert _post(client, certificate.number).status_code == 302
    assert _post(client, certificate.number).status_code == 302
    response = _post(client, certificate.number)
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert Report.objects.count() == 2


def test_tracking_shows_status_and_finding_never_the_reporter(client, certificate, official):
    report = report_file(certificate=certificate, name="举报人张", phone="13912345678", reason=REASON)
    body = client.get("/reports/track/", {"number": report.tracking_number.lower()}).content.decode()
    assert "待核查" in body and "举报人张" not in body and "13912345678" not in body
    report_resolve(report=report, by=official, upheld=False, finding="经核查，知识产权系受让取得，手续完备。")
    body = client.get("/reports/track/", {"number": report.tracking_number}).content.decode()
    assert "举报不属实" in body and "手续完备" in body
    assert client.get("/reports/track/", {"number": "JBNOSUCH0000"}).status_code == 404


def test_district_handles_its_reports_and_revokes(
    client, certificate, heping_certificate, official, other_official
):
    mine = report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON, evidence=None)
    theirs = report_file(certificate=heping_certificate, name="乙", phone="13900000001", reason=REASON)
    client.force_login(official)
    body = client.get("/district/reports/").content.decode()
    assert mine.tracking_number in body and theirs.tracking_number not in body
    assert client.get(f"/district/reports/{theirs.pk}/").status_code == 404
    detail = client.get(f"/district/reports/{mine.pk}/").content.decode()
    assert "13900000000" in detail and 'name="decision"' in detail  # the official sees who reported
    # Revoking needs an upheld finding; a missing confirmation is a 400.
    response = client.post(
        f"/district/reports/{mine.pk}/",
        {"decision": "dismissed", "finding": "不属实", "revoke": "on", "confirm": "on"},
    )
    assert response.status_code == 400 and "只有举报属实时才能撤销证书" in response.content.decode()
    assert (
        client.post(f"/district/reports/{mine.pk}/", {"decision": "upheld", "finding": "属实"}).status_code
        == 400
    )
    response = client.post(
        f"/district/reports/{mine.pk}/",
        {"decision": "upheld", "finding": "经实地核查，专利系伪造。", "revoke": "on", "confirm": "on"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    certificate.refresh_from_db()
    assert mine.status == ReportStatus.UPHELD and mine.certificate_revoked and mine.decided_by == official
    assert certificate.revoked_at is not None and "专利系伪造" in certificate.revoked_reason
    assert mine.tracking_number in certificate.revoked_reason
    # Decided once.
    again = client.post(
        f"/district/reports/{mine.pk}/", {"decision": "dismissed", "finding": "改判", "confirm": "on"}
    )
    assert again.status_code == 409
    client.force_login(other_official)
    assert (
        client.post(
            f"/district/reports/{mine.pk}/", {"decision": "dismissed", "finding": "x", "confirm": "on"}
        ).status_code
        == 404
    )


def test_upheld_without_revocation_keeps_the_certificate(certificate, official):
    report = report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)
    report_resolve(report=report, by=official, upheld=True, finding="部分属实，责令整改。")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    with pytest.raises(ApplicationStateError):
        report_resolve(report=report, by=official, upheld=True, finding="再次", revoke=True)


def test_only_the_districts_official_resolves(certificate, other_official, municipal_user):
    report = report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)
    for user in (other_official, municipal_user):
        with pytest.raises(DomainPermissionDenied):
            report_resolve(report=report, by=user, upheld=False, finding="x")
    with pytest.raises(InvalidInput):
        report_resolve(report=report, by=other_official, upheld=False, finding="  ")


def test_evidence_download_is_the_districts_and_the_offices(
    client, certificate, official, other_official, municipal_user
):
    evidence = SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf")
    report = report_file(
        certificate=certificate, name="甲", phone="13900000000", reason=REASON, evidence=evidence
    )
    client.force_login(official)
    response = client.get(f"/district/reports/{report.pk}/evidence/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(municipal_user)
    assert client.get(f"/municipal/reports/{report.pk}/evidence/").status_code == 200
    client.force_login(other_official)
    assert client.get(f"/district/reports/{report.pk}/evidence/").status_code == 404


def test_office_sees_every_report_read_only(
    client, certificate, heping_certificate, municipal_user, official
):
    a = report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)
    b_ = report_file(certificate=heping_certificate, name="乙", phone="13900000001", reason=REASON)
    client.force_login(municipal_user)
    body = client.get("/municipal/reports/").content.decode()
    assert a.tracking_number in body and b_.tracking_number in body
    body = client.get("/municipal/reports/", {"district": "120101"}).content.decode()
    assert a.tracking_number not in body and b_.tracking_number in body
    detail = client.get(f"/municipal/reports/{a.pk}/").content.decode()
    assert 'name="decision"' not in detail
    assert client.post(f"/municipal/reports/{a.pk}/", {"decision": "upheld"}).status_code == 405
    client.force_login(official)
    assert client.get("/municipal/reports/").status_code == 403


def test_report_lists_query_count_is_constant(client, certificate, official, municipal_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)
    client.force_login(official)
    district_few = count("/district/reports/")
    client.force_login(municipal_user)
    office_few = count("/municipal/reports/")
    for i in range(8):
        other = b.certificate(b.application("120116", status="certified"), dt.date(2026, 4, 2), official)
        report_file(certificate=other, name=f"人{i}", phone="13900000000", reason=REASON)
    assert count("/municipal/reports/") == office_few
    client.force_login(official)
    assert count("/district/reports/") == district_few


def test_report_and_objection_share_the_real_name_checks(
    certificate, official, time_machine, settings, tmp_path
):
    """One helper (core.real_name) checks both: the same fields answer the same messages."""
    from certification.models import Objection
    from certification.publicity import services as publicity
    from tests.factories import ApplicationFactory

    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    app = ApplicationFactory(status="recommended")
    notice = publicity.publicity_publish(by=official, application_ids=[app.pk], start=dt.date(2026, 9, 28))
    bad = {
        "name": " ",
        "phone": "电话",
        "reason": "短",
        "evidence": SimpleUploadedFile("x.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf"),
    }
    with pytest.raises(InvalidInput) as as_report:
        report_file(certificate=certificate, **bad)
    bad["evidence"].seek(0)
    with pytest.raises(InvalidInput) as as_objection:
        publicity.objection_file(entry=notice.entries.get(), **bad)
    assert (
        set(as_report.value.errors)
        == set(as_objection.value.errors)
        == {"name", "phone", "reason", "evidence"}
    )
    for key in ("name", "phone", "evidence"):
        assert as_report.value.errors[key] == as_objection.value.errors[key]
    assert (
        "举报事项" in as_report.value.errors["reason"][0]
        and "异议理由" in as_objection.value.errors["reason"][0]
    )
    assert not Report.objects.exists() and not Objection.objects.exists()
    # Good input is stripped the same way by both.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    report = report_file(
        certificate=certificate,
        name=" 甲 ",
        phone=" 13900000000 ",
        reason=REASON,
        evidence=SimpleUploadedFile("e.pdf", pdf, content_type="application/pdf"),
    )
    objection = publicity.objection_file(
        entry=notice.entries.get(),
        name=" 甲 ",
        phone=" 13900000000 ",
        reason=REASON,
        evidence=SimpleUploadedFile("e.pdf", pdf, content_type="application/pdf"),
    )
    assert (
        (report.reporter_name, report.reporter_phone)
        == (objection.name, objection.phone)
        == ("甲", "13900000000")
    )
    assert report.evidence_sha256 == objection.evidence_sha256 == hashlib.sha256(pdf).hexdigest()


def test_tracking_numbers_skip_a_taken_one_and_never_reuse_it(
    certificate, official, monkeypatch, time_machine, settings, tmp_path
):
    """Both real-name submissions get their number from core.real_name.unique_tracking_number:
    a number already taken is skipped; when every try collides, nothing is saved and the error says so."""
    from certification.models import Objection
    from certification.publicity import services as publicity
    from core import real_name
    from tests.factories import ApplicationFactory

    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    app = ApplicationFactory(status="recommended")
    notice = publicity.publicity_publish(by=official, application_ids=[app.pk], start=dt.date(2026, 9, 28))
    entry = notice.entries.get()
    monkeypatch.setattr(real_name, "new_tracking_number", lambda prefix: prefix + "TAKEN00000")
    first = report_file(certificate=certificate, name="甲", phone="13900000000", reason=REASON)
    objection = publicity.objection_file(entry=entry, name="甲", phone="13900000000", reason=REASON)
    assert (first.tracking_number, objection.tracking_number) == ("JBTAKEN00000", "YYTAKEN00000")

    # Every try now draws a taken number: a clear error, not a second row with the same number.
    with pytest.raises(real_name.TrackingNumbersExhausted, match="5 JB tracking numbers"):
        report_file(certificate=certificate, name="乙", phone="13900000001", reason=REASON)
    with pytest.raises(real_name.TrackingNumbersExhausted, match="5 YY tracking numbers"):
        publicity.objection_file(entry=entry, name="乙", phone="13900000001", reason=REASON)
    assert Report.objects.count() == 1 and Objection.objects.count() == 1

    # A collision on the first try is skipped: the second number is used.
    numbers = iter(["JBTAKEN00000", "JBFRESH00000"])
    monkeypatch.setattr(real_name, "new_tracking_number", lambda prefix: next(numbers))
    second = report_file(certificate=certificate, name="乙", phone="13900000001", reason=REASON)
    assert second.tracking_number == "JBFRESH00000"


def test_new_tracking_numbers_have_their_prefix_and_alphabet():
    from core.real_name import TRACKING_ALPHABET, new_tracking_number

    number = new_tracking_number("JB")
    assert len(number) == 12 and number.startswith("JB")
    assert set(number[2:]) <= set(TRACKING_ALPHABET)
