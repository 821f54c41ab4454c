"""Expiry and 重新申请: the enterprise sees when its certificate ends and re-applies with a copied draft."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from accounts.tokens import issue as issue_token
from certification.applications import reapplication
from certification.certificates import services as certificates
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationTransition,
    Catalogue,
    Conversion,
    Document,
    Field,
    HighTechProduct,
    IPItem,
)
from core.errors import ApplicationStateError
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
BJ = dt.timezone(dt.timedelta(hours=8))
ISSUED = "2026-03-02"  # valid until 2029-03-01, ends 2029-03-02, re-application from 2028-12-02


def at(time_machine, day: str) -> dt.date:
    time_machine.move_to(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=BJ), tick=False)
    return D(day)


@pytest.fixture
def source(enterprise_user, official, tmp_path, settings):
    """A complete 2026 application, scored, with an opinion and an uploaded document, then certified."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    application = ApplicationFactory(
        enterprise=enterprise_user.enterprise,
        year=2026,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
        legal_representative="李建国",
        main_products="焊缝检测系统",
        core_technology="焊缝缺陷识别",
        contact_name="王芳",
        contact_phone="13802200000",
        staff_total=120,
        staff_tech_college=40,
        staff_rd=15,
        rd_management=["project_approval", "rd_accounting"],
        audit_firm="天津津审会计师事务所有限公司",
        audit_firm_uscc="91120101MA05TEST0X",
        audit_report_number="津审专字〔2026〕第018号",
        audit_report_date=D("2026-03-15"),
        current_step="audit",
        composite_score=Decimal("72.50"),
        review_passed=True,
        opinion_recommend=True,
        opinion_note="同意推荐",
    )
    for year in (2023, 2024, 2025):
        ApplicationFiscalYear.objects.create(
            application=application,
            year=year,
            sales_revenue=Decimal("30000000.00") + year,
            total_revenue=Decimal("31000000.00"),
            hightech_revenue=Decimal("24000000.00"),
            rd_expense=Decimal("1800000.00"),
            rd_expense_domestic=Decimal("1800000.00"),
            total_assets=Decimal("88000000.00"),
        )
    IPItem.objects.create(
        application=application,
        kind="invention_patent",
        title="一种焊缝识别方法",
        number="ZL202410012345.6",
        acquired_on=D("2024-06-18"),
        acquisition="exclusive_license",
        licence_years=6,
    )
    Conversion.objects.create(application=application, year=2025, title="焊缝检测系统产品化")
    HighTechProduct.objects.create(
        application=application, name="焊缝检测系统", technology="深度学习", revenue=Decimal("24000000.00")
    )
    document = Document(
        application=application,
        kind="audit_report",
        original_name="审计报告.pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=enterprise_user,
    )
    document.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    certificates.certificate_issue(by=official, application_ids=[application.pk], issued_on=D(ISSUED))
    application.refresh_from_db()
    assert application.status == "certified"
    return application


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
    return client


# --- The window (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until", "opens"),
    [
        ("2029-03-01", "2028-12-02"),
        ("2029-11-30", "2029-09-01"),
        ("2029-05-30", "2029-02-28"),  # ends 05-31 → 02-28, no 31 February
        ("2032-05-30", "2032-02-29"),
        ("2029-12-31", "2029-10-01"),
    ],
)
def test_reapplication_opens_three_months_before_the_end(valid_until, opens):
    assert reapplication.reapply_opens_on(D(valid_until)) == D(opens)


def test_expiry_status_and_days_left(source, time_machine):
    certificate = source.certificate
    assert certificate.valid_until == D("2029-03-01")
    on_last_day = reapplication.expiry_of(certificate, D("2029-03-01"))
    assert (on_last_day.status, on_last_day.days_left, on_last_day.in_window) == ("valid", 0, True)
    day_after = reapplication.expiry_of(certificate, D("2029-03-02"))
    assert (day_after.status, day_after.days_expired, day_after.in_window) == ("expired", 1, True)
    before = reapplication.expiry_of(certificate, D("2028-12-01"))
    assert (before.status, before.days_left, before.in_window) == ("valid", 90, False)
    assert reapplication.expiry_of(certificate, D("2028-12-02")).in_window


# --- The service -----------------------------------------------------------------------------


