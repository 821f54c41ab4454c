"""#19 point 7: check your answers before submitting, then a confirmation with a reference number and a receipt.

The enterprise's complete draft: the submit page shows every step's answers with a change link to that
step, the uploaded materials and the eligibility result; after submitting, a confirmation page gives the
reference number (申请编号), what happens next and by when, and a receipt PDF (回执) with the reference
number, the enterprise, its USCC, the submitted time, the district and the next step.
"""

import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.applications.steps import STEPS
from certification.models import ApplicationStatus
from tests.browser.builders19 import (
    AUDIT_FIRM,
    ENTERPRISE_NAME,
    IP_TITLE,
    PRODUCT_NAME,
    USCC,
    complete_draft,
    log_in,
)
from workdays.arithmetic import working_days_after
from workdays.services import working_calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def test_check_answers_submit_confirmation_and_receipt(page, artifacts, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    app = complete_draft(username="answers_ent", documents=True)
    log_in(page, "answers_ent")
    page.goto(page.base_url + reverse("certification:application_detail", args=[app.pk]))
    page.get_by_role("link", name="检查并提交").first.click()
    page.wait_for_url(f"**/applications/{app.pk}/submit/")
    page.screenshot(path=str(artifacts / "19-7-after.png"), full_page=True)
    content = page.content()
    assert "尚未完成的内容" not in content

    # Every step: its answers and a link back to change them.
    for step in STEPS:
        section = page.locator(f"section[data-step={step.slug}]")
        assert section.locator("h2").inner_text().startswith(str(step.title)), step.slug
        change = section.get_by_role("link", name=re.compile("^修改"))
        assert change.get_attribute("href") == reverse(
            "certification:application_step", args=[app.pk, step.slug]
        )
    answers = {
        "facts": ("孙九", "0101", "焊缝检测系统及配套软件", "022-23456789"),
        "finance": ("2025", "34,000,000.00"),
        "staff": ("100", "40", "12"),
        "ip": (IP_TITLE, "ZL202410012345.6"),
        "conversions": ("2025 年成果转化 4",),
        "rd": ("研究开发项目立项报告",),
        "products": (PRODUCT_NAME, "24,000,000.00"),
        "audit": (AUDIT_FIRM, "津正审〔2026〕9号", "2026-03-01"),
    }
    for slug, facts in answers.items():
        text = page.locator(f"section[data-step={slug}]").inner_text()
        for fact in facts:
            assert fact in text, (slug, fact)
    documents = page.locator("section[data-section=documents]")
    assert "application_form-材料.pdf" in documents.inner_text()
    assert documents.get_by_role("link", name=re.compile("^修改")).get_attribute("href") == reverse(
        "certification:application_documents", args=[app.pk]
    )
    eligibility = page.locator("section[data-section=eligibility]").inner_text()
    assert "第九条（三）" in eligibility and "综合评分" in eligibility

    for checkbox in page.locator("form.confirm input[type=checkbox]").all():
        checkbox.check()
    page.locator("form.confirm button[type=submit]").click()
    page.wait_for_url(f"**/applications/{app.pk}/submitted/")
    page.screenshot(path=str(artifacts / "19-7-confirmation-after.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED

    assert "申请已提交" in page.locator("h1").inner_text()
    assert page.get_by_test_id("reference").inner_text().strip() == str(app.pk)
    due = working_days_after(working_calendar(), timezone.localdate(app.submitted_at), 5)
    next_steps = page.get_by_test_id("next-steps").inner_text()
    assert "滨海新区" in next_steps and "完整性审查" in next_steps and due.strftime("%Y-%m-%d") in next_steps

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载提交回执（PDF）").click()
    receipt = tmp_path / "receipt.pdf"
    download_info.value.save_as(str(receipt))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(receipt), str(tmp_path / "receipt")],
        check=True,
    )
    (artifacts / "19-7-receipt-page1.png").write_bytes(next(tmp_path.glob("receipt*.png")).read_bytes())
    text = pdf_text(receipt)
    submitted = timezone.localtime(app.submitted_at).strftime("%Y-%m-%d%H:%M")
    for fact in ("提交回执", f"申请编号{app.pk}", ENTERPRISE_NAME, USCC, "滨海新区", submitted, "完整性审查"):
        assert fact in text, fact
    assert due.strftime("%Y-%m-%d") in text
