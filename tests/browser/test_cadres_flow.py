"""The cadre help ledger in Chromium: the cadre signs in (lands on their list), adds a help record and
submits the half-year ledger; the enterprise confirms it (企业确认); the district's organisation department
reviews it (区县审核); the municipal office files it (市级备案)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from cadres import services
from cadres.models import Cadre, HelpRecord, Ledger
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_record_ledger_review_and_filing(page, artifacts):
    office = UserFactory(municipal=True, username="flow_office")
    cadre = UserFactory(username="flow_cadre", role=Role.CADRE, full_name="周建华")
    Cadre.objects.create(user=cadre, level="bureau", unit="市科委")
    enterprise = EnterpriseFactory(name="天津帮扶流程科技有限公司")
    UserFactory(username="flow_org", role=Role.ORGANISATION, district=enterprise.district)
    UserFactory(username="flow_owner", role=Role.ENTERPRISE, enterprise=enterprise)
    entry = services.entry_add(
        by=office, enterprise=enterprise, help_list="billion", is_key=False, year_added=2026
    )
    services.assignment_set(
        by=office, entry=entry, cadre=cadre, kind="primary", starts_on=dt.date(2026, 1, 1)
    )

    # The cadre lands on their list and opens their enterprise.
    login(page, "flow_cadre")
    assert page.url.endswith(reverse("cadres:home"))
    page.get_by_role("link", name="天津帮扶流程科技有限公司").click()
    page.get_by_test_id("add-record").click()
    page.get_by_label("帮扶日期").fill("2026-03-02")
    page.get_by_label("帮扶方式").fill("走访")
    page.get_by_label("帮扶渠道").fill("现场")
    page.get_by_label("帮扶措施").fill("对接高校联合研发")
    page.get_by_label("帮扶时长（小时）").fill("0")
    page.get_by_role("button", name="保存").click()
    assert "帮扶时长应为" in page.content()  # a bad value: the form again, nothing written
    assert not HelpRecord.objects.exists()
    page.get_by_label("帮扶时长（小时）").fill("3.5")
    page.get_by_role("button", name="保存").click()
    assert "对接高校联合研发" in page.get_by_test_id("records").inner_text()
    page.get_by_test_id("submit-ledger").click()
    page.get_by_label("年度").fill("2026")
    page.get_by_label("期间").select_option("h1")
    page.get_by_label("半年帮扶小结").fill("走访一次，促成校企合作。")
    page.get_by_role("button", name="保存").click()
    assert "已提交，待企业确认" in page.get_by_test_id("ledger-list").inner_text()
    page.screenshot(path=str(artifacts / "cadres-01-cadre.png"), full_page=True)

    # The enterprise confirms it (the box is the confirmation).
    login(page, "flow_owner")
    page.goto(page.base_url + reverse("cadres:detail", args=[entry.pk]))
    page.get_by_label("我已核对本期帮扶台账的内容").check()
    page.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state()
    assert "企业已确认，待区县审核" in page.get_by_test_id("ledger-list").inner_text()
    assert Ledger.objects.get().status == "confirmed"

    # The district's organisation department reviews it.
    login(page, "flow_org")
    page.goto(page.base_url + reverse("cadres:ledgers"))
    page.get_by_label("审核结果").select_option("pass")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "已审核台账" in page.content()
    assert Ledger.objects.get().status == "district_reviewed"

    # The office files it.
    login(page, "flow_office")
    page.goto(page.base_url + reverse("cadres:ledgers"))
    assert "天津帮扶流程科技有限公司" in page.get_by_test_id("ledgers").inner_text()
    page.get_by_role("button", name="市级备案").click()
    page.wait_for_load_state()
    assert Ledger.objects.get().status == "filed"
    page.goto(page.base_url + reverse("cadres:detail", args=[entry.pk]))
    assert "市级已备案" in page.get_by_test_id("ledger-list").inner_text()
    page.screenshot(path=str(artifacts / "cadres-02-filed.png"), full_page=True)