def test_reapply_copies_every_form_section_and_nothing_else(source, enterprise_user, time_machine):
    at(time_machine, "2029-03-05")
    new = reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)

    new.refresh_from_db()
    assert (new.year, new.status, new.enterprise_id) == (2029, "draft", source.enterprise_id)
    for name in reapplication.COPIED_FIELDS:
        assert getattr(new, name) == getattr(source, name), name
    # Workflow state, scores and review data start empty.
    assert new.composite_score is None and new.review_passed is None and new.score_spread_flag is False
    assert new.opinion_recommend is None and new.opinion_note == "" and new.opinion_by is None
    assert new.submitted_at is None and new.accepted_at is None and new.review_deadline is None
    assert new.current_step == ""

    def rows(application):
        return {
            "fiscal_years": list(
                application.fiscal_years.values_list(
                    "year",
                    "sales_revenue",
                    "total_revenue",
                    "hightech_revenue",
                    "rd_expense",
                    "rd_expense_domestic",
                    "total_assets",
                )
            ),
            "ip": list(
                application.ip_items.values_list(
                    "kind", "title", "number", "acquired_on", "acquisition", "licence_years"
                )
            ),
            "conversions": list(application.conversions.values_list("year", "title")),
            "products": list(application.products.values_list("name", "technology", "revenue")),
        }

    copied, original = rows(new), rows(source)
    assert copied == original
    assert len(copied["fiscal_years"]) == 3 and len(copied["ip"]) == 1
    assert copied["conversions"] and copied["products"]
    # The source keeps its rows (copies, not moves).
    assert source.fiscal_years.count() == 3 and source.ip_items.count() == 1
    # Not copied: documents, status history.
    assert not new.documents.exists() and source.documents.count() == 1
    assert list(new.transitions.values_list("from_status", "to_status", "by", "data")) == [
        ("", "draft", enterprise_user.pk, {"copied_from": source.pk})
    ]
    # Every copied row has its history record, by the enterprise user.
    fy = new.fiscal_years.first()
    assert fy.history.count() == 1 and fy.history.first().history_user == enterprise_user
    assert new.history.first().history_user == enterprise_user


def test_second_click_changes_nothing(source, enterprise_user, time_machine):
    at(time_machine, "2029-01-10")  # inside the window, still valid
    first = reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    counts = (
        Application.objects.count(),
        ApplicationTransition.objects.count(),
        ApplicationFiscalYear.objects.count(),
        IPItem.objects.count(),
    )
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "draft"
    assert f"编号 {first.pk}" in exc.value.message and "2029 年度的申请已存在" in exc.value.message
    assert counts == (
        Application.objects.count(),
        ApplicationTransition.objects.count(),
        ApplicationFiscalYear.objects.count(),
        IPItem.objects.count(),
    )


def test_refused_before_the_window(source, enterprise_user, time_machine):
    at(time_machine, "2028-12-01")
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "valid"
    assert "有效期至 2029-03-01" in exc.value.message and "自 2028-12-02 起" in exc.value.message
    assert Application.objects.count() == 1


def test_refused_while_another_application_is_open(source, enterprise_user, time_machine):
    at(time_machine, "2029-03-05")
    ApplicationFactory(enterprise=enterprise_user.enterprise, year=2028, status="under_review")
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "under_review" and "尚在办理中" in exc.value.message
    assert Application.objects.count() == 2


def test_refused_in_the_year_of_a_revocation(source, enterprise_user, official, time_machine):
    at(time_machine, "2029-02-10")
    certificates.certificate_revoke(
        certificate=source.certificate, by=official, reason="两年未填报统计监测数据"
    )
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "revoked" and "2029 年撤销" in exc.value.message
    # The next year the revoked certificate still offers no 重新申请 (a new application is the way).
    at(time_machine, "2030-01-10")
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "revoked" and "已撤销" in exc.value.message
    assert Application.objects.count() == 1


def test_refused_without_a_certificate(enterprise_user, time_machine):
    at(time_machine, "2029-03-05")
    ApplicationFactory(enterprise=enterprise_user.enterprise, year=2027, status="not_recommended")
    with pytest.raises(ApplicationStateError) as exc:
        reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert exc.value.status == "none"
    assert Application.objects.count() == 1


