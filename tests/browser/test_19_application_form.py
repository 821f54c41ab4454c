"""#19 point 9: the 申请书 the enterprise prints, signs and seals before submitting.

The upload page links to the generated 申请书 in its own row and leads on to the check-and-submit page;
the PDF downloaded from there carries the data and the reference number (申请编号), and no draft-only
wording ("草稿", "尚未提交", "无法判断") that would end up on the signed and sealed paper.
"""

import re
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.browser.builders19 import ENTERPRISE_NAME, IP_TITLE, PRODUCT_NAME, USCC, complete_draft, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_upload_page_links_to_a_printable_form_and_leads_on_to_submission(
    page, artifacts, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    app = complete_draft(username="form_ent", documents=False)
    log_in(page, "form_ent")
    page.goto(page.base_url + reverse("certification:application_documents", args=[app.pk]))
    page.screenshot(path=str(artifacts / "19-9-after.png"), full_page=True)

    row = page.locator("tr[data-kind=application_form]").first
    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("下载系统生成的申请书")).click()
    target = tmp_path / "form.pdf"
    download_info.value.save_as(str(target))
    # pypdf's text layer joins a table cell's wrapped lines (pdftotext interleaves the columns).
    flat = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(str(target)).pages))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(target), str(tmp_path / "form")],
        check=True,
    )
    (artifacts / "19-9-form-page1.png").write_bytes(next(tmp_path.glob("form*.png")).read_bytes())

    assert f"申请编号{app.pk}" in flat
    for fact in (ENTERPRISE_NAME, USCC, IP_TITLE, PRODUCT_NAME):
        assert fact in flat, fact
    for draft_only in ("草稿", "尚未提交", "无法判断"):
        assert draft_only not in flat, draft_only
    # The one condition the enterprise cannot meet alone says who decides it, and when.
    assert "待专家评审" in flat

    page.get_by_role("link", name="下一步：检查并提交").click()
    page.wait_for_url(f"**/applications/{app.pk}/submit/")
    assert page.locator("h1").inner_text() == "检查并提交"
