"""The "四单一库" ledger in Chromium: the office puts an enterprise on the reform list (股改单); the district's
official records 股改完成 with a PDF evidence file; the progress page counts it against the target."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from listings import services
from listings.models import ListingEntry, Stage
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n% evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_office_lists_district_records_reform_progress_counts(page, artifacts, tmp_path):
    office = UserFactory(municipal=True, username="listing_office")
    enterprise = EnterpriseFactory(name="天津股改流程科技有限公司")
    UserFactory(username="listing_official", role=Role.DISTRICT, district=enterprise.district)
    today = timezone.localdate()
    services.target_set(year=today.year, district=enterprise.district, by=office, reformed=4)

    # The office puts the enterprise on the reform list.
    login(page, "listing_office")
    page.goto(page.base_url + reverse("listings:entry_add"))
    page.get_by_label("统一社会信用代码").fill(enterprise.uscc)
    page.get_by_label("列入时的阶段").select_option("intention")
    page.get_by_role("button", name="列入").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("entry-list").inner_text() == "股改单"
    page.screenshot(path=str(artifacts / "listings-01-office.png"), full_page=True)

    # The district records 股改完成 with its PDF evidence; a missing date is a form error first.
    login(page, "listing_official")
    page.goto(page.base_url + reverse("listings:entries"))
    page.get_by_role("link", name="天津股改流程科技有限公司").click()
    page.get_by_label("达到的阶段").select_option("reformed")
    evidence = tmp_path / "股改批复.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("证明材料（PDF）").set_input_files(str(evidence))
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state()
    assert page.locator("#id_happened_on_errors").is_visible()
    assert ListingEntry.objects.get().stage == Stage.INTENTION  # nothing written
    page.get_by_label("达到的阶段").select_option("reformed")
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("证明材料（PDF）").set_input_files(str(evidence))
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("entry-stage").inner_text() == "股改完成"
    assert page.get_by_test_id("entry-list").inner_text() == "上市单"
    assert "下载" in page.get_by_test_id("stage-events").inner_text()
    assert ListingEntry.objects.get().events.get().evidence

    # The progress page counts it against the district's target.
    page.get_by_role("link", name="目标进度").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("listing-progress").get_by_role("row", name=enterprise.district.name)
    assert "1 / 4" in row.inner_text()
    page.screenshot(path=str(artifacts / "listings-02-progress.png"), full_page=True)
