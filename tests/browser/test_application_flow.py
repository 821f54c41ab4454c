"""An enterprise fills the whole application in Chromium, reloads midway, uploads, downloads the 申请书, submits."""

import pytest
from django.urls import reverse

from certification.models import REQUIRED_DOCUMENT_KINDS, Application, ApplicationStatus
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"application-{name}.png"), full_page=True)


def fill(page, values):
    for name, value in values.items():
        page.locator(f'[name="{name}"]').fill(value)


def test_fill_reload_upload_download_submit(page, artifacts, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(enterprise_user=True, username="flow_ent", full_name="周七")
    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill("flow_ent")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")
    page.get_by_role("link", name="填写申请").click()
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_url("**/step/facts/")
    fill(
        page,
        {
            "facts.legal_representative": "周七",
            "facts.main_products": "工业互联网平台",
            "facts.core_technology": "边缘计算与时序数据库",
            "facts.contact_name": "周七",
            "facts.contact_phone": "022-23456789",
        },
    )
    page.locator('[name="field_code"]').select_option("0101")
    shot(page, artifacts, "01-facts")
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/finance/")
    rows = {
        0: ("18000000", "19000000", "14000000", "1100000", "1000000", "26000000"),
        1: ("21000000", "22000000", "16000000", "1300000", "1200000", "30000000"),
        2: ("24000000", "25000000", "19000000", "1500000", "1400000", "36000000"),
    }
    keys = (
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    )
    for i, values in rows.items():
        fill(page, {f"fiscal_years[{i}].{k}": v for k, v in zip(keys, values, strict=True)})
    shot(page, artifacts, "02-finance")
    page.get_by_role("button", name="保存并下一步").click()

    # Staff: typed, autosaved, then the page is reloaded: nothing is lost.
    page.wait_for_url("**/step/staff/")
    fill(page, {"staff.total": "120", "staff.tech_college": "40", "staff.rd": "15"})
    # (No wait_for_function: the portal's CSP forbids the eval it needs.)
    page.wait_for_selector("[data-role=autosave-status]:has-text('已保存')")
    page.reload()
    assert page.locator('[name="staff.total"]').input_value() == "120"
    assert page.locator('[name="staff.rd"]').input_value() == "15"
    panel = page.locator("#eligibility-panel").inner_text()
    assert "第九条（三）" in panel
    shot(page, artifacts, "03-staff-after-reload")
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/ip/")
    page.locator('[name="ip[0].kind"]').select_option("invention_patent")
    fill(
        page,
        {
            "ip[0].title": "一种时序数据压缩方法",
            "ip[0].number": "ZL202410000001.X",
            "ip[0].acquired_on": "2025-04-01",
        },
    )
    page.locator('[name="ip[0].acquisition"]').select_option("self_developed")
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/conversions/")
    fill(page, {"conversions[0].year": "2025", "conversions[0].title": "平台产品化"})
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/rd/")
    for label in ("研究开发项目立项报告", "研发投入核算体系", "研发机构及设施"):
        page.get_by_label(label).check()
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/products/")
    fill(
        page,
        {
            "products[0].name": "工业互联网平台",
            "products[0].technology": "边缘计算",
            "products[0].revenue": "19000000",
        },
    )
    page.get_by_role("button", name="保存并下一步").click()

    page.wait_for_url("**/step/audit/")
    fill(
        page,
        {
            "audit.firm": "天津正信会计师事务所",
            "audit.report_number": "津正审字〔2026〕第 018 号",
            "audit.report_date": "2026-03-15",
        },
    )
    shot(page, artifacts, "04-audit")
    page.get_by_role("button", name="保存并上传材料").click()

    page.wait_for_url("**/documents/")
    pdf = tmp_path / "material.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    for kind in REQUIRED_DOCUMENT_KINDS:
        page.locator(f"#file-{kind.value}").set_input_files(str(pdf))
        page.locator(f"#file-{kind.value}").locator("xpath=..").locator("button[type=submit]").click()
        page.wait_for_load_state()
    shot(page, artifacts, "05-documents")

    application = Application.objects.get(enterprise=user.enterprise)
    page.goto(base + reverse("certification:application_detail", args=[application.pk]))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载申请书（PDF）").click()
    download = download_info.value
    target = artifacts / "application-form.pdf"
    download.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="检查并提交").first.click()
    assert "请逐项核对以下内容" in page.content()  # nothing missing: the answers to check (#19)
    shot(page, artifacts, "06-submit")
    for checkbox in page.locator("form.confirm input[type=checkbox]").all():
        checkbox.check()
    page.locator("form.confirm button[type=submit]").click()
    page.wait_for_url(f"**/applications/{application.pk}/submitted/")
    assert "已提交" in page.locator("h1").inner_text()
    shot(page, artifacts, "07-submitted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.fiscal_years.count() == 3 and application.staff_rd == 15
    assert application.documents.count() == 8
