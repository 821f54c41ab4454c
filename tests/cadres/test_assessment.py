"""The assessment of cadres (考核): the sheet, the computed and hand-scored indicators, finalising,
the ranking and its export, the API, and the list's overdue column."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from cadres import scoring, services
from cadres.models import (
    Assessment,
    AssessmentScore,
    AssessmentSheet,
    CadreLevel,
    HelpList,
    Indicator,
    IndicatorSource,
)
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from districts.models import District
from tests.cadres.conftest import make_cadre
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))


def _record(cadre, entry, day: dt.date, hours: str, effect: str = "解决了问题") -> None:  # type: ignore[no-untyped-def]
    services.record_add(
        by=cadre,
        entry=entry,
        data={
            "helped_on": day,
            "method": "走访",
            "channel": "现场",
            "measures": "对接",
            "effect": effect,
            "hours": hours,
        },
    )


@pytest.fixture
def sheet(office):  # type: ignore[no-untyped-def]
    return services.sheet_create(by=office, year=2026)


def _manual(sheet: AssessmentSheet) -> list[Indicator]:
    return list(sheet.indicators.filter(source=IndicatorSource.MANUAL))


def _full_marks(sheet: AssessmentSheet) -> dict[str, str]:
    return {str(i.pk): str(i.max_score) for i in _manual(sheet)}


# --- The sheet ------------------------------------------------------------------------------------


def test_the_default_sheet_has_the_seeds_indicators_adding_up_to_100(office):
    sheet = services.sheet_create(by=office, year=2026)
    names = list(sheet.indicators.values_list("name", flat=True))
    assert names[:3] == ["责任心", "工作态度", "工作作风"]
    assert {"帮扶次数", "帮扶时长", "企业评价", "培育高新技术企业", "上市融资"} <= set(names)
    assert sum(sheet.indicators.values_list("max_score", flat=True)) == 100


def test_a_new_year_copies_the_previous_years_sheet(office, organisation, sheet):
    first = sheet.indicators.get(name="责任心")
    rows = [
        {
            "name": i.name,
            "max_score": i.max_score + (5 if i.pk == first.pk else 0),
            "source": i.source,
            "full_at": i.full_at,
        }
        for i in sheet.indicators.exclude(name="工作作风")
    ]
    rows[1]["max_score"] += 1  # 工作态度 6 → 7: -6 (工作作风) +5 +1 = 100
    services.sheet_save(by=office, sheet=sheet, rows=rows)
    copy = services.sheet_create(by=organisation, year=2027)
    assert copy.indicators.get(name="责任心").max_score == 13
    assert not copy.indicators.filter(name="工作作风").exists()
    with pytest.raises(InvalidInput) as refused:
        services.sheet_create(by=office, year=2027)
    assert "已存在" in refused.value.errors["year"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_score": "50"}, "满分之和应为 100 分"),
        ({"max_score": "0"}, "满分应为 1 至 100 之间的整数"),
        ({"max_score": "abc"}, "满分应为 1 至 100 之间的整数"),
        ({"name": ""}, "请填写指标名称"),
        ({"name": "工作态度"}, "重复"),
        ({"source": "guess"}, "请选择指标来源"),
    ],
)
def test_a_bad_sheet_is_refused_and_nothing_changes(office, sheet, change, message):
    rows = [
        {"name": i.name, "max_score": str(i.max_score), "source": i.source, "full_at": i.full_at}
        for i in sheet.indicators.all()
    ]
    rows[0] = {**rows[0], **change}
    before = list(sheet.indicators.values_list("name", "max_score"))
    with pytest.raises(InvalidInput) as refused:
        services.sheet_save(by=office, sheet=sheet, rows=rows)
    assert any(message in p for p in refused.value.errors["__all__"])
    assert list(sheet.indicators.values_list("name", "max_score")) == before


def test_a_computed_count_needs_its_standard(office, sheet):
    rows = [
        {"name": i.name, "max_score": i.max_score, "source": i.source, "full_at": ""}
        for i in sheet.indicators.all()
    ]
    with pytest.raises(InvalidInput) as refused:
        services.sheet_save(by=office, sheet=sheet, rows=rows)
    assert any("满分标准" in p for p in refused.value.errors["__all__"])


def test_only_the_office_and_the_municipal_organisation_department_keep_sheets(cadre, entry):
    district_org = UserFactory(username="dorg", role=Role.ORGANISATION, district=entry.enterprise.district)
    for user in (cadre, district_org):
        with pytest.raises(DomainPermissionDenied):
            services.sheet_create(by=user, year=2026)
    assert not AssessmentSheet.objects.exists()


# --- Assessments ----------------------------------------------------------------------------------


def test_the_computed_indicators_come_from_the_periods_ledger(
    office, organisation, entry, cadre, owner, sheet, district_org
):
    with time_machine.travel(dt.datetime(2026, 7, 10, 10, tzinfo=BJ)):
        _record(cadre, entry, dt.date(2026, 3, 1), "10")
        _record(cadre, entry, dt.date(2026, 5, 1), "8", effect="")
        _record(cadre, entry, dt.date(2026, 7, 5), "30")  # second half: not in the half-year's
        services.evaluation_add(by=owner, entry=entry, cadre=cadre, year=2026, half="h1", score=4, text="")
        ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="小结")
        services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
        services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
        services.ledger_file(by=office, ledger=ledger)
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    lines = {s.indicator.name: s for s in assessment.scores.select_related("indicator")}
    assert lines["帮扶次数"].measure == 2 and lines["帮扶次数"].score == Decimal("3.3")  # 10 × 2/6
    assert lines["帮扶时长"].measure == 18 and lines["帮扶时长"].score == Decimal("7.5")  # 10 × 18/24
    assert lines["帮扶案例（帮助企业解决实际问题）"].measure == 1  # only records with an effect
    assert lines["企业评价"].score == Decimal("8.0")  # 10 × 4/5
    assert lines["工作台账按时备案"].score == Decimal("5.0")  # submitted by 31 July and filed
    assert lines["责任心"].score is None
    assert assessment.total == sum(s.score for s in lines.values() if s.score is not None)
    assert assessment.status == "draft"


def test_a_ledger_submitted_after_its_deadline_does_not_count(
    office, organisation, entry, cadre, owner, sheet, district_org
):
    with time_machine.travel(dt.datetime(2026, 8, 3, 10, tzinfo=BJ)):
        ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="晚交")
        services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
        services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
        services.ledger_file(by=office, ledger=ledger)
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    assert assessment.scores.get(indicator__source="ledgers").score == 0


def test_annual_standards_are_doubled():
    assert scoring.computed_score(
        source="records", max_score=10, full_at=Decimal(6), measure=Decimal(6), annual=True
    ) == Decimal("5.0")
    assert scoring.computed_score(
        source="hours", max_score=10, full_at=Decimal(24), measure=Decimal(100), annual=False
    ) == Decimal("10.0")
    assert scoring.computed_score(
        source="evaluation", max_score=10, full_at=None, measure=None, annual=False
    ) == Decimal(0)


def test_scores_finalise_and_then_read_only(organisation, entry, cadre, sheet):
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    with pytest.raises(InvalidInput) as refused:
        services.assessment_finalise(by=organisation, assessment=assessment)
    assert "尚未评分" in refused.value.errors["__all__"][0]
    done = services.assessment_score(
        by=organisation, assessment=assessment, scores=_full_marks(sheet), note="表现突出"
    )
    assert done.total == 55  # the hand-scored 55 points; no ledger data yet
    done = services.assessment_finalise(by=organisation, assessment=done)
    assert done.status == "finalised" and done.finalised_at is not None
    with pytest.raises(ApplicationStateError):
        services.assessment_score(by=organisation, assessment=done, scores={}, note="改")
    with pytest.raises(ApplicationStateError):
        services.assessment_finalise(by=organisation, assessment=done)
    with pytest.raises(ApplicationStateError):  # the sheet is now in use
        services.sheet_save(
            by=organisation, sheet=sheet, rows=[{"name": "x", "max_score": 100, "source": "manual"}]
        )
    assert list(done.history.values_list("status", flat=True)) == ["finalised", "draft", "draft", "draft"]


def test_a_score_above_the_maximum_writes_nothing(organisation, entry, cadre, sheet):
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    first, second = _manual(sheet)[:2]
    for bad in ("9", "-1", "2.25", "abc", "NaN"):
        with pytest.raises(InvalidInput) as refused:
            services.assessment_score(
                by=organisation,
                assessment=assessment,
                scores={str(first.pk): "5", str(second.pk): bad},
                note="",
            )
        assert "得分应在 0 至 6 分之间" in refused.value.errors[f"score_{second.pk}"][0]
    with pytest.raises(InvalidInput):
        services.assessment_score(by=organisation, assessment=assessment, scores={"999999": "1"}, note="")
    assert not AssessmentScore.objects.filter(score__isnull=False, indicator__source="manual").exists()


def test_opening_needs_a_sheet_a_paired_cadre_and_once_per_period(
    organisation, office, entry, cadre, other_cadre
):
    with pytest.raises(InvalidInput) as refused:
        services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    assert "还没有考核评分表" in refused.value.errors["year"][0]
    services.sheet_create(by=office, year=2026)
    with pytest.raises(InvalidInput) as refused:
        services.assessment_open(by=organisation, cadre=other_cadre, year=2026, half="h1")
    assert "cadre" in refused.value.errors
    services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    with pytest.raises(InvalidInput):
        services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    services.assessment_open(by=organisation, cadre=cadre, year=2026, half="year")  # the annual one
    with pytest.raises(DomainPermissionDenied):
        services.assessment_open(by=office, cadre=cadre, year=2027, half="h1")
    assert Assessment.objects.count() == 2


def test_a_district_organisation_department_assesses_only_its_division_level_cadres(
    office, entry, cadre, sheet
):
    district_org = UserFactory(username="dorg", role=Role.ORGANISATION, district=entry.enterprise.district)
    with pytest.raises(DomainPermissionDenied):  # cadre is bureau-level (考核意见 五)
        services.assessment_open(by=district_org, cadre=cadre, year=2026, half="h1")
    other = services.entry_add(
        by=office,
        enterprise=EnterpriseFactory(district=District.objects.get(code="120101")),
        help_list=HelpList.HALF_BILLION,
        is_key=False,
        year_added=2026,
    )
    division = make_cadre("div", CadreLevel.DIVISION)
    services.assignment_set(
        by=office, entry=other, cadre=division, kind="primary", starts_on=dt.date(2026, 1, 1)
    )
    with pytest.raises(DomainPermissionDenied):  # another district's enterprise
        services.assessment_open(by=district_org, cadre=division, year=2026, half="h1")
    assert not Assessment.objects.exists()


# --- The ranking ----------------------------------------------------------------------------------


def _finalised(organisation, sheet, cadre, cut: int = 0) -> Assessment:  # type: ignore[no-untyped-def]
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    scores = _full_marks(sheet)
    first = _manual(sheet)[0]
    scores[str(first.pk)] = str(first.max_score - cut)
    services.assessment_score(by=organisation, assessment=assessment, scores=scores, note="")
    return services.assessment_finalise(by=organisation, assessment=assessment)


def _pair(office, username: str, level: str = CadreLevel.BUREAU):  # type: ignore[no-untyped-def]
    e = services.entry_add(
        by=office,
        enterprise=EnterpriseFactory(),
        help_list=HelpList.BILLION if level == CadreLevel.BUREAU else HelpList.HALF_BILLION,
        is_key=False,
        year_added=2026,
    )
    user = make_cadre(username, level)
    services.assignment_set(by=office, entry=e, cadre=user, kind="primary", starts_on=dt.date(2026, 1, 1))
    return user


def test_the_ranking_shares_ranks_on_ties_and_filters_by_level(
    client, office, organisation, entry, cadre, sheet
):
    _finalised(organisation, sheet, cadre, cut=2)
    _finalised(organisation, sheet, _pair(office, "a_tie"))
    _finalised(organisation, sheet, _pair(office, "b_tie"))
    _finalised(organisation, sheet, _pair(office, "div", CadreLevel.DIVISION), cut=5)
    services.assessment_open(by=organisation, cadre=_pair(office, "drafty"), year=2026, half="h1")
    client.force_login(organisation)
    response = client.get(reverse("cadres:assessments"), {"year": "2026", "half": "h1"})
    assert response.status_code == 200
    rows = [(a.cadre.username, a.rank, a.tied) for a in response.context["page"].object_list]
    assert rows == [("a_tie", 1, 2), ("b_tie", 1, 2), ("cadre1", 3, 1), ("div", 4, 1)]
    page = response.content.decode()
    assert "并列，2 人同分" in page and "干部drafty" in page  # the draft is listed, unranked
    response = client.get(reverse("cadres:assessments"), {"year": "2026", "half": "h1", "level": "division"})
    assert [a.cadre.username for a in response.context["page"].object_list] == ["div"]


def test_the_ranking_pins_its_queries(client, office, organisation, sheet, django_assert_max_num_queries):
    for i in range(22):
        _finalised(organisation, sheet, _pair(office, f"c{i:02}"), cut=i % 3)
    client.force_login(organisation)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cadres:assessments"), {"year": "2026", "half": "h1"})
    assert response.context["page"].paginator.count == 22
    assert len(response.context["page"].object_list) == 20


def test_the_export_for_commendation(
    client, office, organisation, entry, cadre, sheet, django_assert_max_num_queries
):
    _finalised(organisation, sheet, cadre)
    for i in range(5):
        _finalised(organisation, sheet, _pair(office, f"x{i}"), cut=1)
    client.force_login(office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cadres:assessment_export"), {"year": "2026", "half": "h1"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["名次", "并列人数", "帮扶干部"] and "责任心（8）" in header
    assert [c.value for c in ws[2]][:3] == [1, 1, "干部cadre1"]
    assert [c.value for c in ws[3]][:2] == [2, 5]
    assert ws.max_row == 7


# --- Pages ----------------------------------------------------------------------------------------


def test_the_organisation_department_assesses_in_the_browser(client, organisation, entry, cadre, sheet):
    client.force_login(organisation)
    response = client.post(
        reverse("cadres:assessment_new"), {"cadre": cadre.pk, "year": "2026", "half": "h1"}
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cadres:assessment", args=[assessment.pk]
    )
    form = {f"score_{k}": v for k, v in _full_marks(sheet).items()}
    assert (
        client.post(reverse("cadres:assessment", args=[assessment.pk]), {**form, "note": "好"}).status_code
        == 302
    )
    # Finalising needs the confirmation box.
    client.post(reverse("cadres:assessment_finalise", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    client.post(reverse("cadres:assessment_finalise", args=[assessment.pk]), {"confirm": "on"})
    assessment.refresh_from_db()
    assert assessment.status == "finalised" and assessment.total == 55
    page = client.get(reverse("cadres:assessment", args=[assessment.pk])).content.decode()
    assert "本考核已定稿，只读" in page and "保存得分" not in page
    response = client.post(reverse("cadres:assessment", args=[assessment.pk]), {**form, "note": "改"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.note == "好"


def test_a_bad_score_in_the_browser_is_a_form_error(client, organisation, entry, cadre, sheet):
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    first = _manual(sheet)[0]
    client.force_login(organisation)
    response = client.post(
        reverse("cadres:assessment", args=[assessment.pk]), {f"score_{first.pk}": "80", "note": ""}
    )
    assert response.status_code == 400
    assert "得分应在 0 至 8 分之间" in response.content.decode()
    assert not AssessmentScore.objects.filter(indicator=first, score__isnull=False).exists()


def test_a_bad_open_form_is_a_400(client, organisation, entry, cadre):
    client.force_login(organisation)
    response = client.post(
        reverse("cadres:assessment_new"), {"cadre": cadre.pk, "year": "2026", "half": "h1"}
    )
    assert response.status_code == 400 and "还没有考核评分表" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_sheet_pages(client, office, sheet):
    client.force_login(office)
    assert "2026" in client.get(reverse("cadres:sheets")).content.decode()
    response = client.post(reverse("cadres:sheets"), {"year": "2026"})
    assert response.status_code == 400 and "已存在" in response.content.decode()
    indicators = list(sheet.indicators.all())
    data = {"ind-TOTAL_FORMS": str(len(indicators) + 1), "ind-INITIAL_FORMS": str(len(indicators))}
    for n, i in enumerate(indicators):
        data |= {
            f"ind-{n}-name": i.name,
            f"ind-{n}-max_score": str(i.max_score),
            f"ind-{n}-source": i.source,
            f"ind-{n}-full_at": str(i.full_at or ""),
        }
    bad = {**data, "ind-0-max_score": "20"}
    response = client.post(reverse("cadres:sheet", args=[sheet.pk]), bad)
    assert response.status_code == 400 and "现为 112 分" in response.content.decode()
    assert sheet.indicators.get(position=1).max_score == 8
    good = {
        **data,
        "ind-0-max_score": "4",
        f"ind-{len(indicators)}-name": "创新案例",
        f"ind-{len(indicators)}-max_score": "4",
        f"ind-{len(indicators)}-source": "manual",
    }
    assert client.post(reverse("cadres:sheet", args=[sheet.pk]), good).status_code == 302
    assert sheet.indicators.count() == len(indicators) + 1


def test_the_cadre_and_the_enterprise_cannot_see_assessments(
    client, organisation, entry, cadre, owner, sheet
):
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    for user in (cadre, owner):
        client.force_login(user)
        assert client.get(reverse("cadres:assessments")).status_code == 403
        assert client.get(reverse("cadres:assessment", args=[assessment.pk])).status_code == 403
    other_org = UserFactory(
        username="org2", role=Role.ORGANISATION, district=District.objects.get(code="120101")
    )
    client.force_login(other_org)
    assert client.get(reverse("cadres:assessment", args=[assessment.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------------


def test_the_api_opens_scores_finalises_and_ranks(client, organisation, office, entry, cadre, sheet):
    client.force_login(organisation)
    url = reverse("api-cadres-assessments")
    response = client.post(
        url, {"cadre": "cadre1", "year": 2026, "half": "h1"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert len(response.json()["scores"]) == sheet.indicators.count()
    bad = client.post(
        reverse("api-cadres-assessment-scores", args=[pk]),
        {"scores": {str(_manual(sheet)[0].pk): "99"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert AssessmentScore.objects.filter(score__isnull=False, indicator__source="manual").count() == 0
    ok = client.post(
        reverse("api-cadres-assessment-scores", args=[pk]),
        {"scores": _full_marks(sheet)},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["total"] == "55.0"
    assert client.post(reverse("api-cadres-assessment-finalise", args=[pk])).status_code == 200
    assert client.post(reverse("api-cadres-assessment-finalise", args=[pk])).status_code == 409
    client.force_login(office)
    ranking = client.get(url, {"year": 2026, "half": "h1"})
    assert ranking.status_code == 200
    assert [(r["rank"], r["tied"], r["cadre_username"]) for r in ranking.json()["results"]] == [
        (1, 1, "cadre1")
    ]
    assert client.get(url, {"year": "x", "half": "h1"}).status_code == 400
    assert (
        client.post(
            url, {"cadre": "cadre1", "year": 2026, "half": "year"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.get(reverse("api-cadres-assessment-sheets")).json()["results"][0]["year"] == 2026


def test_the_api_refuses_a_bad_open_with_a_400(client, organisation, entry, sheet):
    client.force_login(organisation)
    response = client.post(
        reverse("api-cadres-assessments"),
        {"cadre": "nobody", "year": 2026, "half": "h1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()


# --- The overdue column ---------------------------------------------------------------------------


def test_the_list_shows_overdue_development_data_in_one_query(
    client, office, owner, entry, django_assert_num_queries
):
    late = services.entry_add(
        by=office,
        enterprise=EnterpriseFactory(name="逾期企业"),
        help_list="billion",
        is_key=False,
        year_added=2026,
    )
    services.development_save(
        by=owner,
        entry=entry,
        year=2026,
        half="h1",
        values=dict.fromkeys(
            (
                "revenue",
                "profit",
                "tax",
                "rd_spending",
                "employees",
                "patents",
                "invention_patents",
                "rd_staff",
                "new_products",
                "high_tech_revenue",
            ),
            "1",
        ),
    )
    for _i in range(20):
        services.entry_add(
            by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
        )
    client.force_login(office)
    with time_machine.travel(dt.datetime(2026, 8, 1, 10, tzinfo=BJ)):
        # the same 7 queries as without the column (tests/cadres/test_views.py, test_the_list_pins_its_queries)
        with django_assert_num_queries(7):
            response = client.get(reverse("cadres:home"), {"q": "企业"})
    rows = {e.enterprise.name: e.overdue for e in response.context["page"].object_list}
    assert rows["逾期企业"] is True and rows["帮扶测试企业"] is False
    assert "2026 年上半年逾期未填报" in response.content.decode()
    with time_machine.travel(dt.datetime(2026, 7, 31, 10, tzinfo=BJ)):  # the last day: 2025's year is due
        response = client.get(reverse("cadres:home"), {"q": "逾期"})
    assert (
        response.context["page"].object_list[0].overdue is False
    )  # listed in 2026: 2025 is outside its span
    assert late.pk


def test_finalising_is_the_workflows_one_pair():
    from certification.workflow import ASSESSMENT_PAIRS, PAIRS

    assert PAIRS["assessment"] is ASSESSMENT_PAIRS == frozenset({("draft", "finalised")})


def test_the_assessment_and_sheet_pages_pin_their_queries(
    client, office, organisation, entry, cadre, sheet, django_assert_max_num_queries
):
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    for year in range(2015, 2025):
        services.sheet_create(by=office, year=year)
    client.force_login(organisation)
    # session, user, inbox count, the visibility check, the assessment with its scores and their
    # indicators (no session save: the sign-in renewed the session)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("cadres:assessment", args=[assessment.pk]))
    assert response.status_code == 200 and len(response.context["lines"]) == sheet.indicators.count()
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cadres:sheets"))
    assert response.context["page"].paginator.count == 11
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cadres:sheet", args=[sheet.pk]))
    assert response.status_code == 200 and response.context["in_use"] is True
