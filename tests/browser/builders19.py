"""#19's browser tests: an enterprise with a complete draft (every step filled), its materials optional."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

from certification.models import (
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationFiscalYear,
    Conversion,
    Document,
    Field,
    HighTechProduct,
    IPItem,
)
from core.uscc import make_uscc
from tests.factories import PASSWORD, ApplicationFactory, EnterpriseFactory, UserFactory, district

ENTERPRISE_NAME = "天津检查答案智能装备科技有限公司"
USCC = make_uscc("91120116MA0CHK190")
IP_TITLE = "一种基于机器视觉的焊缝缺陷检测方法"
PRODUCT_NAME = "智能焊缝检测系统"
AUDIT_FIRM = "天津正信会计师事务所"


def complete_draft(*, username: str, documents: bool) -> Application:
    enterprise = EnterpriseFactory(
        name=ENTERPRISE_NAME, uscc=USCC, district=district("120116"), registered_on=dt.date(2018, 5, 1)
    )
    user = UserFactory(role="enterprise", enterprise=enterprise, username=username, full_name="孙九")
    app = ApplicationFactory(
        enterprise=enterprise,
        field=Field.objects.get(catalogue__in_force=True, code="0101"),
        legal_representative="孙九",
        main_products="焊缝检测系统及配套软件",
        core_technology="基于深度学习的焊缝缺陷识别",
        contact_name="孙九",
        contact_phone="022-23456789",
        staff_total=100,
        staff_tech_college=40,
        staff_rd=12,
        rd_management=["project_approval", "rd_accounting", "rd_institution"],
        audit_firm=AUDIT_FIRM,
        audit_report_number="津正审〔2026〕9号",
        audit_report_date=dt.date(2026, 3, 1),
    )
    for year, sales, assets in (
        (2023, "20000000", "30000000"),
        (2024, "26000000", "39000000"),
        (2025, "34000000", "52000000"),
    ):
        ApplicationFiscalYear.objects.create(
            application=app,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales),
            hightech_revenue=Decimal(sales) * Decimal("0.7"),
            rd_expense=Decimal(sales) * Decimal("0.06"),
            rd_expense_domestic=Decimal(sales) * Decimal("0.05"),
            total_assets=Decimal(assets),
        )
    IPItem.objects.create(
        application=app,
        kind="invention_patent",
        title=IP_TITLE,
        number="ZL202410012345.6",
        acquired_on=dt.date(2025, 3, 1),
        acquisition="self_developed",
    )
    HighTechProduct.objects.create(
        application=app, name=PRODUCT_NAME, technology="机器视觉", revenue=Decimal("24000000")
    )
    for year in (2023, 2024, 2025):
        for i in range(4):
            Conversion.objects.create(application=app, year=year, title=f"{year} 年成果转化 {i + 1}")
    if documents:
        for kind in REQUIRED_DOCUMENT_KINDS:
            Document.objects.create(
                application=app,
                kind=kind,
                file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="m.pdf"),
                original_name=f"{kind.value}-材料.pdf",
                size=15,
                sha256=str(kind.value)[:8].ljust(64, "0"),
                uploaded_by=user,
            )
    return app


def log_in(page, username: str) -> None:
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/enterprise/")
