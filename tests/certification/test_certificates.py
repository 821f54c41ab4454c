import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.tokens import issue as issue_token
from certification.certificates import services as certificates
from certification.models import Certificate
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("issued", "until"),
    [
        ("2026-12-01", "2029-11-30"),
        ("2028-02-29", "2031-02-28"),
        ("2027-03-01", "2030-02-28"),
        ("2027-01-01", "2029-12-31"),
        ("2029-03-01", "2032-02-29"),
    ],
)
def test_valid_through_the_day_before_the_third_anniversary(issued, until):
    assert certificates.valid_until(D(issued)) == D(until)


def test_number_format():
    assert certificates.certificate_number(2026, "120116", 7) == "TJ20261201160007"
    assert certificates.parse_number(" tj20261201160007 ") == "TJ20261201160007"
    assert certificates.parse_number("TJ2026120116007") is None
    with pytest.raises(ValueError):
        certificates.certificate_number(2026, "120116", 10000)


def as_user(client, user):
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
    return client


@pytest.fixture
def approved():
    binhai = district("120116")
    return [
        ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="approved") for _ in range(3)
    ]


def test_issue_numbers_gap_free_per_district_and_year(client, official, approved, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    response = as_user(client, official).post(
        "/api/v1/certificates/issue/",
        {"applications": [a.pk for a in approved[:2]]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [c["number"] for c in body] == ["TJ20261201160001", "TJ20261201160002"]
    assert body[0]["valid_until"] == "2029-11-30" and body[0]["issued_on"] == "2026-12-01"
    response = as_user(client, official).post(
        "/api/v1/certificates/issue/", {"applications": [approved[2].pk]}, content_type="application/json"
    )
    assert response.json()[0]["number"] == "TJ20261201160003"
    approved[0].refresh_from_db()
    assert approved[0].status == "certified"


def test_failed_issue_uses_no_number(client, official, approved):
    not_ready = ApplicationFactory(enterprise=EnterpriseFactory(district=district("120116")), status="filed")
    response = as_user(client, official).post(
        "/api/v1/certificates/issue/",
        {"applications": [approved[0].pk, not_ready.pk]},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["status"] == "filed"
    assert not Certificate.objects.exists()
    response = as_user(client, official).post(
        "/api/v1/certificates/issue/", {"applications": [approved[0].pk]}, content_type="application/json"
    )
    assert response.json()[0]["number"].endswith("0001")


@pytest.mark.parametrize("person", ["enterprise_user", "municipal_user", "expert_user"])
def test_only_district_officials_issue(client, request, approved, person):
    response = as_user(client, request.getfixturevalue(person)).post(
        "/api/v1/certificates/issue/", {"applications": [approved[0].pk]}, content_type="application/json"
    )
    assert response.status_code == 403


def test_other_district_cannot_issue(client, other_official, approved):
    response = as_user(client, other_official).post(
        "/api/v1/certificates/issue/", {"applications": [approved[0].pk]}, content_type="application/json"
    )
    assert response.status_code == 400 and not Certificate.objects.exists()


def test_verify(client, official, approved, time_machine):
    from django.core.cache import cache

    cache.clear()
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    cert = certificates.certificate_issue(by=official, application_ids=[approved[0].pk])[0]
    answer = as_user(client, None).get(f"/api/v1/certificates/verify/{cert.number}/").json()
    assert answer == {
        "number": cert.number,
        "enterprise_name": approved[0].enterprise.name,
        "uscc": approved[0].enterprise.uscc,
        "district": "滨海新区",
        "issued_on": "2026-12-01",
        "valid_until": "2029-11-30",
        "status": "valid",
    }
    time_machine.move_to(dt.datetime(2029, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert client.get(f"/api/v1/certificates/verify/{cert.number}/").json()["status"] == "expired"
    certificates.certificate_revoke(certificate=cert, by=official, reason="申请材料弄虚作假")
    assert client.get(f"/api/v1/certificates/verify/{cert.number}/").json()["status"] == "revoked"
    missing = client.get("/api/v1/certificates/verify/TJ20261201169999/")
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}
    assert client.get("/api/v1/certificates/verify/whatever/").status_code == 404


def test_verify_is_rate_limited(client, monkeypatch):
    from django.core.cache import cache

    from certification.certificates.api.views import VerifyRateThrottle

    cache.clear()
    monkeypatch.setattr(VerifyRateThrottle, "rate", "3/min")
    codes = [client.get("/api/v1/certificates/verify/TJ20261201160001/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_revoked_enterprise_cannot_apply_again_the_same_year(client, official, approved, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    cert = certificates.certificate_issue(by=official, application_ids=[approved[0].pk])[0]
    certificates.certificate_revoke(certificate=cert, by=official, reason="申请材料弄虚作假")
    user = UserFactory(role="enterprise", enterprise=approved[0].enterprise)
    response = as_user(client, user).post("/api/v1/applications/", {}, content_type="application/json")
    assert response.status_code == 409 and "撤销" in response.json()["detail"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_issues_keep_numbers_unique_and_gap_free():
    """Twenty officials of one district issue at the same moment on real PostgreSQL."""
    binhai = district("120116")
    officials = [UserFactory(role="district", district=binhai) for _ in range(20)]
    apps = [
        ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="approved")
        for _ in range(20)
    ]
    barrier = threading.Barrier(20)
    errors: list[Exception] = []

    def issue(official, app):
        barrier.wait()
        try:
            certificates.certificate_issue(by=official, application_ids=[app.pk])
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(officials[i], apps[i])) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    serials = sorted(int(n[-4:]) for n in Certificate.objects.values_list("number", flat=True))
    assert serials == list(range(1, 21))
