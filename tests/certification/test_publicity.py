"""Publicity, objections, closing, filing and the municipal audit through the API of docs/api.md."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tokens import issue as issue_token
from certification.models import ApplicationStatus, EntryOutcome, Objection, PublicityNotice
from certification.publicity import services as publicity
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_user(client, user):
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture(autouse=True)
def _no_throttle_history():
    from django.core.cache import cache

    cache.clear()  # the objection rate limit counts per address in the shared cache


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))
    return dt.date(2026, 9, 28)


@pytest.fixture
def recommended():
    binhai = district("120116")
    return [
        ApplicationFactory(
            enterprise=EnterpriseFactory(name=f"拟推荐企业{i}", district=binhai),
            status=ApplicationStatus.RECOMMENDED,
        )
        for i in range(3)
    ]


def publish(client, official, apps, start="2026-09-28"):
    return as_user(client, official).post(
        "/api/v1/publicity/",
        {"applications": [a.pk for a in apps], "start": start},
        content_type="application/json",
    )


def test_publish_ten_working_days(client, official, recommended, today):
    response = publish(client, official, recommended)
    assert response.status_code == 201, response.json()
    # docs/api.md: 2026-09-28 + 10 working days (National Day in between) = 2026-10-15.
    assert response.json()["end"] == "2026-10-15" and response.json()["end_confirmed"] is True
    for app in recommended:
        app.refresh_from_db()
        assert app.status == "in_publicity"
    listing = as_user(client, None).get("/api/v1/publicity/").json()
    assert listing["count"] == 3 and listing["next"] is None
    entry = listing["results"][0]
    assert set(entry) >= {"enterprise_name", "uscc", "district", "field"}
    assert entry["notice"]["start"] == "2026-09-28" and entry["notice"]["end"] == "2026-10-15"


def test_publish_refuses_past_start_and_wrong_status(client, official, recommended, today, enterprise_user):
    assert publish(client, official, recommended, start="2026-09-27").status_code == 400
    draft = ApplicationFactory(enterprise=EnterpriseFactory(district=district("120116")), status="reviewed")
    response = publish(client, official, [*recommended, draft])
    assert response.status_code == 409 and response.json()["status"] == "reviewed"
    assert not PublicityNotice.objects.exists()
    for app in recommended:
        app.refresh_from_db()
        assert app.status == "recommended"


def test_publish_other_districts_application_is_400(client, other_official, recommended, today):
    assert publish(client, other_official, recommended).status_code == 400


def test_only_officials_publish(client, municipal_user, recommended, today):
    assert publish(client, municipal_user, recommended).status_code == 403
    assert publish(client, None, recommended).status_code == 401


def file_objection(client, notice_id, app_id, **extra):
    data = {
        "application": app_id,
        "name": "王五",
        "phone": "13800000000",
        "reason": "该企业的知识产权并非自主研发，有合同为证。",
        **extra,
    }
    return as_user(client, None).post(f"/api/v1/publicity/{notice_id}/objections/", data)


def test_objection_lifecycle_dismissed_entry_continues(
    client, official, recommended, today, settings, tmp_path, time_machine
):
    settings.MEDIA_ROOT = tmp_path
    notice_id = publish(client, official, recommended).json()["id"]
    evidence = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    response = file_objection(client, notice_id, recommended[0].pk, evidence=evidence)
    assert response.status_code == 201, response.json()
    tracking = response.json()["tracking_number"]
    tracked = as_user(client, None).get(f"/api/v1/objections/track/{tracking}/").json()
    assert tracked["status"] == "open" and "王五" not in str(tracked) and "13800000000" not in str(tracked)
    # Only the district and the office see identities.
    listed = as_user(client, official).get("/api/v1/objections/").json()["results"]
    assert listed[0]["name"] == "王五"
    # Closing before the end is refused; after the end the entry waits for the finding.
    assert as_user(client, official).post(f"/api/v1/publicity/{notice_id}/close/").status_code == 409
    time_machine.move_to(dt.datetime(2026, 10, 16, 9, 0, tzinfo=BJ))
    closed = as_user(client, official).post(f"/api/v1/publicity/{notice_id}/close/")
    assert closed.status_code == 200
    outcomes = {e["application"]: e["outcome"] for e in closed.json()["entries"]}
    assert outcomes[recommended[0].pk] == "awaiting_finding" and outcomes[recommended[1].pk] == "passed"
    recommended[0].refresh_from_db()
    assert recommended[0].status == "in_publicity"
    # Closing again: 200, nothing more happens.
    assert as_user(client, official).post(f"/api/v1/publicity/{notice_id}/close/").status_code == 200
    objection = Objection.objects.get(tracking_number=tracking)
    response = as_user(client, official).post(
        f"/api/v1/objections/{objection.pk}/resolve/",
        {"upheld": False, "finding": "经核实，专利为企业自主研发。"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    recommended[0].refresh_from_db()
    assert recommended[0].status == "publicity_passed"
    assert as_user(client, None).get(f"/api/v1/objections/track/{tracking}/").json()["finding"]


def test_upheld_objection(client, official, recommended, today):
    notice_id = publish(client, official, recommended).json()["id"]
    tracking = file_objection(client, notice_id, recommended[2].pk).json()["tracking_number"]
    objection = Objection.objects.get(tracking_number=tracking)
    response = as_user(client, official).post(
        f"/api/v1/objections/{objection.pk}/resolve/",
        {"upheld": True, "finding": "异议属实。"},
        content_type="application/json",
    )
    assert response.status_code == 200
    recommended[2].refresh_from_db()
    assert recommended[2].status == "objection_upheld"
    assert (
        objection.entry.__class__.objects.get(pk=objection.entry_id).outcome == EntryOutcome.OBJECTION_UPHELD
    )


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"name": ""}, "name"),
        ({"phone": "abc"}, "phone"),
        ({"reason": "短"}, "reason"),
        (
            {
                "evidence": SimpleUploadedFile(
                    "x.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf"
                )
            },
            "evidence",
        ),
    ],
)
def test_bad_objection_is_400_and_saves_nothing(
    client, official, recommended, today, extra, key, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    notice_id = publish(client, official, recommended).json()["id"]
    response = file_objection(client, notice_id, recommended[0].pk, **extra)
    assert response.status_code == 400 and key in response.json()
    assert not Objection.objects.exists()


def test_honeypot_and_rate_limit(client, official, recommended, today, monkeypatch):
    from certification.publicity.api.views import ObjectionRateThrottle

    notice_id = publish(client, official, recommended).json()["id"]
    assert file_objection(client, notice_id, recommended[0].pk, website="http://spam").status_code == 400
    assert not Objection.objects.exists()
    monkeypatch.setattr(ObjectionRateThrottle, "rate", "2/hour")
    from django.core.cache import cache

    cache.clear()
    codes = [file_objection(client, notice_id, recommended[0].pk).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_objection_outside_the_period_is_409(client, official, recommended, today, time_machine):
    notice_id = publish(client, official, recommended, start="2026-09-29").json()["id"]
    assert file_objection(client, notice_id, recommended[0].pk).status_code == 409  # not yet started
    time_machine.move_to(dt.datetime(2026, 10, 17, 9, 0, tzinfo=BJ))
    assert file_objection(client, notice_id, recommended[0].pk).status_code == 409  # ended


def test_scheduler_closes_the_day_after_and_is_idempotent(official, recommended, today):
    notice = publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in recommended], start=dt.date(2026, 9, 28)
    )
    assert publicity.close_due_notices(today=dt.date(2026, 10, 15)) == []
    assert publicity.close_due_notices(today=dt.date(2026, 10, 16)) == [notice.pk]
    assert publicity.close_due_notices(today=dt.date(2026, 10, 16)) == []
    statuses = {a.pk: a.status for a in recommended}
    for app in recommended:
        app.refresh_from_db()
        statuses[app.pk] = app.status
    assert set(statuses.values()) == {"publicity_passed"}
    assert all(a.transitions.filter(to_status="publicity_passed").count() == 1 for a in recommended)


def test_objection_visibility(
    client, official, other_official, municipal_user, enterprise_user, recommended, today
):
    notice_id = publish(client, official, recommended).json()["id"]
    file_objection(client, notice_id, recommended[0].pk)
    assert as_user(client, other_official).get("/api/v1/objections/").json()["count"] == 0
    assert as_user(client, municipal_user).get("/api/v1/objections/").json()["count"] == 1
    assert as_user(client, enterprise_user).get("/api/v1/objections/").status_code == 403
    objection = Objection.objects.get()
    assert (
        as_user(client, other_official)
        .post(
            f"/api/v1/objections/{objection.pk}/resolve/",
            {"upheld": True, "finding": "x"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert as_user(client, None).get("/api/v1/objections/track/NOPE123/").status_code == 404


def test_filing_and_municipal_decision(client, official, municipal_user, recommended, today):
    notice = publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in recommended], start=dt.date(2026, 9, 28)
    )
    publicity.notice_close(notice=notice, by=official, today=dt.date(2026, 10, 16))
    ids = [a.pk for a in recommended]
    assert (
        as_user(client, municipal_user)
        .post("/api/v1/filings/", {"applications": ids}, content_type="application/json")
        .status_code
        == 403
    )
    response = as_user(client, official).post(
        "/api/v1/filings/", {"applications": ids}, content_type="application/json"
    )
    assert response.status_code == 201
    filing_id = response.json()["id"]
    # The office: one approved, one returned without a reason (400), then with one.
    bad = as_user(client, municipal_user).post(
        f"/api/v1/filings/{filing_id}/decide/",
        {
            "decisions": [
                {"application": ids[0], "approved": True},
                {"application": ids[1], "approved": False},
            ]
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "decisions[1].reason" in bad.json()
    ok = as_user(client, municipal_user).post(
        f"/api/v1/filings/{filing_id}/decide/",
        {
            "decisions": [
                {"application": ids[0], "approved": True},
                {"application": ids[1], "approved": False, "reason": "研发费用归集不规范"},
                {"application": ids[2], "approved": True},
            ]
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "decided"
    statuses = []
    for app in recommended:
        app.refresh_from_db()
        statuses.append(app.status)
    assert statuses == ["approved", "filing_returned", "approved"]
    again = as_user(client, municipal_user).post(
        f"/api/v1/filings/{filing_id}/decide/",
        {"decisions": [{"application": ids[0], "approved": False, "reason": "x"}]},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert (
        as_user(client, official)
        .post(
            f"/api/v1/filings/{filing_id}/decide/",
            {"decisions": [{"application": ids[0], "approved": True}]},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_filing_requires_publicity_passed(client, official, recommended, today):
    response = as_user(client, official).post(
        "/api/v1/filings/", {"applications": [recommended[0].pk]}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["status"] == "recommended"


def test_tracking_does_not_use_up_the_objection_allowance(
    client, official, recommended, today, settings, tmp_path
):
    """Five lookups of a tracking number, then an objection from the same address: still accepted."""
    settings.MEDIA_ROOT = tmp_path
    notice_id = publish(client, official, recommended).json()["id"]
    first = file_objection(client, notice_id, recommended[0].pk)
    assert first.status_code == 201, first.json()
    tracking = first.json()["tracking_number"]
    for _ in range(6):
        assert as_user(client, None).get(f"/api/v1/objections/track/{tracking}/").status_code == 200
    second = file_objection(client, notice_id, recommended[1].pk)
    assert second.status_code == 201, second.json()