def test_a_field_of_a_replaced_catalogue_maps_to_the_code_in_force(source, enterprise_user, time_machine):
    at(time_machine, "2029-03-05")
    old = Catalogue.objects.filter(in_force=False).first() or Catalogue.objects.create(
        version="2008", name="2008 目录", in_force=False
    )
    old_field, _created = Field.objects.get_or_create(catalogue=old, code="0803", defaults={"name": "旧领域"})
    Application.objects.filter(pk=source.pk).update(field=old_field)
    new = reapplication.application_reapply(enterprise=enterprise_user.enterprise, by=enterprise_user)
    assert new.field == Field.objects.get(catalogue__in_force=True, code="0803")


# --- Pages and API ---------------------------------------------------------------------------


def test_certificate_page_and_home_show_the_end_and_the_action(client, source, enterprise_user, time_machine):
    at(time_machine, "2028-11-01")
    client.force_login(enterprise_user)
    body = client.get("/enterprise/certificates/").content.decode()
    assert "2026-03-02 — 2029-03-01" in body and "距到期还有 120 天" in body
    assert "自 2028-12-02 起（期满前三个月内）可以重新申请" in body
    assert "/enterprise/applications/reapply/" not in body
    home = client.get("/enterprise/").content.decode()
    assert "有效期至 2029-03-01" in home and "/enterprise/applications/reapply/" not in home

    at(time_machine, "2029-03-10")
    client.force_login(enterprise_user)  # two years later the session has ended
    body = client.get("/enterprise/certificates/").content.decode()
    assert "已过期" in body and "已过期 9 天" in body and "/enterprise/applications/reapply/" in body
    assert "/enterprise/applications/reapply/" in client.get("/enterprise/").content.decode()


def test_browser_reapply_needs_confirmation_then_creates_once(client, source, enterprise_user, time_machine):
    at(time_machine, "2029-03-10")
    client.force_login(enterprise_user)
    page = client.get("/enterprise/applications/reapply/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "TJ20261201160001" in text and "不复制：已上传的申报材料" in text

    unconfirmed = client.post("/enterprise/applications/reapply/", {})
    assert unconfirmed.status_code == 400 and "请勾选确认后再创建申请。" in unconfirmed.content.decode()
    assert Application.objects.count() == 1

    response = client.post("/enterprise/applications/reapply/", {"confirm": "on"})
    new = Application.objects.get(year=2029)
    assert response.status_code == 302 and response["Location"] == f"/enterprise/applications/{new.pk}/"
    assert new.staff_total == 120 and new.fiscal_years.count() == 3

    again = client.post("/enterprise/applications/reapply/", {"confirm": "on"})
    assert again.status_code == 302 and again["Location"] == f"/enterprise/applications/{new.pk}/"
    assert Application.objects.count() == 2


def test_browser_reapply_refused_shows_why(client, source, enterprise_user, time_machine):
    at(time_machine, "2028-06-01")
    client.force_login(enterprise_user)
    page = client.get("/enterprise/applications/reapply/").content.decode()
    assert "自 2028-12-02 起（期满前三个月内）可以重新申请" in page and 'name="confirm"' not in page
    response = client.post("/enterprise/applications/reapply/", {"confirm": "on"})
    assert response.status_code == 409 and "有效期至 2029-03-01" in response.content.decode()
    assert Application.objects.count() == 1


def test_api_reapply(client, source, enterprise_user, official, time_machine):
    at(time_machine, "2029-03-10")
    assert api(client, official).post("/api/v1/applications/reapply/").status_code == 403
    response = api(client, enterprise_user).post("/api/v1/applications/reapply/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["year"] == 2029
    assert Application.objects.get(pk=body["id"]).ip_items.count() == 1
    again = api(client, enterprise_user).post("/api/v1/applications/reapply/")
    assert again.status_code == 409 and again.json()["status"] == "draft"
    assert "detail" in again.json()


def test_new_application_page_in_a_revocation_year_says_why(
    client, source, enterprise_user, official, time_machine
):
    """The ordinary 填写申请 page meets the same revocation rule: a message on the home page, not a 500."""
    at(time_machine, "2027-05-10")
    certificates.certificate_revoke(certificate=source.certificate, by=official, reason="申请中提供虚假信息")
    client.force_login(enterprise_user)
    response = client.post("/enterprise/applications/new/", follow=True)
    assert response.redirect_chain == [("/enterprise/", 302)]
    assert "本企业的证书已于 2027 年撤销，当年不能再次申请认定。" in response.content.decode()
    assert Application.objects.count() == 1
