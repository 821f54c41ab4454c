"""The period targets (总体目标) as data, the half-yearly assessment (半年考核) as a page, a PDF, an .xlsx and
JSON, who sees which districts, bad year or half, and the query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.errors import DomainPermissionDenied, InvalidInput
from listings import selectors, services
from listings.models import PeriodTarget, Stage
from tests.factories import EnterpriseFactory, district

pytestmark = pytest.mark.django_db

BEFORE = {
    Stage.REFORMED: Stage.INTENTION,
    Stage.LISTED: Stage.REFORMED,
    Stage.MERGED_DOMESTIC: Stage.LISTED,
    Stage.MERGED_FOREIGN: Stage.LISTED,
}


def reached(by, code: str, stage: str, day: dt.date) -> None:
    """An enterprise of district ``code`` reaches ``stage`` on ``day`` (a new entry one stage before)."""
    entry = services.entry_add(
        enterprise=EnterpriseFactory(district=district(code)), stage=BEFORE[Stage(stage)], by=by
    )
    services.event_record(
        entry=entry, by=by, to_stage=stage, happened_on=day, reference="文号", market="创业板"
    )


@pytest.fixture
def year_2026(municipal_user):
    """Binhai (120116): 1 reformed in H1, 1 in H2, 1 listed in H1, 1 reformed in December 2025;
    Heping (120101): 1 reformed in H1. Targets 2026: Binhai 4 reformed, 2 listed; Heping 1 reformed;
    the city 150 reformed; the period 2021–2026."""
    by = municipal_user
    reached(by, "120116", Stage.REFORMED, dt.date(2026, 3, 2))
    reached(by, "120116", Stage.REFORMED, dt.date(2026, 8, 3))
    reached(by, "120116", Stage.LISTED, dt.date(2026, 6, 30))
    reached(by, "120116", Stage.REFORMED, dt.date(2025, 12, 31))
    reached(by, "120101", Stage.REFORMED, dt.date(2026, 1, 1))
    services.target_set(year=2026, district=district("120116"), by=by, reformed=4, listed=2)
    services.target_set(year=2026, district=district("120101"), by=by, reformed=1)
    services.target_set(year=2026, district=None, by=by, reformed=150, listed=60)
    services.period_target_set(
        start_year=2021,
        end_year=2026,
        by=by,
        reformed=750,
        listed=400,
        merged_domestic=100,
        merged_foreign=100,
    )


def cell(row, stage: str):
    return next(c for c in row.cells if c.stage == stage)


def row_of(report, code: str | None):
    return next(r for r in report.rows if (r.district.code if r.district else None) == code)


# The period targets as data


def test_the_seeds_period_target_is_loaded():
    period = PeriodTarget.objects.get(start_year=2016)
    assert (
        period.end_year,
        period.reformed,
        period.listed,
        period.merged_domestic,
        period.merged_foreign,
    ) == (
        2020,
        750,
        400,
        100,
        100,
    )
    assert selectors.period_covering(2018) == period
    assert selectors.period_covering(2021) is None


def test_period_target_is_edited_in_place_and_periods_do_not_overlap(municipal_user, official):
    period = services.period_target_set(
        start_year=2016, end_year=2020, by=municipal_user, reformed=800, listed=400, merged_domestic=100
    )
    assert PeriodTarget.objects.count() == 1 and period.reformed == 800 and period.merged_foreign == 0
    assert period.history.latest().reformed == 800
    services.period_target_set(start_year=2021, end_year=2025, by=municipal_user, reformed=900)
    with pytest.raises(InvalidInput) as exc:
        services.period_target_set(start_year=2024, end_year=2027, by=municipal_user, reformed=1)
    assert "2021—2025" in exc.value.errors["end_year"][0]
    with pytest.raises(InvalidInput) as exc:
        services.period_target_set(start_year=2030, end_year=2029, by=municipal_user, listed=-1)
    assert set(exc.value.errors) == {"end_year", "listed"}
    with pytest.raises(DomainPermissionDenied):
        services.period_target_set(start_year=2030, end_year=2031, by=official, reformed=1)
    assert PeriodTarget.objects.count() == 2


def test_progress_page_shows_the_citys_cumulative_progress_against_the_period(
    client, municipal_user, official
):
    reached(municipal_user, "120116", Stage.REFORMED, dt.date(2017, 5, 1))
    reached(municipal_user, "120101", Stage.REFORMED, dt.date(2018, 5, 1))
    reached(municipal_user, "120101", Stage.MERGED_FOREIGN, dt.date(2019, 5, 1))
    assert selectors.period_progress(2017).done == {"reformed": 1}
    assert selectors.period_progress(2019).done == {"reformed": 2, "merged_foreign": 1}
    assert selectors.period_progress(2026) is None
    client.force_login(municipal_user)
    page = client.get(reverse("listings:progress"), {"year": 2018}).content.decode()
    assert 'data-testid="listing-period-progress"' in page
    assert "2016—2020" in page and '<td class="num">750</td>' in page and "0.3%" in page  # 2 of 750
    assert (
        "没有包含该年度的阶段目标"
        in client.get(reverse("listings:progress"), {"year": 2026}).content.decode()
    )
    client.force_login(official)
    assert (
        "listing-period-progress"
        not in client.get(reverse("listings:progress"), {"year": 2018}).content.decode()
    )


def test_targets_page_sets_period_targets_from_data(client, municipal_user):
    client.force_login(municipal_user)
    page = client.get(reverse("listings:targets")).content.decode()
    assert "750 家" not in page  # the figures are data now, not help text
    assert "2016—2020" in page and '<td class="num">750</td>' in page
    response = client.post(
        reverse("listings:targets"),
        {
            "form": "period",
            "period-start_year": 2021,
            "period-end_year": 2025,
            "period-reformed": 900,
            "period-listed": 450,
            "period-merged_domestic": 120,
            "period-merged_foreign": 110,
        },
    )
    assert response.status_code == 302
    assert PeriodTarget.objects.get(start_year=2021).listed == 450
    response = client.post(
        reverse("listings:targets"),
        {
            "form": "period",
            "period-start_year": 2019,
            "period-end_year": 2022,
            "period-reformed": 1,
            "period-listed": 1,
            "period-merged_domestic": 1,
            "period-merged_foreign": 1,
        },
    )
    assert response.status_code == 400
    assert "一个年度只能属于一个阶段" in response.content.decode()
    assert PeriodTarget.objects.count() == 2


# The half-yearly assessment


def test_assessment_counts_the_half_and_the_year_against_targets(year_2026):
    second = selectors.assessment(2026, 2)
    binhai = row_of(second, "120116")
    reformed = cell(binhai, Stage.REFORMED)
    assert (reformed.half, reformed.cumulative, reformed.target, reformed.rate) == (1, 2, 4, 50.0)
    listed = cell(binhai, Stage.LISTED)
    assert (listed.half, listed.cumulative, listed.target, listed.rate) == (0, 1, 2, 50.0)
    assert cell(binhai, Stage.MERGED_DOMESTIC).rate is None  # no target
    city = second.rows[-1]
    assert city.district is None
    assert (cell(city, Stage.REFORMED).half, cell(city, Stage.REFORMED).cumulative) == (1, 3)
    assert cell(city, Stage.REFORMED).rate == 2.0  # 3 of 150
    # The period 2021–2026 counts December 2025 as well.
    assert second.period.start_year == 2021 and second.period_done == {"reformed": 4, "listed": 1}
    first = selectors.assessment(2026, 1)
    reformed = cell(row_of(first, "120116"), Stage.REFORMED)
    assert (reformed.half, reformed.cumulative) == (1, 1)
    heping = cell(row_of(first, "120101"), Stage.REFORMED)
    assert (heping.half, heping.cumulative, heping.rate) == (1, 1, 100.0)
    # Binhai's overall completion in H1: reformed 1 of 4 and listed 1 of 2 → 2 of 6.
    assert row_of(first, "120116").overall == 33.3


def test_assessment_is_a_fixed_number_of_queries(municipal_user, year_2026, django_assert_num_queries):
    with django_assert_num_queries(4):  # the districts, the period target, the counts, the targets
        small = selectors.assessment(2026, 2)
    for code in ("120102", "120103", "120104", "120105"):
        reached(municipal_user, code, Stage.REFORMED, dt.date(2026, 9, 1))
        services.target_set(year=2026, district=district(code), by=municipal_user, reformed=2)
    with django_assert_num_queries(4):
        large = selectors.assessment(2026, 2)
    assert len(large.rows) == len(small.rows)
    assert cell(large.rows[-1], Stage.REFORMED).half == 5


def test_assessment_page_office_sees_every_district_and_the_city(
    client, municipal_user, year_2026, django_assert_max_num_queries
):
    client.force_login(municipal_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("listings:assessment"), {"year": 2026, "half": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert "滨海新区" in page and "和平区" in page and "全市" in page
    assert "2 / 4" in page and "50.0%" in page and "2021—2026" in page


def test_district_official_sees_only_their_district(client, official, year_2026):
    client.force_login(official)
    page = client.get(reverse("listings:assessment"), {"year": 2026, "half": 2}).content.decode()
    assert "滨海新区" in page and "2 / 4" in page
    assert "和平区" not in page and "listing-period" not in page
    data = client.get("/api/v1/listings/assessment/?year=2026&half=2").json()
    assert [r["district"] for r in data["rows"]] == ["120116"] and data["period"] is None
    book = load_workbook(
        io.BytesIO(client.get(reverse("listings:assessment_xlsx"), {"year": 2026, "half": 2}).content)
    )
    names = [row[0] for row in book.active.iter_rows(min_row=4, values_only=True) if row[0]]
    assert names == ["滨海新区"]


def test_default_is_this_years_current_half(client, municipal_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 15, 10, 0))
    client.force_login(municipal_user)
    response = client.get(reverse("listings:assessment"))
    assert response.status_code == 200 and "2026-07-01" in response.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"year": "abc", "half": 1}, "年度应在 2016 至 2100 之间"),
        ({"year": 1999, "half": 1}, "年度应在 2016 至 2100 之间"),
        ({"year": 2026, "half": 3}, "半年应为 1（上半年）或 2（下半年）"),
        ({"year": 2026}, "请选择上半年或下半年"),
        ({"half": 1}, "请填写年度"),
    ],
)
def test_bad_year_or_half_is_a_clear_error(client, municipal_user, params, message):
    client.force_login(municipal_user)
    for name in ("listings:assessment", "listings:assessment_pdf", "listings:assessment_xlsx"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert message in response.content.decode()
    response = client.get("/api/v1/listings/assessment/", params)
    assert response.status_code == 400
    assert message in str(response.json())


def test_pdf_of_the_assessment(client, municipal_user, year_2026):
    client.force_login(municipal_user)
    response = client.get(reverse("listings:assessment_pdf"), {"year": 2026, "half": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "listing-assessment-2026-h1.pdf" in response["Content-Disposition"]


def test_xlsx_of_the_assessment(client, municipal_user, year_2026):
    client.force_login(municipal_user)
    response = client.get(reverse("listings:assessment_xlsx"), {"year": 2026, "half": 2})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:5] == (
        "区",
        "股改完成（本半年）",
        "股改完成（年度累计）",
        "股改完成（年度目标）",
        "股改完成（完成率）",
    )
    binhai = next(r for r in rows if r[0] == "滨海新区")
    assert binhai[1:5] == (1, 2, 4, "50.0%")
    city = next(r for r in rows if r[0] == "全市")
    assert city[1:5] == (1, 3, 150, "2.0%")
    period = rows.index(next(r for r in rows if r[0] == "股改完成" and r[1] == 4))
    assert rows[period][1:4] == (4, 750, "0.5%")


def test_api_assessment(client, municipal_user, year_2026):
    client.force_login(municipal_user)
    data = client.get("/api/v1/listings/assessment/?year=2026&half=2").json()
    assert (data["start"], data["end"]) == ("2026-07-01", "2026-12-31")
    binhai = next(r for r in data["rows"] if r["district"] == "120116")
    assert binhai["cells"][0] == {"stage": "reformed", "half": 1, "cumulative": 2, "target": 4, "rate": 50.0}
    assert data["rows"][-1]["district"] is None
    assert data["period"]["start_year"] == 2021
    assert data["period"]["cells"][0] == {"stage": "reformed", "done": 4, "target": 750, "rate": 0.5}


# The office dashboard's section


def test_office_summary_city_period_and_districts_behind(
    municipal_user, year_2026, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the period target, the counts, the targets with their districts
        summary = selectors.office_summary(2026)
    assert (
        cell(summary.city, Stage.REFORMED).cumulative == 3
        and cell(summary.city, Stage.REFORMED).target == 150
    )
    assert summary.period_done == {"reformed": 4, "listed": 1}
    # Heping reached its 1 of 1; Binhai has 3 of 6 (2 of 4 reformed, 1 of 2 listed): only Binhai is behind.
    assert [r.district.code for r in summary.behind] == ["120116"]
    assert summary.behind[0].overall == 50.0
    services.target_set(year=2026, district=district("120102"), by=municipal_user, reformed=5)
    assert [r.district.code for r in selectors.office_summary(2026).behind] == ["120102", "120116"]


def test_office_dashboard_shows_the_section(client, municipal_user, official, year_2026):
    client.force_login(municipal_user)
    page = client.get("/municipal/dashboard/?year=2026").content.decode()
    assert 'data-testid="dashboard-listings"' in page
    assert "2021—2026" in page and 'data-district="120116"' in page
    client.force_login(official)
    assert "dashboard-listings" not in client.get("/district/dashboard/?year=2026").content.decode()


def test_assessment_page_in_english(client, municipal_user, year_2026, settings):
    client.force_login(municipal_user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("listings:assessment"), {"year": 2026, "half": 2}).content.decode()
    assert "Listing ledger: half-yearly assessment" in page and "Year to date/target" in page
    assert "Period target 2021–2026 (city, cumulative)" in page
    for chinese in ("本半年", "统计期间", "阶段目标", "完成率"):
        assert chinese not in page
    response = client.get(reverse("listings:assessment"), {"year": 2026, "half": 5})
    assert "The half must be 1 (first half) or 2 (second half)." in response.content.decode()
