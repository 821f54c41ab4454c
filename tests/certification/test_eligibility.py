"""Pure tests of certification.eligibility (no database, no Django needed).

Run alone with: ``.venv/bin/pytest tests/certification/test_eligibility.py -p no:django -q``.
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from certification.eligibility.engine import (
    ACQUISITION_LABELS,
    CONDITION_CODES,
    DEFAULT_RULE_SET,
    IP_KIND_LABELS,
    RULE_SET_CODES,
    RULESET_DIR,
    ConditionResult,
    EligibilityInput,
    EligibilityResult,
    FiscalYear,
    IPItem,
    RuleSet,
    Staff,
    add_months,
    evaluate,
    ip_window,
    load_rule_set,
    load_rule_set_data,
    parse_input,
    validate_payload,
)

TJ = "tianjin-2015"
NAT = "national-2016"
FIELDS = frozenset({"E01", "E02", "B01"})
AS_OF = date(2026, 11, 27)
D = Decimal


def fy(
    year: int,
    sales: str = "10000000",
    rd: str = "800000",
    domestic: str | None = None,
    total: str | None = None,
    hightech: str | None = None,
) -> FiscalYear:
    """A fiscal year that passes every ratio of both rule sets unless told otherwise."""
    total_revenue = D(total) if total is not None else D(sales)
    return FiscalYear(
        year=year,
        sales_revenue=D(sales),
        total_revenue=total_revenue,
        hightech_revenue=D(hightech) if hightech is not None else total_revenue * D("0.7"),
        rd_expense=D(rd),
        rd_expense_domestic=D(domestic) if domestic is not None else D(rd),
        total_assets=D("50000000"),
    )


def make_input(**changes: Any) -> EligibilityInput:
    """An enterprise that passes every condition of both rule sets."""
    base = EligibilityInput(
        as_of=AS_OF,
        registered_on=date(2020, 3, 1),
        registered_in_tianjin=True,
        field_code="E01",
        ip=[IPItem("invention_patent", date(2024, 5, 1), "self_developed", None)],
        staff=Staff(total=100, tech_college=25, rd=10),
        fiscal_years=[fy(2022), fy(2023), fy(2024)],
        composite_score=D("75"),
    )
    return replace(base, **changes)


def check(
    inp: EligibilityInput, rule_set: str = TJ, field_codes: frozenset[str] | None = FIELDS
) -> EligibilityResult:
    return evaluate(inp, load_rule_set(rule_set), field_codes=field_codes)


def cond(inp: EligibilityInput, code: str, rule_set: str = TJ) -> ConditionResult:
    return check(inp, rule_set).condition(code)


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rule_set": TJ,
        "as_of": "2026-11-27",
        "registered_on": "2020-03-01",
        "registered_in_tianjin": True,
        "field_code": "E01",
        "ip": [
            {
                "kind": "invention_patent",
                "acquired_on": "2024-05-01",
                "acquisition": "self_developed",
                "licence_years": None,
            }
        ],
        "staff": {"total": 100, "tech_college": 20, "rd": 7},
        "fiscal_years": [
            {
                "year": 2024,
                "sales_revenue": "10000000.00",
                "total_revenue": "12000000",
                "hightech_revenue": "7000000",
                "rd_expense": "600000",
                "rd_expense_domestic": "500000",
                "total_assets": "30000000",
            },
            {
                "year": 2023,
                "sales_revenue": 9000000,
                "total_revenue": 9500000.5,
                "hightech_revenue": "6000000",
                "rd_expense": "450000",
                "rd_expense_domestic": "450000",
                "total_assets": "28000000",
            },
        ],
        "composite_score": 65,
    }
    body.update(changes)
    return body


# --------------------------------------------------------------------------------------------------
# Rule sets as data
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", RULE_SET_CODES)
def test_rule_set_files_are_self_describing(code: str) -> None:
    data = json.loads((RULESET_DIR / f"{code}.json").read_text(encoding="utf-8"))
    assert data["code"] == code
    assert {"code", "name", "version", "clauses", "thresholds"} <= set(data)
    assert set(data["clauses"]) == set(CONDITION_CODES)
    assert data["thresholds"]["panel"] == {"min_panel": 5, "min_technical_share": "0.6", "min_financial": 1}

    def no_floats(node: Any) -> None:
        assert not isinstance(node, float), f"{code}: money and ratios must be strings"
        if isinstance(node, dict):
            for v in node.values():
                no_floats(v)
        elif isinstance(node, list):
            for v in node:
                no_floats(v)

    no_floats(data)
    assert load_rule_set_data(code) == data


def test_tianjin_rule_set_values() -> None:
    rs = load_rule_set(TJ)
    assert DEFAULT_RULE_SET == TJ
    assert rs.name == "天津市市级高新技术企业认定管理办法（2015）"
    assert rs.clauses["tech_staff_ratio"] == "第九条（三）"
    assert rs.clauses["registration"] == "第二条"
    assert (rs.tech_staff_min_ratio, rs.rd_staff_min_ratio) == (D("0.20"), D("0.07"))
    assert [b.min_ratio for b in rs.rd_expense_bands] == [D("0.05"), D("0.03"), D("0.02")]
    assert rs.rd_expense_fiscal_years == 2
    assert (rs.score_threshold, rs.score_strict) == (D(60), True)
    assert (rs.registration_min_months, rs.registration_min_days, rs.require_tianjin) == (6, None, True)
    assert (rs.exclusive_license_counts, rs.exclusive_license_min_years) == (True, 5)
    assert rs.panel.min_technical_share == D("0.6")


def test_national_rule_set_values() -> None:
    rs = load_rule_set(NAT)
    assert rs.clauses["composite_score"] == "第十一条（七）"
    assert rs.tech_staff_min_ratio == D("0.10")
    assert rs.rd_staff_min_ratio is None
    assert [b.min_ratio for b in rs.rd_expense_bands] == [D("0.05"), D("0.04"), D("0.03")]
    assert rs.rd_expense_fiscal_years == 3
    assert rs.hightech_revenue_min_ratio == D("0.60")
    assert (rs.score_threshold, rs.score_strict) == (D(71), False)
    assert (rs.registration_min_months, rs.registration_min_days) == (None, 365)
    assert rs.exclusive_license_counts is False


def test_load_rule_set_is_cached_and_rejects_unknown_codes() -> None:
    assert load_rule_set(TJ) is load_rule_set(TJ)
    with pytest.raises(KeyError):
        load_rule_set("beijing-2020")
    with pytest.raises(KeyError):
        load_rule_set("../tianjin-2015")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("clauses"),
        lambda d: d["clauses"].pop("field"),
        lambda d: d["thresholds"]["tech_staff_ratio"].update({"min": 0.2}),
        lambda d: d["thresholds"]["rd_expense_ratio"].update({"bands": []}),
        lambda d: d["thresholds"]["registration"].update({"min_days": 365}),
        lambda d: d["thresholds"]["composite_score"].update({"threshold": "sixty"}),
    ],
    ids=["no-clauses", "clause-missing", "float-ratio", "no-bands", "both-registration-rules", "bad-score"],
)
def test_from_data_rejects_malformed_rule_sets(mutate: Any) -> None:
    data = load_rule_set_data(TJ)
    mutate(data)
    with pytest.raises(ValueError):
        RuleSet.from_data(data)


def test_from_data_round_trips_the_stored_document() -> None:
    data = load_rule_set_data(NAT)
    rs = RuleSet.from_data(data)
    assert rs == load_rule_set(NAT)
    assert rs.data == data


def test_engine_imports_only_the_standard_library() -> None:
    source = (RULESET_DIR.parent / "eligibility" / "engine.py").read_text(encoding="utf-8")
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules <= {
        "__future__",
        "calendar",
        "collections",
        "contextvars",
        "dataclasses",
        "datetime",
        "decimal",
        "functools",
    } | {
        "json",
        "pathlib",
        "re",
        "typing",
    }


# --------------------------------------------------------------------------------------------------
# The whole answer
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_set", RULE_SET_CODES)
def test_baseline_enterprise_is_eligible_under_both_rule_sets(rule_set: str) -> None:
    result = check(make_input(), rule_set)
    assert result.eligible is True
    assert [c.code for c in result.conditions] == list(CONDITION_CODES)
    assert all(c.passed is True for c in result.conditions)
    assert all(c.message for c in result.conditions)


def test_as_dict_shape_and_order() -> None:
    answer = check(make_input(composite_score=None)).as_dict()
    assert list(answer) == ["rule_set", "eligible", "conditions"]
    assert answer["rule_set"] == TJ
    assert answer["eligible"] is None
    assert [c["code"] for c in answer["conditions"]] == [
        "registration",
        "core_ip",
        "field",
        "tech_staff_ratio",
        "rd_staff_ratio",
        "rd_expense_ratio",
        "domestic_rd_ratio",
        "hightech_revenue_ratio",
        "composite_score",
    ]
    for c in answer["conditions"]:
        assert list(c) == ["code", "passed", "clause", "value", "threshold", "message"]
        assert all(isinstance(c[k], str) for k in ("code", "clause", "value", "threshold", "message"))
    assert answer["conditions"][3] == {
        "code": "tech_staff_ratio",
        "passed": True,
        "clause": "第九条（三）",
        "value": "25.0%",
        "threshold": "≥ 20%",
        "message": "满足：科技人员占比 25.0%（25/100 名），不低于 20%",
    }
    assert answer["conditions"][8]["passed"] is None
    json.dumps(answer, ensure_ascii=False)  # serialisable as it is


@pytest.mark.parametrize(
    ("changes", "eligible"),
    [
        ({"composite_score": None}, None),
        ({"field_code": None}, None),
        ({"composite_score": None, "field_code": None}, None),
        ({"composite_score": None, "registered_in_tianjin": False}, False),
        ({"composite_score": D("60")}, False),
        ({}, True),
    ],
)
def test_eligible_is_false_then_null_then_true(changes: dict[str, Any], eligible: bool | None) -> None:
    assert check(make_input(**changes)).eligible is eligible


def test_field_codes_none_makes_field_null() -> None:
    result = check(make_input(), field_codes=None)
    assert result.condition("field").passed is None
    assert result.condition("field").value == "E01"
    assert result.eligible is None


def test_unknown_field_code_fails() -> None:
    c = cond(make_input(field_code="Z99"), "field")
    assert c.passed is False
    assert c.clause == "第九条（二）"
    assert c.message == "技术领域 Z99 不在在用目录中"


def test_null_field_code_reports_null() -> None:
    c = cond(make_input(field_code=None), "field")
    assert (c.passed, c.message) == (None, "未填写技术领域，无法判断")


# --------------------------------------------------------------------------------------------------
# Registration: 第二条 (six calendar months) / 第十一条（一） (365 days)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered_on", "as_of", "passed"),
    [
        (date(2026, 5, 27), date(2026, 11, 27), True),  # exactly six months passes
        (date(2026, 5, 28), date(2026, 11, 27), False),  # one day short
        (date(2026, 5, 26), date(2026, 11, 27), True),
        (date(2026, 8, 31), date(2027, 2, 27), False),  # month-end clamps to 02-28
        (date(2026, 8, 31), date(2027, 2, 28), True),
        (date(2027, 8, 31), date(2028, 2, 28), False),  # leap year: clamps to 02-29
        (date(2027, 8, 31), date(2028, 2, 29), True),
        (date(2026, 3, 31), date(2026, 9, 30), True),
        (date(2026, 3, 31), date(2026, 9, 29), False),
    ],
)
def test_tianjin_six_calendar_months(registered_on: date, as_of: date, passed: bool) -> None:
    c = cond(make_input(registered_on=registered_on, as_of=as_of), "registration")
    assert c.passed is passed
    assert c.clause == "第二条"


def test_registration_shortfall_message() -> None:
    c = cond(make_input(registered_on=date(2026, 8, 31), as_of=date(2027, 2, 27)), "registration")
    assert "2027-02-28 起方满 6 个月" in c.message
    assert "还差 1 天" in c.message


@pytest.mark.parametrize(
    ("registered_on", "as_of", "passed"),
    [
        (date(2025, 11, 27), date(2026, 11, 27), True),  # 365 days
        (date(2025, 11, 28), date(2026, 11, 27), False),  # 364 days
        (date(2027, 3, 1), date(2028, 2, 29), True),  # 365 days across a leap day
        (date(2027, 2, 28), date(2028, 2, 28), True),
        (date(2027, 2, 28), date(2028, 2, 27), False),
    ],
)
def test_national_365_days(registered_on: date, as_of: date, passed: bool) -> None:
    c = cond(make_input(registered_on=registered_on, as_of=as_of), "registration", NAT)
    assert c.passed is passed
    assert c.threshold == "注册满 365 天"


def test_not_registered_in_tianjin_fails_tianjin_but_not_national() -> None:
    inp = make_input(registered_in_tianjin=False)
    tj = cond(inp, "registration", TJ)
    assert tj.passed is False
    assert "未在天津市注册" in tj.message
    assert cond(inp, "registration", NAT).passed is True


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# --------------------------------------------------------------------------------------------------
# Core IP: 第九条（一） / 第十一条（二）
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "licence_years", "passed"),
    [
        (TJ, 4, False),
        (TJ, 5, True),
        (TJ, 10, True),
        (NAT, 5, False),
        (NAT, 10, False),
    ],
)
def test_exclusive_licences(rule_set: str, licence_years: int, passed: bool) -> None:
    inp = make_input(ip=[IPItem("invention_patent", date(2024, 5, 1), "exclusive_license", licence_years)])
    c = cond(inp, "core_ip", rule_set)
    assert c.passed is passed
    assert c.value == ("1 项" if passed else "0 项")


def test_short_licence_message() -> None:
    inp = make_input(ip=[IPItem("software_copyright", date(2024, 5, 1), "exclusive_license", 4)])
    c = cond(inp, "core_ip")
    assert "软件著作权独占许可期限4 年，不足 5 年" in c.message
    assert "还差 1 项" in c.message


@pytest.mark.parametrize("acquisition", ["self_developed", "transfer", "gift", "merger"])
@pytest.mark.parametrize("rule_set", RULE_SET_CODES)
def test_owned_ip_counts(acquisition: str, rule_set: str) -> None:
    inp = make_input(ip=[IPItem("utility_model", date(2023, 1, 1), acquisition, None)])
    assert cond(inp, "core_ip", rule_set).passed is True


@pytest.mark.parametrize(
    ("acquired_on", "passed"),
    [
        (date(2023, 1, 1), True),  # as_of 2026-11-27: 2023, 2024, 2025 are the last three fiscal years
        (date(2022, 12, 31), False),
        (date(2026, 11, 27), True),  # after the last fiscal year but not after as_of
        (date(2026, 11, 28), False),  # after as_of
    ],
)
def test_ip_within_the_last_three_fiscal_years(acquired_on: date, passed: bool) -> None:
    inp = make_input(ip=[IPItem("invention_patent", acquired_on, "self_developed", None)])
    c = cond(inp, "core_ip")
    assert c.passed is passed
    if acquired_on.year == 2022:
        assert "早于近 3 个会计年度（2023 年起）" in c.message


@pytest.mark.parametrize("years", [[], [2022, 2023, 2024], [2024, 2025, 2026]])
def test_the_ip_window_depends_on_the_date_only(years: list[int]) -> None:
    """A fresh draft (no years yet), a self-check with older or newer years: one window on one day."""
    inp = make_input(fiscal_years=[fy(y) for y in years])
    assert ip_window(load_rule_set(TJ), inp.as_of) == (2023, 2025)
    assert "近 3 个会计年度（2023–2025 年）内" in cond(inp, "core_ip").message
    assert ip_window(load_rule_set(NAT), inp.as_of) is None


def test_national_has_no_ip_window() -> None:
    inp = make_input(ip=[IPItem("invention_patent", date(2015, 6, 1), "self_developed", None)])
    assert cond(inp, "core_ip", NAT).passed is True


def test_no_ip_fails() -> None:
    c = cond(make_input(ip=[]), "core_ip")
    assert (c.passed, c.value, c.threshold) == (False, "0 项", "≥ 1 项")
    assert "还差 1 项" in c.message


# --------------------------------------------------------------------------------------------------
# Staff: 第九条（三） / 第十一条（四）
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "tech", "passed"),
    [(TJ, 19, False), (TJ, 20, True), (TJ, 21, True), (NAT, 9, False), (NAT, 10, True), (NAT, 11, True)],
)
def test_tech_staff_ratio(rule_set: str, tech: int, passed: bool) -> None:
    c = cond(make_input(staff=Staff(total=100, tech_college=tech, rd=10)), "tech_staff_ratio", rule_set)
    assert c.passed is passed


@pytest.mark.parametrize(("rd", "passed"), [(6, False), (7, True), (8, True)])
def test_tianjin_rd_staff_ratio(rd: int, passed: bool) -> None:
    c = cond(make_input(staff=Staff(total=100, tech_college=25, rd=rd)), "rd_staff_ratio")
    assert c.passed is passed
    assert c.threshold == "≥ 7%"


def test_national_has_no_rd_staff_rule() -> None:
    c = cond(make_input(staff=Staff(total=100, tech_college=25, rd=0)), "rd_staff_ratio", NAT)
    assert (c.passed, c.threshold, c.message) == (True, "不设要求", "本规则集不设此项要求")


def test_tech_staff_message_counts_people_exactly() -> None:
    c = cond(make_input(staff=Staff(total=100, tech_college=18, rd=10)), "tech_staff_ratio")
    assert c.value == "18.0%"
    assert c.message.startswith("科技人员占比 18.0%，低于 20%，还需增加 2 名")


def test_staff_shortfall_uses_ceiling() -> None:
    # 20% of 101 is 20.2 people: 21 are needed.
    c = cond(make_input(staff=Staff(total=101, tech_college=20, rd=10)), "tech_staff_ratio")
    assert c.passed is False
    assert "还需增加 1 名" in c.message
    assert cond(make_input(staff=Staff(total=101, tech_college=21, rd=10)), "tech_staff_ratio").passed is True


def test_failing_ratio_is_never_displayed_as_the_threshold() -> None:
    c = cond(make_input(staff=Staff(total=10001, tech_college=2000, rd=1000)), "tech_staff_ratio")
    assert c.passed is False
    assert c.value == "19.9%"


@pytest.mark.parametrize("rule_set", RULE_SET_CODES)
def test_zero_staff_fails_without_crashing(rule_set: str) -> None:
    result = check(make_input(staff=Staff(total=0, tech_college=0, rd=0)), rule_set)
    c = result.condition("tech_staff_ratio")
    assert (c.passed, c.value) == (False, "—")
    assert "职工总数为 0" in c.message
    assert result.eligible is False


# --------------------------------------------------------------------------------------------------
# R&D expenses: 第九条（四） / 第十一条（五）
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "latest_sales", "threshold"),
    [
        (TJ, "49999999.99", "≥ 5%"),
        (TJ, "50000000", "≥ 3%"),  # 5,000万元至20,000万元 includes 5,000万元
        (TJ, "120000000", "≥ 3%"),
        (TJ, "200000000", "≥ 3%"),
        (TJ, "200000000.01", "≥ 2%"),
        (NAT, "49999999.99", "≥ 5%"),
        (NAT, "50000000", "≥ 5%"),  # 5,000万元（含）以下
        (NAT, "50000000.01", "≥ 4%"),
        (NAT, "200000000", "≥ 4%"),  # 2亿元（含）
        (NAT, "200000000.01", "≥ 3%"),
    ],
)
def test_revenue_bands_and_their_edges(rule_set: str, latest_sales: str, threshold: str) -> None:
    inp = make_input(fiscal_years=[fy(2022), fy(2023), fy(2024, sales=latest_sales, rd="100000000")])
    assert cond(inp, "rd_expense_ratio", rule_set).threshold == threshold


@pytest.mark.parametrize(
    ("rule_set", "sales", "ratio"),
    [
        (TJ, "40000000", "0.05"),
        (TJ, "50000000", "0.03"),
        (TJ, "200000000", "0.03"),
        (TJ, "300000000", "0.02"),
        (NAT, "50000000", "0.05"),
        (NAT, "200000000", "0.04"),
        (NAT, "300000000", "0.03"),
    ],
)
@pytest.mark.parametrize(("delta", "passed"), [("-0.01", False), ("0", True), ("0.01", True)])
def test_rd_ratio_at_just_below_and_just_above(
    rule_set: str, sales: str, ratio: str, delta: str, passed: bool
) -> None:
    exact = D(sales) * D(ratio)
    years = [fy(2022, sales=sales, rd=str(exact)), fy(2023, sales=sales, rd=str(exact))]
    years.append(fy(2024, sales=sales, rd=str(exact + D(delta)), domestic=str(exact)))
    c = cond(make_input(fiscal_years=years), "rd_expense_ratio", rule_set)
    assert c.passed is passed
    if not passed:
        assert "还差 ¥1（" in c.message  # 0.01 short, rounded up to the yuan


def test_rd_message_states_the_exact_shortfall() -> None:
    years = [fy(2023, sales="1000000", rd="42000"), fy(2024, sales="1000000", rd="42000")]
    c = cond(make_input(fiscal_years=years), "rd_expense_ratio")
    assert c.value == "4.2%"
    assert c.threshold == "≥ 5%"
    assert c.message.startswith("研发费用占比 4.2%，低于 5%，还差 ¥16,000（2023–2024 年度")


def test_rd_shortfall_is_rounded_up_to_the_yuan() -> None:
    # 5% × (1,234,567.89 + 1,000,000) = 111,728.3945; 111,728.3945 − 100,000 → ¥11,729
    years = [fy(2023, sales="1000000", rd="40000"), fy(2024, sales="1234567.89", rd="60000")]
    c = cond(make_input(fiscal_years=years), "rd_expense_ratio")
    assert "还差 ¥11,729（" in c.message


def test_rd_shortfall_has_thousands_separators() -> None:
    years = [
        fy(2023, sales="100000000", rd="0", domestic="0"),
        fy(2024, sales="100000000", rd="0", domestic="0"),
    ]
    c = cond(make_input(fiscal_years=years), "rd_expense_ratio")
    assert c.value == "0.0%"
    assert "还差 ¥6,000,000（" in c.message  # 3% of 200,000,000


def test_tianjin_uses_two_years_national_three() -> None:
    # 2022 spent a lot on R&D; only the national three-year window sees it.
    years = [
        fy(2022, sales="1000000", rd="500000"),
        fy(2023, sales="1000000", rd="10000"),
        fy(2024, sales="1000000", rd="10000"),
    ]
    inp = make_input(fiscal_years=years)
    tj = cond(inp, "rd_expense_ratio", TJ)
    nat = cond(inp, "rd_expense_ratio", NAT)
    assert (tj.passed, tj.value) == (False, "1.0%")
    assert (nat.passed, nat.value) == (True, "17.3%")


def test_young_enterprise_uses_the_years_it_has() -> None:
    # Registered in 2024: the 2023 line (before registration) is ignored, 2024 alone is used.
    years = [fy(2023, sales="1000000", rd="0", domestic="0"), fy(2024, sales="1000000", rd="50000")]
    inp = make_input(registered_on=date(2024, 3, 1), as_of=date(2025, 11, 27), fiscal_years=years)
    c = cond(inp, "rd_expense_ratio")
    assert (c.passed, c.value) == (True, "5.0%")
    assert "2024 年度，成立不足 2 年，按实际经营年限计算" in c.message


def test_young_enterprise_national_uses_two_of_three_years() -> None:
    years = [fy(2024, sales="1000000", rd="20000"), fy(2025, sales="1000000", rd="80000")]
    inp = make_input(registered_on=date(2024, 1, 10), as_of=date(2026, 6, 1), fiscal_years=years)
    c = cond(inp, "rd_expense_ratio", NAT)
    assert (c.passed, c.value) == (True, "5.0%")
    assert "成立不足 3 年" in c.message


@pytest.mark.parametrize("rule_set", RULE_SET_CODES)
def test_zero_revenue_fails_without_crashing(rule_set: str) -> None:
    years = [fy(y, sales="0", rd="0", domestic="0", total="0", hightech="0") for y in (2022, 2023, 2024)]
    result = check(make_input(fiscal_years=years), rule_set)
    rd = result.condition("rd_expense_ratio")
    assert (rd.passed, rd.value) == (False, "—")
    assert "销售收入总额为 0" in rd.message
    dom = result.condition("domestic_rd_ratio")
    assert dom.passed is False and "研发费用总额为 0" in dom.message
    ht = result.condition("hightech_revenue_ratio")
    assert ht.passed is False and "总收入为 0" in ht.message
    assert result.eligible is False


@pytest.mark.parametrize("rule_set", RULE_SET_CODES)
@pytest.mark.parametrize(
    ("domestic", "passed"), [("599999.99", False), ("600000", True), ("600000.01", True)]
)
def test_domestic_rd_ratio(rule_set: str, domestic: str, passed: bool) -> None:
    # Registered in 2023: both rule sets use 2023 + 2024, R&D ¥1,000,000 in all, 60% = ¥600,000.
    years = [fy(2023, rd="500000", domestic="0"), fy(2024, rd="500000", domestic=domestic)]
    c = cond(make_input(fiscal_years=years, registered_on=date(2023, 1, 1)), "domestic_rd_ratio", rule_set)
    assert c.passed is passed
    if not passed:
        assert "还差 ¥1（研发费用总额不变" in c.message


# --------------------------------------------------------------------------------------------------
# High-tech revenue: 第九条（五） / 第十一条（六）
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "hightech", "passed"),
    [
        (TJ, "4999999.99", False),
        (TJ, "5000000", True),
        (TJ, "5000000.01", True),
        (NAT, "5999999.99", False),
        (NAT, "6000000", True),
        (NAT, "6000000.01", True),
    ],
)
def test_hightech_revenue_ratio(rule_set: str, hightech: str, passed: bool) -> None:
    years = [fy(2022, hightech="0"), fy(2023, hightech="0"), fy(2024, total="10000000", hightech=hightech)]
    c = cond(make_input(fiscal_years=years), "hightech_revenue_ratio", rule_set)
    assert c.passed is passed
    if not passed:
        assert c.value in {"49.9%", "59.9%"}
        assert "还差 ¥1（总收入不变" in c.message


# --------------------------------------------------------------------------------------------------
# Composite score: 第九条（六） (above 60) / 第十一条（七） (71 and above)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "score", "passed"),
    [
        (TJ, "59.99", False),
        (TJ, "60", False),  # 60分（不含）以上: 60 itself fails
        (TJ, "60.01", True),
        (TJ, "100", True),
        (NAT, "70.99", False),
        (NAT, "71", True),
        (NAT, "71.01", True),
        (NAT, "0", False),
    ],
)
def test_composite_score(rule_set: str, score: str, passed: bool) -> None:
    c = cond(make_input(composite_score=D(score)), "composite_score", rule_set)
    assert c.passed is passed
    assert c.value == score


def test_score_messages() -> None:
    tj = cond(make_input(composite_score=D("60")), "composite_score", TJ)
    assert tj.threshold == "> 60"
    assert "未超过 60 分" in tj.message
    nat = cond(make_input(composite_score=D("70.99")), "composite_score", NAT)
    assert nat.threshold == "≥ 71"
    assert "还差 0.01 分" in nat.message


def test_null_score_is_null() -> None:
    result = check(make_input(composite_score=None))
    assert result.condition("composite_score").passed is None
    assert result.eligible is None


# --------------------------------------------------------------------------------------------------
# validate_payload / parse_input
# --------------------------------------------------------------------------------------------------


def test_valid_payload_parses() -> None:
    inp, rs, errors = validate_payload(payload(), field_codes=FIELDS)
    assert errors == {}
    assert rs is load_rule_set(TJ)
    assert inp is not None
    assert inp.as_of == AS_OF
    assert inp.staff == Staff(total=100, tech_college=20, rd=7)
    assert inp.fiscal_years[0].sales_revenue == D("10000000.00")
    assert inp.fiscal_years[1].sales_revenue == D(9000000)
    assert inp.fiscal_years[1].total_revenue == D("9500000.5")
    assert inp.ip == [IPItem("invention_patent", date(2024, 5, 1), "self_developed", None)]
    assert inp.composite_score == D(65)
    assert evaluate(inp, rs, field_codes=FIELDS).eligible is True


def test_defaults_rule_set_as_of_score_and_field() -> None:
    body = payload()
    for key in ("rule_set", "as_of", "composite_score", "field_code"):
        body.pop(key)
    inp, rs, errors = parse_input(body, today=date(2026, 12, 1))
    assert errors == {}
    assert rs is not None and rs.code == DEFAULT_RULE_SET
    assert inp is not None
    assert (inp.as_of, inp.composite_score, inp.field_code) == (date(2026, 12, 1), None, None)
    result = evaluate(inp, rs, field_codes=FIELDS)
    assert result.eligible is None


def test_national_rule_set_is_selectable() -> None:
    inp, rs, errors = validate_payload(payload(rule_set=NAT))
    assert errors == {} and rs is not None and rs.code == NAT


def test_validator_reports_every_bad_field_at_once() -> None:
    body = payload(
        rule_set="shanghai-2020",
        as_of="2026/11/27",
        registered_in_tianjin="yes",
        field_code="Z99",
        composite_score=101,
        colour="blue",
        ip=[
            {"kind": "trademark", "acquired_on": "2024-02-30", "acquisition": "bought"},
            {"kind": "invention_patent", "acquired_on": "2024-05-01", "acquisition": "exclusive_license"},
        ],
        staff={"total": 10, "tech_college": 11, "rd": 12},
    )
    body.pop("registered_on")
    body["fiscal_years"] = [
        {
            "year": 2024,
            "sales_revenue": "-1",
            "total_revenue": "100",
            "hightech_revenue": "101",
            "rd_expense": "1.234",
            "rd_expense_domestic": "abc",
            "total_assets": "1e3",
        },
        {
            "year": 2024,
            "sales_revenue": "10",
            "total_revenue": "10",
            "hightech_revenue": "5",
            "rd_expense": "5",
            "rd_expense_domestic": "6",
        },
    ]
    inp, rs, errors = validate_payload(body, field_codes=FIELDS)
    assert (inp, rs) == (None, None)
    assert set(errors) == {
        "rule_set",
        "as_of",
        "registered_on",
        "registered_in_tianjin",
        "field_code",
        "composite_score",
        "colour",
        "ip[0].kind",
        "ip[0].acquired_on",
        "ip[0].acquisition",
        "ip[1].licence_years",
        "staff.tech_college",
        "staff.rd",
        "fiscal_years",
        "fiscal_years[0].sales_revenue",
        "fiscal_years[0].hightech_revenue",
        "fiscal_years[0].rd_expense",
        "fiscal_years[0].rd_expense_domestic",
        "fiscal_years[0].total_assets",
        "fiscal_years[1].rd_expense_domestic",
        "fiscal_years[1].total_assets",
    }
    assert errors["colour"] == ["未知字段。"]
    assert errors["fiscal_years"] == ["会计年度 2024 重复。"]
    assert errors["staff.rd"] == ["研发人员（12）不能多于职工总数（10）。"]
    assert errors["fiscal_years[0].sales_revenue"] == ["金额不能为负数。"]
    assert errors["fiscal_years[0].rd_expense"] == ["金额最多保留 2 位小数。"]
    assert errors["fiscal_years[1].total_assets"] == ["该字段是必填项。"]
    assert errors["ip[1].licence_years"] == ["独占许可须填写许可年限。"]
    assert all(isinstance(m, str) and m for msgs in errors.values() for m in msgs)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"fiscal_years": []}, "fiscal_years"),
        ({"fiscal_years": None}, "fiscal_years"),
        ({"fiscal_years": "2024"}, "fiscal_years"),
        ({"staff": {"total": -1, "tech_college": 0, "rd": 0}}, "staff.total"),
        ({"staff": {"total": 10.5, "tech_college": 0, "rd": 0}}, "staff.total"),
        ({"staff": {"total": 10, "tech_college": 0}}, "staff.rd"),
        ({"staff": {"total": 10, "tech_college": 0, "rd": 0, "age": 3}}, "staff.age"),
        ({"registered_on": "20200301"}, "registered_on"),
        ({"registered_on": "2020-02-30"}, "registered_on"),
        ({"registered_on": "2027-01-01"}, "registered_on"),  # after as_of
        ({"registered_on": 20200301}, "registered_on"),
        ({"registered_in_tianjin": None}, "registered_in_tianjin"),
        ({"composite_score": -1}, "composite_score"),
        ({"composite_score": "60.001"}, "composite_score"),
        ({"composite_score": True}, "composite_score"),
        ({"rule_set": 7}, "rule_set"),
        ({"field_code": 12}, "field_code"),
        (
            {
                "ip": [
                    {
                        "kind": "other",
                        "acquired_on": "2024-01-01",
                        "acquisition": "exclusive_license",
                        "licence_years": 0,
                    }
                ]
            },
            "ip[0].licence_years",
        ),
        ({"ip": [{"kind": "other", "acquired_on": "2024-01-01"}]}, "ip[0].acquisition"),
        ({"ip": ["patent"]}, "ip[0]"),
        ({"ip": None}, "ip"),
    ],
)
def test_single_bad_field(changes: dict[str, Any], key: str) -> None:
    inp, rs, errors = validate_payload(payload(**changes), field_codes=FIELDS)
    assert inp is None and rs is None
    assert key in errors, errors


def test_more_than_three_fiscal_years_refused() -> None:
    year = payload()["fiscal_years"][0]
    years = [dict(year, year=y) for y in (2021, 2022, 2023, 2024)]
    _, _, errors = validate_payload(payload(fiscal_years=years))
    assert errors == {"fiscal_years": ["最多填写 3 个会计年度，当前 4 个。"]}


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("1234.5", True),
        ("1234.50", True),
        ("1.500", True),  # the value has two decimals
        (1234, True),
        (1234.25, True),
        ("1,234", False),
        ("1_000", False),
        ("NaN", False),
        ("Infinity", False),
        (float("nan"), False),
        ("", False),
        (None, False),
        ([], False),
        ("1e20", False),
        ("1000000000000000", False),  # ¥10^15: certainly a typo
    ],
)
def test_money_formats(raw: Any, ok: bool) -> None:
    body = payload()
    body["fiscal_years"][0]["total_assets"] = raw
    _, _, errors = validate_payload(body)
    assert ("fiscal_years[0].total_assets" not in errors) is ok, errors


def test_field_code_unchecked_without_a_catalogue() -> None:
    inp, _, errors = validate_payload(payload(field_code="Z99"))
    assert errors == {} and inp is not None and inp.field_code == "Z99"


def test_licence_years_ignored_for_owned_ip() -> None:
    ip = [{"kind": "design_patent", "acquired_on": "2024-01-01", "acquisition": "gift", "licence_years": 3}]
    inp, _, errors = validate_payload(payload(ip=ip))
    assert errors == {} and inp is not None
    assert inp.ip[0].licence_years is None


def test_rule_sets_from_a_mapping() -> None:
    custom = RuleSet.from_data(dict(load_rule_set_data(TJ), code="tianjin-2027"))
    inp, rs, errors = validate_payload(payload(rule_set="tianjin-2027"), rule_sets={"tianjin-2027": custom})
    assert errors == {} and rs is custom
    _, _, errors = validate_payload(payload(rule_set=TJ), rule_sets={"tianjin-2027": custom})
    assert "rule_set" in errors


def test_non_object_body() -> None:
    assert validate_payload([1, 2])[2] == {"non_field_errors": ["请求体必须是 JSON 对象。"]}


def test_labels_cover_the_api_codes() -> None:
    assert set(IP_KIND_LABELS) == {
        "invention_patent",
        "utility_model",
        "design_patent",
        "software_copyright",
        "ic_layout",
        "plant_variety",
        "other",
    }
    assert set(ACQUISITION_LABELS) == {"self_developed", "transfer", "gift", "merger", "exclusive_license"}


def test_rulesets_dir_is_beside_the_module() -> None:
    assert RULESET_DIR == Path(__file__).resolve().parents[2] / "certification" / "rulesets"
