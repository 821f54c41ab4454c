"""The assessment of cadres in Chromium: the organisation department opens a cadre's half-year
assessment, enters a bad score (the form again), scores, finalises after ticking the confirmation, and
the cadre appears in the ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from cadres import services
from cadres.models import Assessment, Cadre
from tests.browser.test_cadres_flow import login
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_assess_finalise_and_rank(page, artifacts):
    office = UserFactory(municipal=True, username="flow_office")
    UserFactory(username="flow_org", role=Role.ORGANISATION, full_name="市委组织部")
    cadre = UserFactory(username="flow_cadre", role=Role.CADRE, full_name="周建华")
    Cadre.objects.create(user=cadre, level="bureau", unit="市科委")
    entry = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
    )
    services.assignment_set(
        by=office, entry=entry, cadre=cadre, kind="primary", starts_on=dt.date(2026, 1, 1)
    )
    sheet = services.sheet_create(by=office, year=2026)

    login(page, "flow_org")
    page.goto(page.base_url + reverse("cadres:assessments") + "?year=2026&half=h1")
    page.get_by_role("link", name="考核帮扶干部").click()
    page.get_by_label("帮扶干部").select_option(label="周建华")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已建立考核草稿" in page.content()

    manual = sheet.indicators.filter(source="manual")
    page.get_by_label("责任心（0–8）").fill("9")
    page.get_by_role("button", name="保存得分").click()
    assert "得分应在 0 至 8 分之间" in page.content()  # the form again, nothing written
    for indicator in manual:
        page.get_by_label(f"{indicator.name}（0–{indicator.max_score}）").fill(str(indicator.max_score))
    page.get_by_role("button", name="保存得分").click()
    assert "55.0" in page.get_by_test_id("total").inner_text()

    finalise = page.get_by_test_id("finalise")
    finalise.get_by_role("button", name="定稿").click()  # without the confirmation: refused
    page.wait_for_load_state()
    assert Assessment.objects.get().status == "draft"
    page.get_by_label("我已核对全部得分，定稿后不能修改").check()
    page.get_by_test_id("finalise").get_by_role("button", name="定稿").click()
    page.wait_for_load_state()
    assert Assessment.objects.get().status == "finalised"
    assert "周建华" in page.get_by_test_id("ranking").inner_text()
    page.screenshot(path=str(artifacts / "cadres-03-ranking.png"), full_page=True)
