"""In Chromium: the enterprise downloads its certificate, reads the verification URL printed on it and opens
the public verification page, which says the certificate is valid, with its dates."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certification import certificates
from certification.models import Field
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

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
