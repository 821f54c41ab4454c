"""#19 point 14: the home page's 办事指南 (who may apply, conditions, materials, time limits, contact
phones) and the office's notices (通知公告: published, edited, withdrawn after a confirmation; newest first
on the home page; a paginated list); the district's contact phone on its publicity notices; one name for
certificate verification (证书核验)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Announcement, AnnouncementStatus
from audits.services.announcements import announcement_create
from certification.models import ApplicationStatus
from certification.publicity.services import publicity_publish
from tests.factories import PASSWORD, ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_guide_notices_phone_and_verification_name(page, artifacts, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = page.base_url
    binhai = district("120116")
    office = UserFactory(role="municipal", username="notice_office", full_name="市办通知员")
    official = UserFactory(
        role="district", district=binhai, username="notice_official", full_name="滨海联系人"
    )
    # Twenty older notices, so the list page has a second page.
    for i in range(20):
        old = announcement_create(by=office, title=f"往期通知 {i + 1:02d}", body="往期内容。")
        Announcement.objects.filter(pk=old.pk).update(published_at=timezone.now() - dt.timedelta(days=30 - i))
    page.goto(base + "/")
    page.screenshot(path=str(artifacts / "19-14-start.png"), full_page=True)

    # The office publishes a notice, corrects it, and sees it first on the home page.
    sign_in(page, "notice_office")
    page.goto(base + reverse("audits:home"))
    page.get_by_role("link", name="通知公告").click()
    page.get_by_label("标题").fill("关于开展 2026 年度认定申报的通知")
    page.get_by_label("正文").fill("各有关企业：\n\n2026 年度申报自即日起开始，请于 10 月 31 日前提交。")
    page.get_by_role("button", name="发布").click()
    page.wait_for_load_state()
    assert "通知公告已发布" in page.content()
    notice = Announcement.objects.get(title__startswith="关于开展")
    page.locator("[data-testid=announcements]").get_by_role("link", name="修改或撤下").first.click()
    page.get_by_label("标题").fill("关于开展 2026 年度市级高新技术企业认定申报的通知")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_load_state()
    notice.refresh_from_db()
    assert notice.title == "关于开展 2026 年度市级高新技术企业认定申报的通知"
    assert notice.history.count() == 2

    # The district registers its phone; its publicity notice shows it.
    sign_in(page, "notice_official")
    page.get_by_label("区县工作小组联系电话").fill("022-66701234")
    page.locator("[data-testid=contact-phone]").get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "022-66701234" in page.content()
    app = ApplicationFactory(
        enterprise=EnterpriseFactory(name="天津电话公示科技有限公司", district=binhai),
        status=ApplicationStatus.RECOMMENDED,
        composite_score=Decimal("80.00"),
        review_passed=True,
    )
    publicity = publicity_publish(by=official, application_ids=[app.pk], start=timezone.localdate())

    # A visitor: the guide, the notices newest first, the list's pages, the phone, the one name.
    page.context.clear_cookies()
    page.goto(base + "/")
    page.screenshot(path=str(artifacts / "19-14-after.png"), full_page=True)
    guide = page.locator("[data-testid=guide]")
    for heading in (
        "办事指南",
        "谁可以申请",
        "认定条件（第九条）",
        "申报材料（第十条（2））",
        "办理时限",
        "咨询电话",
    ):
        assert guide.get_by_role("heading", name=heading).count() == 1, heading
    assert "注册满六个月" in guide.inner_text() and "40 日" in guide.inner_text()
    assert "中介机构出具的专项审计报告" in guide.inner_text()
    assert "滨海新区" in guide.locator("[data-testid=district-phones]").inner_text()
    assert "022-66701234" in guide.locator("[data-testid=district-phones]").inner_text()
    titles = page.locator("[data-testid=notices] li a").all_inner_texts()
    assert titles[0] == "关于开展 2026 年度市级高新技术企业认定申报的通知"
    assert titles[1:] == ["往期通知 20", "往期通知 19", "往期通知 18", "往期通知 17"]
    page.get_by_role("link", name="更多通知公告").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=notice-list] li").count() == 20
    page.get_by_role("link", name="下一页").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=notice-list] li").all_inner_texts()[0].startswith("往期通知 01")
    page.goto(base + reverse("notice_detail", args=[notice.pk]))
    assert "10 月 31 日前提交" in page.locator("[data-testid=notice]").inner_text()

    page.goto(base + reverse("publicity_notice", args=[publicity.pk]))
    assert page.locator("[data-testid=district-phone]").inner_text() == "022-66701234"
    page.goto(base + reverse("publicity_list"))
    assert "022-66701234" in page.locator("[data-testid=district-phone]").first.inner_text()

    page.goto(base + "/")
    page.get_by_role("link", name="证书核验").click()
    page.wait_for_load_state()
    assert page.title().startswith("证书核验")
    assert "证书核验：输入证书上的证书编号" in page.content()

    # The office withdraws the notice: nothing happens until the confirmation is ticked.
    sign_in(page, "notice_office")
    page.goto(base + reverse("audits:announcement_edit", args=[notice.pk]))
    withdraw = page.locator("[data-testid=announcement-status]")
    withdraw.get_by_role("button", name="撤下").click()
    notice.refresh_from_db()
    assert notice.status == AnnouncementStatus.PUBLISHED
    withdraw.locator("input[name=confirm]").check()
    withdraw.get_by_role("button", name="撤下").click()
    page.wait_for_load_state()
    assert "已撤下" in page.content()
    notice.refresh_from_db()
    assert notice.status == AnnouncementStatus.WITHDRAWN
    page.context.clear_cookies()
    page.goto(base + "/")
    assert "关于开展" not in page.locator("[data-testid=notices]").inner_text()
    assert page.goto(base + reverse("notice_detail", args=[notice.pk])).status == 404
