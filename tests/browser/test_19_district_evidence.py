"""#19 point 11: the official's application page shows the evidence first — the figures the enterprise
entered (fiscal years, IP, staff, products, formatted) and the documents, with one file uploaded under two
kinds flagged — and the decision form after it."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    REQUIRED_DOCUMENT_KINDS,
    ApplicationFiscalYear,
    ApplicationStatus,
    Document,
    DocumentKind,
    HighTechProduct,
    IPItem,
)
from tests.factories import PASSWORD, ApplicationFactory, EnterpriseFactory, UserFactory, district, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def submitted_with_evidence():
    binhai = district("120116")
    enterprise = EnterpriseFactory(name="天津证据优先科技有限公司", district=binhai)
    owner = UserFactory(role="enterprise", enterprise=enterprise, username="evidence_company")
    UserFactory(role="district", district=binhai, username="evidence_official", full_name="滨海受理员")
    app = ApplicationFactory(
        enterprise=enterprise,
        status=ApplicationStatus.SUBMITTED,
        field=field("0101"),
        staff_total=120,
        staff_tech_college=45,
        staff_rd=15,
        main_products="工业物联网网关",
        submitted_at=timezone.now(),
    )
    for year, sales in ((2023, "12345678.50"), (2024, "23456789.00"), (2025, "34567890.25")):
        ApplicationFiscalYear.objects.create(
            application=app,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales),
            hightech_revenue=Decimal("8000000"),
            rd_expense=Decimal("1500000"),
            rd_expense_domestic=Decimal("1400000"),
            total_assets=Decimal("50000000"),
        )
    IPItem.objects.create(
        application=app,
        kind="invention_patent",
        title="一种边缘计算调度方法",
        number="ZL202410000001.1",
        acquired_on=dt.date(2024, 6, 1),
        acquisition="self_developed",
    )
    HighTechProduct.objects.create(
        application=app, name="智能网关", technology="边缘计算", revenue=Decimal("21000000")
    )
    same = b"%PDF-1.4\n% the same scan uploaded twice\n%%EOF\n"
    for kind in REQUIRED_DOCUMENT_KINDS:
        content = (
            same
            if kind in (DocumentKind.IP_PROOF, DocumentKind.CONVERSION_PROOF)
            else (b"%PDF-1.4\n% " + str(kind).encode() + b"\n%%EOF\n")
        )
        Document.objects.create(
            application=app,
            kind=kind,
            file=ContentFile(content, name="m.pdf"),
            original_name=f"{kind}.pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=owner,
        )
    return app


def test_evidence_comes_first_and_a_file_under_two_kinds_is_flagged(page, artifacts, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app = submitted_with_evidence()
    sign_in(page, "evidence_official")
    page.goto(page.base_url + reverse("districts:application_detail", args=[app.pk]))
    page.screenshot(path=str(artifacts / "19-11-after.png"), full_page=True)

    # The evidence sits above the decision form (document order of the two sections).
    evidence = page.locator("[data-testid=evidence]")
    assert evidence.count() == 1
    intake = page.locator("[data-testid=intake]")
    assert intake.count() == 1
    order = page.evaluate(
        "() => document.querySelector('[data-testid=evidence]')"
        ".compareDocumentPosition(document.querySelector('[data-testid=intake]'))"
    )
    assert order & 4, "the decision form must follow the evidence"

    # The figures, formatted: thousands separators, the staff, the IP and the product.
    figures = page.locator("[data-testid=figures]").inner_text()
    for text in ("2023", "12,345,678.50", "34,567,890.25", "50,000,000.00", "120", "45", "15"):
        assert text in figures, text
    assert "一种边缘计算调度方法" in figures and "ZL202410000001.1" in figures
    assert "智能网关" in figures and "21,000,000.00" in figures

    # The same file under two kinds is flagged on both rows, naming the other kind.
    rows = page.locator("[data-testid=documents] tbody tr")
    ip_row = rows.filter(has_text="ip_proof.pdf")
    conv_row = rows.filter(has_text="conversion_proof.pdf")
    assert "同一文件" in ip_row.inner_text() and "科技成果转化证明材料" in ip_row.inner_text()
    assert "同一文件" in conv_row.inner_text() and "知识产权证明材料" in conv_row.inner_text()
    assert "同一文件" not in rows.filter(has_text="qualification.pdf").inner_text()
    assert "同一文件" in page.locator("[data-testid=evidence]").inner_text()
