"""The dashboards in Chromium: the municipal office's city dashboard and a district official's.

Seeded with a few districts' applications (with their status transitions), certificates, targets and
pool entries; checks that each chart (server-side SVG) and the accessible table beside it are there
with the numbers of the data, and saves full-page screenshots to var/test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audits.models import Target
from tests.audits import builders as b
from tests.factories import PASSWORD, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2026

# (district, status, field, transitions up to the status, certificate issued on)
SEED = (
    ("120116", "certified", "0101", "2026-02-02", dt.date(2026, 3, 16)),
    ("120116", "certified", "0203", "2026-03-02", dt.date(2026, 5, 11)),
    ("120116", "filed", "0101", "2026-06-01", None),
    ("120116", "accepted", "0301", "2026-09-01", None),
    ("120101", "certified", "0101", "2026-02-09", dt.date(2026, 5, 20)),
    ("120101", "submitted", "0405", "2026-10-12", None),
    ("120101", "submitted", "0101", "2026-10-19", None),
    ("120104", "under_review", "0203", "2026-08-03", None),
    ("120104", "in_publicity", "0301", "2026-07-06", None),
)
PATH = (
    ("submitted", 0),
    ("accepted", 3),
    ("under_review", 6),
    ("reviewed", 18),
    ("recommended", 20),
    ("in_publicity", 22),
    ("publicity_passed", 34),
    ("filed", 36),
    ("approved", 45),
    ("certified", 50),
)


def seed() -> None:
    official = UserFactory(official=True, username="dash_official_binhai")
    office = UserFactory(municipal=True, username="dash_office")
    for code, status, field_code, start, issued_on in SEED:
        app = b.application(code, status=status, field_code=field_code, year=YEAR)
        begin = dt.date.fromisoformat(start)
        depth = [s for s, _ in PATH].index(status) + 1
        steps = [(s, f"{begin + dt.timedelta(days=d)} 10:00") for s, d in PATH[:depth]]
        if depth >= 2:
            app.review_deadline = begin + dt.timedelta(days=3 + 40)
            app.save(update_fields=["review_deadline"])
        b.transitions(app, steps, by=official)
        if issued_on:
            b.certificate(app, issued_on, official)
    for code, readiness, cultivation in (
        ("120116", "ready", True),
        ("120116", "close", False),
        ("120116", "far", False),
        ("120101", "ready", False),
        ("120104", "close", True),
    ):
        b.pool_entry(code, readiness=readiness, cultivation=cultivation)
    for code, certified, pool in (("120116", 10, 20), ("120101", 4, 8), ("120104", 6, 12)):
        Target.objects.create(
            year=YEAR, district=district(code), certified_target=certified, pool_target=pool, set_by=office
        )


def login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def cells(page, testid: str, row: str) -> list[str]:
    return [t.strip() for t in page.locator(f'[data-testid="{testid}"] tr{row} td').all_inner_texts()]


def test_city_dashboard_charts_and_tables(page, artifacts, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, 0, tzinfo=b.BJ), tick=True)
    seed()
    login(page, "dash_office")
    page.goto(page.base_url + reverse("audits:dashboard") + f"?year={YEAR}")
    assert page.get_by_test_id("dashboard-title").inner_text() == f"全市工作看板 · {YEAR} 年"
    page.screenshot(path=str(artifacts / "dashboard-city.png"), full_page=True)

    # Every chart is an SVG with its title, beside a table with the same numbers.
    blocks = page.locator("section.chart-block")
    assert blocks.count() == 7
    for i in range(blocks.count()):
        block = blocks.nth(i)
        assert block.locator("figure svg[role=img] > title").count() == 1
        assert block.locator("table").count() == 1
        box = block.locator("figure svg").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 60

    assert page.locator('[data-testid="kpi-certified"] strong').inner_text() == "3"
    assert "目标 20 家" in page.get_by_test_id("kpi-certified").inner_text()
    assert page.locator('[data-testid="kpi-applications"] strong').inner_text() == "9"
    assert page.locator('[data-testid="kpi-pool"] strong').inner_text() == "5"
    # Filed: the three certified and the one filed; the filed dates fall on the 36th-39th day.
    assert page.locator('[data-testid="kpi-timely"] strong').inner_text() == "100.0%"
    assert cells(page, "table-pipeline", '[data-status="certified"]') == ["3"]
    assert cells(page, "table-pipeline", '[data-status="submitted"]') == ["2"]
    # March: 1, May: 2 (cumulative 3).
    months = page.locator('[data-testid="table-certified"] tbody tr')
    assert [t.strip() for t in months.nth(2).locator("td").all_inner_texts()] == ["1", "1"]
    assert [t.strip() for t in months.nth(4).locator("td").all_inner_texts()] == ["2", "3"]
    assert cells(page, "table-districts", '[data-district="120116"]')[:3] == ["2", "10", "4"]
    assert cells(page, "table-districts", '[data-district="120101"]')[:3] == ["1", "4", "3"]
    assert cells(page, "table-districts", '[data-district="120104"]')[:3] == ["0", "6", "2"]
    # The SVG bars say the same: one bar per district with a tooltip naming it.
    assert page.locator("section[aria-labelledby=h-districts] svg title", has_text="滨海新区").count() >= 1

    # Nothing overflows the page sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_district_official_sees_their_district_dashboard(page, artifacts, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, 0, tzinfo=b.BJ), tick=True)
    seed()
    login(page, "dash_official_binhai")
    page.goto(page.base_url + reverse("districts:dashboard") + f"?year={YEAR}")
    assert page.get_by_test_id("dashboard-title").inner_text() == f"滨海新区工作看板 · {YEAR} 年"
    assert page.locator('[data-testid="kpi-certified"] strong').inner_text() == "2"
    assert page.locator('[data-testid="kpi-applications"] strong').inner_text() == "4"
    assert page.locator('[data-testid="kpi-pool"] strong').inner_text() == "3"
    assert cells(page, "table-pipeline", '[data-status="accepted"]') == ["1"]
    assert page.get_by_test_id("table-districts").count() == 0  # no other district's numbers
    assert page.locator("section.chart-block figure svg").count() == 6
    page.screenshot(path=str(artifacts / "dashboard-district.png"), full_page=True)
