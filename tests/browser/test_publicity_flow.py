"""Publicity and filing (docs/domain.md, procedure 4–5) in Chromium: the official publishes, a visitor objects on the public page, the official
dismisses it, the notice closes (the clock moved, the scheduler's service closes it), the official
files, the municipal office approves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from certification.models import ApplicationStatus, NoticeStatus, Objection, PublicityNotice
from certification.publicity.services import close_due_notices
from districts.models import Filing, FilingEntry
from tests.factories import PASSWORD, ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BJ = dt.timezone(dt.timedelta(hours=8))
REASON = "该企业申报的发明专利系受让取得，并非自主研发，请核实。"


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"publicity-{name}.png"), full_page=True)


def sign_in(page, username):
    base = page.base_url
    page.context.clear_cookies()
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_publish_object_dismiss_close_file_approve(page, artifacts, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))
    binhai = district("120116")
    UserFactory(role="district", district=binhai, username="pub_official", full_name="滨海公示员")
    UserFactory(role="municipal", username="pub_office", full_name="市办审核员")
    application = ApplicationFactory(
        enterprise=EnterpriseFactory(name="天津公示流程科技有限公司", district=binhai),
        status=ApplicationStatus.RECOMMENDED,
        composite_score=Decimal("82.40"),
        review_passed=True,
        review_deadline=dt.date(2026, 11, 6),
    )
    base = page.base_url

    # 1. The official publishes the notice (10 working days from 28 September: ends 15 October).
    sign_in(page, "pub_official")
    page.goto(base + reverse("districts:publicity_new"))
    page.locator(f"#app-{application.pk}").check()
    page.locator("input[name=confirm]").check()
    shot(page, artifacts, "01-publish-form")
    page.get_by_role("button", name="发布公示").click()
    page.wait_for_load_state()
    notice = PublicityNotice.objects.get()
    assert notice.end == dt.date(2026, 10, 15) and notice.status == NoticeStatus.OPEN

    # 2. A visitor, not signed in, objects on the public page.
    page.context.clear_cookies()
    page.goto(base + reverse("publicity_list"))
    assert "天津公示流程科技有限公司" in page.locator("[data-testid=notice]").inner_text()
    shot(page, artifacts, "02-public-list")
    page.get_by_role("link", name="提出异议", exact=True).first.click()
    page.wait_for_url(f"**/publicity/{notice.pk}/objection/**")
    page.get_by_label("真实姓名").fill("王五")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("异议理由").fill(REASON)
    page.get_by_role("button", name="提交异议").click()
    page.wait_for_url(f"**/publicity/{notice.pk}/objection/done/")
    objection = Objection.objects.get()
    assert objection.tracking_number in page.content()
    shot(page, artifacts, "03-objection-done")
    # The public pages never show who objected.
    page.goto(base + reverse("publicity_notice", args=[notice.pk]))
    assert "王五" not in page.content() and "13800000000" not in page.content()

    # 3. The official dismisses the objection.
    sign_in(page, "pub_official")
    page.goto(base + reverse("districts:notice_detail", args=[notice.pk]))
    form = page.locator(f"#objection-{objection.pk} form")
    form.get_by_label("异议不成立：该企业继续认定程序").check()
    form.get_by_label("核实情况及结论").fill("经核实，该专利为企业自主研发，受让记录系权利人名称变更。")
    form.locator(f"input[name=o{objection.pk}-confirm]").check()
    form.get_by_role("button", name="提交核实结论").click()
    page.wait_for_load_state()
    objection.refresh_from_db()
    assert objection.status == "dismissed"
    shot(page, artifacts, "04-objection-dismissed")

    # 4. The day after the end the scheduler's service closes the notice.
    time_machine.move_to(dt.datetime(2026, 10, 16, 2, 0, tzinfo=BJ))
    assert close_due_notices() == [notice.pk]
    sign_in(page, "pub_official")  # 18 days later the session has expired
    page.goto(base + reverse("districts:notice_detail", args=[notice.pk]))
    assert "已结束" in page.content()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PUBLICITY_PASSED
    shot(page, artifacts, "05-notice-closed")

    # 5. The official files it in the district government's name.
    page.goto(base + reverse("districts:filings"))
    page.locator(f"#app-{application.pk}").check()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="报备", exact=True).click()
    page.wait_for_url(f"**{reverse('districts:filings')}")
    filing = Filing.objects.get()
    entry = FilingEntry.objects.get(filing=filing)
    assert entry.late is False and entry.package["objections"][0]["status"] == "dismissed"
    assert binhai.government_name in page.locator(".messages").inner_text()
    shot(page, artifacts, "06-filed")

    # 6. The municipal office approves.
    sign_in(page, "pub_office")
    page.goto(base + reverse("audits:filing_detail", args=[filing.pk]))
    assert (
        "经核实，该专利为企业自主研发"
        in page.locator(f"[data-testid=package-{application.pk}]").text_content()
    )
    row = page.locator(f"#entry-{application.pk}")
    row.get_by_label("审核通过").check()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="提交审核决定").click()
    page.wait_for_load_state()
    assert "本次报备的申请均已审核" in page.content()
    shot(page, artifacts, "07-approved")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
