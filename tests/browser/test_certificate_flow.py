"""In Chromium: the enterprise downloads its certificate, reads the verification URL printed on it and opens
the public verification page, which says the certificate is valid, with its dates; after expiry it
re-applies (重新申请) with its last application copied into a new draft."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certification.certificates import services as certificates
from certification.models import Application, ApplicationFiscalYear, Field
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BJ = dt.timezone(dt.timedelta(hours=8))
ENTERPRISE_NAME = "天津海河智能装备科技有限公司"
VERIFY_URL = re.compile(r"https?://[^\s]+?/verify/TJ\d{14}/")


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"certificate-{name}.png"), full_page=True)


def test_download_certificate_and_verify_it(page, live_server, artifacts, settings, tmp_path):
    # The QR code and the printed URL point at SITE_URL: here, the live server the browser talks to.
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(enterprise_user=True, username="cert_ent", full_name="王芳")
    enterprise = user.enterprise
    enterprise.name = ENTERPRISE_NAME
    enterprise.save()
    official = UserFactory(official=True, username="cert_official")
    application = ApplicationFactory(
        enterprise=enterprise,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
    )
    certificate = certificates.certificate_issue(by=official, application_ids=[application.pk])[0]

    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill("cert_ent")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")
    assert f"证书 {certificate.number} 有效期至 {certificate.valid_until:%Y-%m-%d}" in page.content()
    page.get_by_role("link", name="证书与监测报告").click()
    page.wait_for_url("**/enterprise/certificates/")
    card = page.get_by_test_id("certificate")
    assert certificate.number in card.inner_text()
    assert "距到期还有" in card.get_by_test_id("expiry").inner_text()
    shot(page, artifacts, "01-enterprise-certificates")

    with page.expect_download() as download_info:
        card.get_by_role("link", name="下载证书（PDF）").click()
    download = download_info.value
    assert download.suggested_filename == f"天津市市级高新技术企业证书-{certificate.number}.pdf"
    target = artifacts / "certificate-download.pdf"
    download.save_as(str(target))
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (ENTERPRISE_NAME, enterprise.uscc, certificate.number, "天津市市级高新技术企业证书"):
        assert expected in text, expected

    # The URL printed under the QR code (whitespace removed: a long URL may wrap in the text layer).
    found = VERIFY_URL.search(re.sub(r"\s+", "", text))
    assert found is not None, text
    url = found.group(0)
    assert url == live_server.url + reverse("certificate_verify_page", args=[certificate.number])

    page.goto(url)
    result = page.get_by_test_id("verify-result")
    assert result.locator("[data-status]").get_attribute("data-status") == "valid"
    shown = result.inner_text()
    assert "证书有效" in shown and "有效" in shown
    assert ENTERPRISE_NAME in shown and enterprise.uscc in shown
    assert certificate.issued_on.isoformat() in shown and certificate.valid_until.isoformat() in shown
    shot(page, artifacts, "02-verified")


def test_expired_certificate_reapply(page, artifacts, time_machine):
    """After expiry the enterprise sees how long ago it ended and re-applies: one confirmed click, a copied draft."""
    # Issued 2026-03-02, valid until 2029-03-01; the browser visits on 2029-03-10 (Beijing).
    time_machine.move_to(dt.datetime(2029, 3, 10, 10, 0, tzinfo=BJ))
    user = UserFactory(enterprise_user=True, username="renew_ent", full_name="王芳")
    enterprise = user.enterprise
    official = UserFactory(official=True, username="renew_official")
    application = ApplicationFactory(
        enterprise=enterprise,
        year=2026,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
        main_products="焊缝检测系统",
        staff_total=120,
        staff_tech_college=40,
        staff_rd=15,
    )
    ApplicationFiscalYear.objects.create(
        application=application,
        year=2025,
        sales_revenue=Decimal("30000000"),
        total_revenue=Decimal("31000000"),
        hightech_revenue=Decimal("24000000"),
        rd_expense=Decimal("1800000"),
        rd_expense_domestic=Decimal("1800000"),
        total_assets=Decimal("88000000"),
    )
    certificate = certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=dt.date(2026, 3, 2)
    )[0]

    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill("renew_ent")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")
    home = page.get_by_test_id("home-expiry").inner_text()
    assert f"有效期至 {certificate.valid_until:%Y-%m-%d}" in home and "已过期 9 天" in home
    shot(page, artifacts, "03-home-expired")
    page.get_by_role("link", name="重新申请").click()
    page.wait_for_url("**/enterprise/applications/reapply/")
    assert certificate.number in page.get_by_test_id("expiry").inner_text()
    shot(page, artifacts, "04-reapply-confirm")
    page.get_by_label(re.compile("我确认以上一次申请的内容创建本年度申请草稿")).check()
    page.get_by_role("button", name="创建申请草稿").click()
    new = Application.objects.get(enterprise=enterprise, year=2029)
    page.wait_for_url(f"**/enterprise/applications/{new.pk}/")
    assert (
        "2029 年度认定申请" in page.locator("h1").inner_text() and "草稿" in page.locator("h1").inner_text()
    )
    assert "内容复制自上一次申请" in page.content()
    shot(page, artifacts, "05-reapplied-draft")
    assert new.status == "draft" and new.main_products == "焊缝检测系统" and new.staff_rd == 15
    assert list(new.fiscal_years.values_list("year", flat=True)) == [2025]
