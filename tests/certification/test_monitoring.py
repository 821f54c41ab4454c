"""Monitoring reports (统计监测): periods owed, filing, the district's missing list, the revocation flag."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.certificates import services as certificates
from certification.lifecycle import services as lifecycle
from certification.lifecycle.tasks import flag_missing_reports
from certification.models import Certificate, MonitoringReport
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
BJ = dt.timezone(dt.timedelta(hours=8))
GOOD = {"revenue": "12345678.90", "rd_expense": "1234567.00", "staff_total": "120", "new_ip_count": "3"}


def at(time_machine, day: str) -> dt.date:
    time_machine.move_to(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=BJ), tick=False)
    return D(day)


def issue(official, *, enterprise=None, issued_on="2026-12-01") -> Certificate:
    enterprise = enterprise or EnterpriseFactory(district=official.district)
    application = ApplicationFactory(enterprise=enterprise, status="approved")
    return certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=D(issued_on)
    )[0]


def file(certificate, user, kind, period, **data):
    return lifecycle.monitoring_report_file(
        certificate=certificate, by=user, kind=kind, period=period, data={**GOOD, **data}
    )


def keys(periods) -> list[str]:
    return [p.period if p.kind == "half_year" else f"Y{p.period}" for p in periods]


# --- Periods (pure) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # Issued on 1 January: the year's periods start that day, so they are owed.
        ("2027-01-01", ["2027H1", "Y2027", "2028H1", "Y2028", "2029H1"]),
        # One day later both 2027 periods started before the issue: the first owed is 2028H1.
        ("2027-01-02", ["2028H1", "Y2028", "2029H1"]),
        ("2026-12-01", ["2027H1", "Y2027", "2028H1", "Y2028", "2029H1"]),
        # Valid through 2030-01-31: the 2029 annual report, due that very day, is within the validity.
        ("2027-02-01", ["2028H1", "Y2028", "2029H1", "Y2029"]),
        # Valid through 2029-06-30: 2029H1 (due 31 July) falls after the validity.
        ("2026-07-01", ["2027H1", "Y2027", "2028H1", "Y2028"]),
        # Valid through 2029-07-31: 2029H1 is due on the last day of the validity.
        ("2026-08-01", ["2027H1", "Y2027", "2028H1", "Y2028", "2029H1"]),
    ],
)
def test_periods_owed_within_the_validity(issued, expected):
    issued_on = D(issued)
    until = certificates.valid_until(issued_on)
    assert keys(lifecycle.periods_within_validity(issued_on, until)) == expected
    assert keys(lifecycle.report_periods(issued_on, until, D("2035-01-01"))) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2027-06-30", []),
        ("2027-07-01", ["2027H1"]),
        ("2027-12-31", ["2027H1"]),
        ("2028-01-01", ["2027H1", "Y2027"]),
        ("2028-07-01", ["2027H1", "Y2027", "2028H1"]),
    ],
)
def test_a_period_can_be_filed_once_it_is_over(today, expected):
    assert keys(lifecycle.report_periods(D("2027-01-01"), D("2029-12-31"), D(today))) == expected


def test_due_dates_and_overdue_day():
    h1, annual = lifecycle.periods_of_year(2027)
    assert (h1.starts_on, h1.ends_on, h1.due_on) == (D("2027-01-01"), D("2027-06-30"), D("2027-07-31"))
    assert (annual.starts_on, annual.ends_on, annual.due_on) == (
        D("2027-01-01"),
        D("2027-12-31"),
        D("2028-01-31"),
    )
    assert not h1.is_missing_on(D("2027-07-31")) and h1.is_missing_on(D("2027-08-01"))
    assert not annual.is_missing_on(D("2028-01-31")) and annual.is_missing_on(D("2028-02-01"))


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        ("annual", "2027H1"),
        ("half_year", "2027"),
        ("half_year", "27H1"),
        ("quarter", "2027"),
        ("annual", "abcd"),
        ("annual", ""),
    ],
)
def test_bad_periods_parse_to_none(kind, period):
    assert lifecycle.parse_period(kind, period) is None


# --- Filing -------------------------------------------------------------------------------------


@pytest.fixture
def cert(official, enterprise_user):
    return issue(official, enterprise=enterprise_user.enterprise, issued_on="2026-12-01")


def page(cert) -> str:
    return f"/enterprise/certificates/{cert.pk}/monitoring/"


def post_report(client, cert, report="half_year:2027H1", **data):
    return client.post(page(cert), {"report": report, **GOOD, "confirm": "1", **data})


def test_enterprise_files_on_time_through_the_page(client, enterprise_user, cert, time_machine):
    at(time_machine, "2027-07-31")
    client.force_login(enterprise_user)
    form = client.get(page(cert) + "?report=half_year:2027H1")
    assert form.status_code == 200 and "2027 年上半年" in form.content.decode()
    response = post_report(client, cert)
    assert response.status_code == 302 and response["Location"] == "/enterprise/certificates/"
    report = MonitoringReport.objects.get()
    assert (report.kind, report.period, report.due_on, report.late) == (
        "half_year",
        "2027H1",
        D("2027-07-31"),
        False,
    )
    assert (
        str(report.revenue) == "12345678.90"
        and report.staff_total == 120
        and report.filed_by == enterprise_user
    )
    listing = client.get("/enterprise/certificates/").content.decode()
    assert cert.number in listing and "已填报" in listing


def test_a_late_report_is_accepted_and_marked_late(enterprise_user, cert, time_machine):
    at(time_machine, "2027-08-01")
    report = file(cert, enterprise_user, "half_year", "2027H1")
    assert report.late is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("revenue", "-1", "不能为负数"),
        ("rd_expense", "1.234", "两位小数"),
        ("staff_total", "-3", "不能为负数"),
        ("new_ip_count", "1.5", "整数"),
        ("revenue", "abc", "金额"),
        ("staff_total", "", "请填写"),
    ],
)
def test_bad_input_is_400_and_nothing_saved(
    client, enterprise_user, cert, time_machine, field, value, message
):
    at(time_machine, "2027-08-10")
    client.force_login(enterprise_user)
    response = post_report(client, cert, **{field: value})
    assert response.status_code == 400 and message in response.content.decode()
    assert not MonitoringReport.objects.exists()
    with pytest.raises(InvalidInput) as exc:
        file(cert, enterprise_user, "half_year", "2027H1", **{field: value})
    assert set(exc.value.errors) == {field}
    assert not MonitoringReport.objects.exists()


def test_periods_not_owed_or_not_over_are_400(client, enterprise_user, cert, time_machine):
    at(time_machine, "2027-06-30")
    client.force_login(enterprise_user)
    assert post_report(client, cert).status_code == 400  # the half-year is not over yet
    assert post_report(client, cert, report="annual:2026").status_code == 400  # started before the issue
    assert post_report(client, cert, report="annual:20x6").status_code == 400
    assert not MonitoringReport.objects.exists()


def test_a_duplicate_is_409(client, enterprise_user, cert, time_machine):
    at(time_machine, "2027-08-10")
    file(cert, enterprise_user, "half_year", "2027H1")
    with pytest.raises(ApplicationStateError) as exc:
        file(cert, enterprise_user, "half_year", "2027H1", revenue="1")
    assert exc.value.status == "filed"
    client.force_login(enterprise_user)
    assert post_report(client, cert).status_code == 409
    assert (
        MonitoringReport.objects.count() == 1 and str(MonitoringReport.objects.get().revenue) == "12345678.90"
    )


def test_a_revoked_certificate_files_nothing(enterprise_user, official, cert, time_machine):
    at(time_machine, "2027-08-10")
    certificates.certificate_revoke(certificate=cert, by=official, reason="申请材料弄虚作假")
    with pytest.raises(ApplicationStateError):
        file(cert, enterprise_user, "half_year", "2027H1")


def test_only_the_enterprise_files(
    client, cert, time_machine, other_enterprise_user, official, municipal_user, expert_user, enterprise_user
):
    at(time_machine, "2027-08-10")
    for user in (other_enterprise_user, official):
        with pytest.raises(DomainPermissionDenied):
            file(cert, user, "half_year", "2027H1")
    client.force_login(other_enterprise_user)
    assert client.get(page(cert)).status_code == 404
    assert post_report(client, cert).status_code == 404
    for user in (official, municipal_user, expert_user):
        client.force_login(user)
        assert post_report(client, cert).status_code == 403
    client.logout()
    response = post_report(client, cert)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not MonitoringReport.objects.exists()
    client.force_login(enterprise_user)
    assert client.get(page(cert)).status_code == 200


def test_enterprise_certificate_page_permissions(
    client, cert, other_enterprise_user, official, municipal_user
):
    client.force_login(other_enterprise_user)
    response = client.get("/enterprise/certificates/")
    assert response.status_code == 200 and cert.number not in response.content.decode()
    for user in (official, municipal_user):
        client.force_login(user)
        assert client.get("/enterprise/certificates/").status_code == 403
    client.logout()
    assert client.get("/enterprise/certificates/")["Location"].startswith("/accounts/login/")


# --- The district's missing list ----------------------------------------------------------------


@pytest.fixture
def constructed(official, other_official, enterprise_user, time_machine):
    """Five certificates issued 2026-12-01; on 2028-03-01 2027H1 and the 2027 annual report are due."""
    all_filed = issue(official, enterprise=EnterpriseFactory(name="甲全部填报"))
    half_only = issue(official, enterprise=EnterpriseFactory(name="乙只填半年报"))
    none_filed = issue(official, enterprise=EnterpriseFactory(name="丙均未填报"))
    late_filed = issue(official, enterprise=EnterpriseFactory(name="丁逾期补报"))
    revoked = issue(official, enterprise=EnterpriseFactory(name="戊已撤销"))
    elsewhere = issue(
        other_official, enterprise=EnterpriseFactory(name="己外区", district=district("120101"))
    )
    not_yet = issue(official, enterprise=EnterpriseFactory(name="庚新发证"), issued_on="2027-03-01")
    users = {
        c.pk: UserFactory(enterprise_user=True, enterprise=c.enterprise)
        for c in (all_filed, half_only, late_filed)
    }
    at(time_machine, "2027-07-20")
    file(all_filed, users[all_filed.pk], "half_year", "2027H1")
    file(half_only, users[half_only.pk], "half_year", "2027H1")
    at(time_machine, "2028-01-10")
    file(all_filed, users[all_filed.pk], "annual", "2027")
    at(time_machine, "2028-02-20")
    file(late_filed, users[late_filed.pk], "half_year", "2027H1")
    file(late_filed, users[late_filed.pk], "annual", "2027")
    certificates.certificate_revoke(certificate=revoked, by=official, reason="发生重大安全事故")
    at(time_machine, "2028-03-01")
    return {"half_only": half_only, "none_filed": none_filed, "elsewhere": elsewhere, "not_yet": not_yet}


def test_missing_list_is_exact(constructed, official):
    rows = lifecycle.missing_reports(official.district_id, D("2028-03-01"))
    got = {row.certificate.enterprise_name: keys(row.missing) for row in rows}
    # 庚 was issued 2027-03-01: none of its periods has passed its due date yet (2028H1 is the first).
    assert got == {"乙只填半年报": ["Y2027"], "丙均未填报": ["2027H1", "Y2027"]}
    # On the due date itself nothing is missing yet; the next day it is (丁 has filed late since, 戊 is revoked).
    rows = lifecycle.missing_reports(official.district_id, D("2027-07-31"))
    assert {r.certificate.enterprise_name for r in rows} == set()
    rows = lifecycle.missing_reports(official.district_id, D("2027-08-01"))
    assert {r.certificate.enterprise_name: keys(r.missing) for r in rows} == {"丙均未填报": ["2027H1"]}


def test_missing_page_shows_the_district_only(client, constructed, official, other_official):
    client.force_login(official)
    body = client.get("/district/monitoring/missing/").content.decode()
    assert (
        "乙只填半年报" in body and "丙均未填报" in body and "己外区" not in body and "甲全部填报" not in body
    )
    client.force_login(other_official)
    body = client.get("/district/monitoring/missing/").content.decode()
    assert "己外区" in body and "丙均未填报" not in body


@pytest.mark.parametrize("person", ["enterprise_user", "municipal_user", "expert_user"])
def test_missing_page_is_for_officials(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get("/district/monitoring/missing/").status_code == 403
    client.logout()
    assert client.get("/district/monitoring/missing/")["Location"].startswith("/accounts/login/")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_missing_page_query_count_is_constant(client, official, time_machine, django_assert_max_num_queries):
    for _ in range(2):
        issue(official)
    at(time_machine, "2029-03-01")
    client.force_login(official)
    few = _queries(client, "/district/monitoring/missing/")
    for _ in range(20):
        issue(official)
    with django_assert_max_num_queries(9):
        many = _queries(client, "/district/monitoring/missing/")
    assert many == few


def test_district_certificate_list_query_count_is_constant(
    client, official, time_machine, django_assert_max_num_queries
):
    for _ in range(2):
        issue(official)
    at(time_machine, "2027-03-01")
    client.force_login(official)
    few = _queries(client, "/district/certificates/")
    for _ in range(30):
        issue(official)
    # 10: the list, and one more for the approved applications awaiting a certificate (#19).
    with django_assert_max_num_queries(10):
        many = _queries(client, "/district/certificates/?status=valid")
    assert many == few
    body = client.get("/district/certificates/?page=2").content.decode()
    assert "第 2 / 2 页" in body


# --- Two missing annual reports flag the certificate ----------------------------------------------


def test_two_missing_annual_reports_flag_one_does_not(official, time_machine):
    both_missing = issue(official)
    one_missing = issue(official)
    owner = UserFactory(enterprise_user=True, enterprise=one_missing.enterprise)
    at(time_machine, "2028-01-20")
    file(one_missing, owner, "annual", "2027")
    # 2029-01-31 is the due date of the 2028 annual report: not yet missing.
    at(time_machine, "2029-01-31")
    assert flag_missing_reports() == []
    at(time_machine, "2029-02-01")
    assert flag_missing_reports() == [both_missing.pk]
    both_missing.refresh_from_db()
    one_missing.refresh_from_db()
    assert lifecycle.MISSING_ANNUAL_FLAG in both_missing.revocation_flag
    assert one_missing.revocation_flag == ""
    # A second run the same day (or the next) changes nothing.
    assert flag_missing_reports() == []
    at(time_machine, "2029-02-02")
    assert lifecycle.flag_missing_annual_reports() == []
    both_missing.refresh_from_db()
    assert both_missing.revocation_flag == lifecycle.MISSING_ANNUAL_FLAG


def test_flag_keeps_other_reasons_and_goes_when_reports_come_in(official, time_machine):
    cert = issue(official)
    Certificate.objects.filter(pk=cert.pk).update(revocation_flag=lifecycle.MAJOR_CHANGE_FLAG)
    at(time_machine, "2029-02-01")
    assert [c.pk for c in lifecycle.flag_missing_annual_reports()] == [cert.pk]
    cert.refresh_from_db()
    assert lifecycle.flags_of(cert) == [lifecycle.MAJOR_CHANGE_FLAG, lifecycle.MISSING_ANNUAL_FLAG]
    owner = UserFactory(enterprise_user=True, enterprise=cert.enterprise)
    assert file(cert, owner, "annual", "2027").late is True
    assert lifecycle.flag_missing_annual_reports() == []
    cert.refresh_from_db()
    assert lifecycle.flags_of(cert) == [lifecycle.MAJOR_CHANGE_FLAG]


def test_revoked_and_expired_certificates_are_not_flagged(official, time_machine):
    revoked = issue(official)
    certificates.certificate_revoke(certificate=revoked, by=official, reason="发生重大质量事故")
    expired = issue(official, issued_on="2026-01-01")  # valid through 2028-12-31
    at(time_machine, "2029-02-01")
    assert lifecycle.flag_missing_annual_reports() == []
    assert (
        not Certificate.objects.exclude(revocation_flag="").filter(pk__in=[revoked.pk, expired.pk]).exists()
    )


def test_flagged_certificates_filter_and_revoke_page(client, official, other_official, time_machine):
    cert = issue(official)
    clean = issue(official)
    owner = UserFactory(enterprise_user=True, enterprise=clean.enterprise)
    at(time_machine, "2028-01-20")
    file(clean, owner, "annual", "2027")
    at(time_machine, "2029-02-01")
    lifecycle.flag_missing_annual_reports()
    client.force_login(official)
    body = client.get("/district/certificates/?status=flagged").content.decode()
    assert cert.number in body and clean.number not in body
    form = client.get(f"/district/certificates/{cert.pk}/revoke/")
    assert form.status_code == 200 and 'value="missing_reports" selected' in form.content.decode()
    # Without the confirmation nothing happens.
    response = client.post(
        f"/district/certificates/{cert.pk}/revoke/",
        {"ground": "missing_reports", "reason": "2027、2028 年度年报均未填报。"},
    )
    assert response.status_code == 400
    cert.refresh_from_db()
    assert cert.revoked_at is None
    client.force_login(other_official)
    assert client.get(f"/district/certificates/{cert.pk}/revoke/").status_code == 404
    assert (
        client.post(
            f"/district/certificates/{cert.pk}/revoke/", {"ground": "fraud", "reason": "x", "confirm": "1"}
        ).status_code
        == 404
    )
    client.force_login(official)
    response = client.post(
        f"/district/certificates/{cert.pk}/revoke/",
        {"ground": "missing_reports", "reason": "2027、2028 年度年报均未填报。", "confirm": "1"},
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    assert certificates.certificate_status(cert) == "revoked" and "两年未按时填报" in cert.revoked_reason
    assert (
        client.post(
            f"/district/certificates/{cert.pk}/revoke/",
            {"ground": "fraud", "reason": "再次撤销", "confirm": "1"},
        ).status_code
        == 409
    )
