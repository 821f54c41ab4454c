"""A rename is publicised like a certification: a publicity notice of kind "rename",
online real-name objections with tracking numbers, closed by the sweep at its end, then reissued with
the same number (or refused on an upheld objection, the enterprise told)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.certificates import services as certificates
from certification.lifecycle import services as lifecycle
from certification.models import (
    Certificate,
    CertificateVersion,
    ChangeRequest,
    NoticeKind,
    Objection,
    ObjectionStatus,
    PublicityNotice,
)
from notifications.models import Notification
from notifications.sweep import sweep
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
BJ = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_NAME = "天津新名称科技股份有限公司"
REASON = "该企业新名称尚未完成工商变更登记，与营业执照不符。"


@pytest.fixture(autouse=True)
def _media_and_calendar(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    cache.clear()  # the working calendar and the objection rate limit


def at(time_machine, moment: str) -> None:
    time_machine.move_to(dt.datetime.fromisoformat(moment).replace(tzinfo=BJ), tick=False)


@pytest.fixture
def cert(official, enterprise_user, time_machine):
    at(time_machine, "2026-03-02 10:00")
    application = ApplicationFactory(enterprise=enterprise_user.enterprise, status="approved")
    return certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=D("2026-03-02")
    )[0]


@pytest.fixture
def published(client, official, enterprise_user, cert, time_machine) -> ChangeRequest:
    """Requested by the enterprise on 20 September, published by the district's page on 28 September
    (10 working days with National Day in between: the notice ends on 15 October)."""
    at(time_machine, "2026-09-20 10:00")
    change = lifecycle.rename_request(
        certificate=cert,
        by=enterprise_user,
        new_name=NEW_NAME,
        evidence=SimpleUploadedFile("营业执照变更.pdf", PDF, content_type="application/pdf"),
        event_date=D("2026-09-01"),
    )
    at(time_machine, "2026-09-28 10:00")
    client.force_login(official)
    response = client.post(reverse("districts:change_publish", args=[change.pk]), {"start": "2026-09-28"})
    assert response.status_code == 302
    client.logout()
    change.refresh_from_db()
    return change


def file_objection_online(client, notice: PublicityNotice, application_id: int) -> Objection:
    """The public form, as anyone would: the done page gives the tracking number."""
    response = client.post(
        reverse("objection_new", args=[notice.pk]),
        {"application": application_id, "name": "王五", "phone": "13800000000", "reason": REASON},
    )
    assert response.status_code == 302, response.content.decode()
    done = client.get(response["Location"]).content.decode()
    objection = Objection.objects.get()
    assert objection.tracking_number.startswith("YY") and objection.tracking_number in done
    return objection


def resolve_by_page(client, official, objection: Objection, decision: str, finding: str):  # type: ignore[no-untyped-def]
    client.force_login(official)
    prefix = f"o{objection.pk}"
    response = client.post(
        reverse("districts:objection_resolve", args=[objection.pk]),
        {f"{prefix}-decision": decision, f"{prefix}-finding": finding, f"{prefix}-confirm": "on"},
    )
    assert response.status_code == 302, response.content.decode()
    client.logout()


def track(client, objection: Objection) -> str:
    return client.get(reverse("objection_track"), {"number": objection.tracking_number}).content.decode()


def kinds(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def test_request_publish_objection_sweep_reissue(
    client, official, enterprise_user, cert, published, time_machine
):
    notice = published.notice
    assert (notice.kind, notice.start, notice.end, notice.status) == (
        NoticeKind.RENAME,
        D("2026-09-28"),
        D("2026-10-15"),
        "open",
    )
    entry = notice.entries.get()
    assert entry.change == published and entry.application_id == cert.application_id

    # The public list (the renames' filter, and the old address redirecting to it) and the API show it.
    at(time_machine, "2026-09-29 10:00")
    page = client.get("/rename-notices/", follow=True).content.decode()
    assert NEW_NAME in page and published.old_name in page and "提出异议" in page
    api = client.get("/api/v1/publicity/", {"kind": "rename"}).json()
    (shown,) = [e for e in api["results"] if e["notice"]["id"] == notice.pk]
    assert shown["notice"]["kind"] == "rename" and shown["new_name"] == NEW_NAME
    assert shown["change"] == published.pk

    # An objection filed online, with its tracking number; the public tracking page follows it.
    objection = file_objection_online(client, notice, cert.application_id)
    assert objection.entry.change_id == published.pk
    assert "待核实" in track(client, objection) and NEW_NAME in track(client, objection)

    # The district finds it unfounded during the publicity: the rename waits for the end.
    resolve_by_page(client, official, objection, "dismissed", "经核实，工商变更登记已完成。")
    published.refresh_from_db()
    assert published.status == "in_publicity"

    # The sweep: nothing on the last day, the notice closed and the certificate reissued the day after.
    at(time_machine, "2026-10-15 23:59")
    sweep()
    published.refresh_from_db()
    assert published.status == "in_publicity" and Certificate.objects.get(pk=cert.pk).version == 1
    at(time_machine, "2026-10-16 00:00")
    sweep()
    notice.refresh_from_db()
    published.refresh_from_db()
    assert notice.status == "closed" and notice.closed_by is None
    assert notice.entries.get().outcome == "passed"
    assert published.status == "approved" and published.decided_by is None
    renewed = Certificate.objects.get(pk=cert.pk)
    assert (renewed.number, renewed.issued_on, renewed.valid_until) == (
        cert.number,
        cert.issued_on,
        cert.valid_until,
    )
    assert renewed.enterprise_name == NEW_NAME and renewed.version == 2
    old, new = CertificateVersion.objects.filter(certificate=cert).order_by("version")
    assert old.superseded_at is not None and (new.enterprise_name, new.superseded_at) == (NEW_NAME, None)
    enterprise_user.enterprise.refresh_from_db()
    assert enterprise_user.enterprise.name == NEW_NAME
    assert "rename_reissued" in kinds(enterprise_user)
    assert "publicity_closed" in kinds(official)
    assert "异议不成立" in track(client, objection)
    # A second sweep changes nothing.
    sweep()
    assert Certificate.objects.get(pk=cert.pk).version == 2


def test_an_objection_open_at_the_end_waits_for_its_finding(
    client, official, enterprise_user, cert, published, time_machine
):
    notice = published.notice
    at(time_machine, "2026-10-09 10:00")
    objection = file_objection_online(client, notice, cert.application_id)
    at(time_machine, "2026-10-16 00:05")
    sweep()
    notice.refresh_from_db()
    published.refresh_from_db()
    assert notice.status == "closed" and notice.entries.get().outcome == "awaiting_finding"
    assert published.status == "in_publicity" and Certificate.objects.get(pk=cert.pk).version == 1
    client.force_login(official)
    page = client.get(reverse("districts:change_detail", args=[published.pk])).content.decode()
    assert "尚有异议待核实" in page
    client.logout()
    at(time_machine, "2026-10-16 10:00")
    resolve_by_page(client, official, objection, "dismissed", "经核实，异议不属实。")
    published.refresh_from_db()
    assert published.status == "approved" and published.decided_by == official
    assert Certificate.objects.get(pk=cert.pk).enterprise_name == NEW_NAME
    assert "rename_reissued" in kinds(enterprise_user)


def test_an_upheld_objection_refuses_the_rename_and_the_enterprise_is_told(
    client, official, enterprise_user, cert, published, time_machine
):
    notice = published.notice
    at(time_machine, "2026-10-09 10:00")
    # Filed through the API this time: the same objection, the same tracking numbers.
    response = client.post(
        f"/api/v1/publicity/{notice.pk}/objections/",
        {"application": cert.application_id, "name": "王五", "phone": "13800000000", "reason": REASON},
    )
    assert response.status_code == 201, response.content.decode()
    objection = Objection.objects.get(tracking_number=response.json()["tracking_number"])
    resolve_by_page(client, official, objection, "upheld", "新名称未完成工商变更登记。")
    published.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert published.status == "rejected" and objection.tracking_number in published.note
    assert notice.entries.get().outcome == "objection_upheld"
    assert "rename_refused" in kinds(enterprise_user)
    told = Notification.objects.get(user=enterprise_user, kind="rename_refused")
    assert "新名称未完成工商变更登记" in told.body and cert.number in told.body
    # The sweep at the end closes the notice; nothing is reissued.
    at(time_machine, "2026-10-16 00:00")
    sweep()
    notice.refresh_from_db()
    assert notice.status == "closed"
    unchanged = Certificate.objects.get(pk=cert.pk)
    assert unchanged.version == 1 and unchanged.enterprise_name == published.old_name
    enterprise_user.enterprise.refresh_from_db()
    assert enterprise_user.enterprise.name == published.old_name
    assert "异议成立" in track(client, objection)


def test_a_published_rename_is_refused_only_through_an_objection(official, published):
    from core.errors import ApplicationStateError

    with pytest.raises(ApplicationStateError):
        lifecycle.rename_reject(change=published, by=official, note="不予更名。")
