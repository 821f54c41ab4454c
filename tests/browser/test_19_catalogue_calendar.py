"""#19 point 15: in English the technology-field catalogue is shown in English; the office's calendar
page shows a month grid of working days and holidays before the year is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from workdays.models import CalendarYear

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCHEDULE = "2027-01-01 休 元旦\n2027-02-05 至 2027-02-13 休 春节\n2027-02-14 班 春节调休"


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_field_catalogue_in_english(page, artifacts):
    page.goto(page.base_url + reverse("self_check"))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    select = page.locator('[name="field_code"]')
    options = select.locator("option").all_inner_texts()
    groups = [g.get_attribute("label") for g in select.locator("optgroup").all()]
    page.screenshot(path=str(artifacts / "19-15-english-after.png"), full_page=True)
    assert "0101 Software" in options
    assert "0205 Medical instruments, equipment and medical software" in options
    assert "01 Electronic information" in groups
    assert not any("软件" in o or "电子信息" in o for o in options + groups)
    # Back in Chinese the catalogue's own names are shown.
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert "0101 软件" in page.locator('[name="field_code"] option').all_inner_texts()


def test_calendar_month_grid_before_saving(page, artifacts, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(role="municipal", username="calendar_office", full_name="市办日历员")
    sign_in(page, "calendar_office")
    page.goto(page.base_url + reverse("audits:calendar"))
    page.get_by_label("年度").fill("2027")
    page.get_by_label("放假与调休安排（每行一条）").fill(SCHEDULE)
    page.get_by_role("button", name="预览月历").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "19-15-after.png"), full_page=True)

    preview = page.locator("[data-testid=calendar-preview]")
    assert preview.count() == 1
    assert page.locator(".cal-month").count() == 12
    cell = preview.locator
    assert cell('[data-date="2027-02-08"]').get_attribute("data-kind") == "holiday"  # a Monday off
    assert cell('[data-date="2027-02-14"]').get_attribute("data-kind") == "makeup"  # a Sunday worked
    assert cell('[data-date="2027-02-20"]').get_attribute("data-kind") == "weekend"
    assert cell('[data-date="2027-03-01"]').get_attribute("data-kind") == "workday"
    # February 2027: 20 weekdays, 7 of them off, one Sunday worked.
    assert "15 个工作日" in preview.locator("[data-testid=month-2] caption").inner_text()
    assert not CalendarYear.objects.filter(year=2027, official=True).exists()

    preview.locator("input[name=checked]").check()
    preview.get_by_role("button", name="保存为官方安排").click()
    page.wait_for_load_state()
    assert "2027 年工作日历已录入为官方安排。" in page.content()
    year = CalendarYear.objects.get(year=2027)
    assert year.official and year.entered_by.username == "calendar_office"
