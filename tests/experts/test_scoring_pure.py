"""Boundary cases of experts.scoring: every band edge, the growth formula, the threshold, the spread.

Pure functions over plain data: no database.
"""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from certification.eligibility.engine import load_rule_set
from experts.scoring import (
    Band,
    FiscalFigures,
    ScoringFacts,
    check_points,
    composite,
    conversion_band,
    growth_band,
    growth_rate,
    indicator_bands,
    indicators_for_kind,
    ip_band,
    parse_points,
    passed,
    point_range,
    rd_management_band,
    spread_flag,
)


def facts(
    *,
    ip: int = 0,
    inventions: int = 0,
    conversions: dict[int, int] | None = None,
    outside: int = 0,
    rd: int = 0,
    years: list[tuple[int, str, str]] | None = None,
) -> ScoringFacts:
    return ScoringFacts(
        ip_count=ip,
        invention_patents=inventions,
        conversions_by_year=conversions if conversions is not None else {2023: 0, 2024: 0, 2025: 0},
        conversions_outside_window=outside,
        rd_management_items=rd,
        fiscal_years=tuple(FiscalFigures(y, D(a), D(s)) for y, a, s in (years or [])),
    )


def three_years(assets: tuple[str, str, str], sales: tuple[str, str, str]) -> list[tuple[int, str, str]]:
    return [(2023 + i, assets[i], sales[i]) for i in range(3)]


# --- IP count ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "inventions", "band"),
    [
        (0, 0, "F"),
        (1, 0, "E"),
        (2, 0, "E"),
        (3, 0, "D"),
        (4, 0, "C"),
        (5, 0, "B"),
        (6, 0, "A"),
        (7, 0, "A"),
        (1, 1, "A"),  # one invention patent is enough for A
        (3, 1, "A"),
    ],
)
def test_ip_band_edges(count, inventions, band):
    assert ip_band(count, inventions) == band


def test_ip_band_a_is_24_to_30_with_basis():
    band = indicator_bands(facts(ip=3, inventions=1))["ip"]
    assert (band.band, band.min, band.max) == ("A", D("24.0"), D("30.0"))
    assert band.basis == "知识产权 3 项，其中发明专利 1 项"
    assert band.as_dict()["min"] == "24.0" and band.as_dict()["max"] == "30.0"


# --- Conversions (yearly average over three years, compared on the total) ------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "F"),
        (1, "E"),  # average 0.33 > 0
        (3, "E"),  # average exactly 1 → E (>0–1)
        (4, "D"),  # 1.33 > 1
        (6, "D"),  # exactly 2 → D (>1–2)
        (7, "C"),  # 2.33
        (9, "C"),  # exactly 3 → C (>2–3)
        (10, "B"),  # 3.33 (>3–<4)
        (11, "B"),  # 3.67
        (12, "A"),  # exactly 4 → A (≥ 4)
        (20, "A"),
    ],
)
def test_conversion_band_edges(total, band):
    assert conversion_band(total) == band


def test_conversion_band_counts_the_window_and_says_what_was_left_out():
    band = indicator_bands(facts(conversions={2023: 4, 2024: 4, 2025: 4}, outside=2))["conversion"]
    assert (band.band, band.min, band.max) == ("A", D("24.0"), D("30.0"))
    assert "2023–2025" in band.basis and "12 项" in band.basis and "年均 4.00 项" in band.basis
    assert "另有 2 项" in band.basis


# --- R&D management ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("items", "band"), [(0, "F"), (1, "E"), (2, "D"), (3, "C"), (4, "B"), (5, "A")])
def test_rd_management_band(items, band):
    assert rd_management_band(items) == band


@pytest.mark.parametrize(
    ("band", "low", "high"),
    [
        ("A", "16.0", "20.0"),
        ("B", "12.0", "15.8"),
        ("C", "8.0", "11.8"),
        ("D", "4.0", "7.8"),
        ("E", "0.2", "3.8"),
        ("F", "0.0", "0.0"),
    ],
)
def test_rd_management_point_ranges(band, low, high):
    assert point_range(band, 20) == (D(low), D(high))


@pytest.mark.parametrize(
    ("band", "low", "high"),
    [
        ("A", "24.0", "30.0"),
        ("B", "18.0", "23.7"),
        ("C", "12.0", "17.7"),
        ("D", "6.0", "11.7"),
        ("E", "0.3", "5.7"),
        ("F", "0.0", "0.0"),
    ],
)
def test_weight_30_point_ranges(band, low, high):
    assert point_range(band, 30) == (D(low), D(high))


@pytest.mark.parametrize(
    ("band", "low", "high"),
    [
        ("A", "8.0", "10.0"),
        ("B", "6.0", "7.9"),
        ("C", "4.0", "5.9"),
        ("D", "2.0", "3.9"),
        ("E", "0.1", "1.9"),
        ("F", "0.0", "0.0"),
    ],
)
def test_growth_sub_rate_point_ranges(band, low, high):
    assert point_range(band, 10) == (D(low), D(high))


# --- Growth rate and bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "band"),
    [
        (Fraction(35, 100), "A"),
        (Fraction(3499, 10000), "B"),
        (Fraction(25, 100), "B"),
        (Fraction(2499, 10000), "C"),
        (Fraction(15, 100), "C"),
        (Fraction(1499, 10000), "D"),
        (Fraction(5, 100), "D"),
        (Fraction(499, 10000), "E"),
        (Fraction(0), "E"),  # 0 to < 0.05
        (Fraction(-1, 10000), "F"),  # < 0
        (None, "F"),
        (Fraction(3), "A"),
    ],
)
def test_growth_band_edges(rate, band):
    assert growth_band(rate) == band


def test_growth_rate_three_years():
    # ½ × (120/100 + 150/120) − 1 = ½ × (1.2 + 1.25) − 1 = 0.225
    assert growth_rate([D(100), D(120), D(150)]) == Fraction(225, 1000)


def test_growth_rate_exactly_35_percent_is_band_a_without_rounding():
    # Y2/Y1 = 1.5, Y3/Y2 = 1.2 → ½ × 2.7 − 1 = 0.35 exactly
    rate = growth_rate([D(100), D(150), D(180)])
    assert rate == Fraction(35, 100)
    assert growth_band(rate) == "A"


def test_growth_rate_with_thirds_is_exact():
    # 3 → 4 → 5: ½ × (4/3 + 5/4) − 1 = 7/24 ≈ 0.2917 → B, computed exactly
    rate = growth_rate([D(3), D(4), D(5)])
    assert rate == Fraction(7, 24)
    assert growth_band(rate) == "B"


def test_growth_rate_first_year_zero_uses_the_last_two():
    assert growth_rate([D(0), D(100), D(140)]) == Fraction(40, 100)


def test_growth_rate_second_year_zero_scores_zero():
    assert growth_rate([D(100), D(0), D(140)]) is None
    assert growth_band(growth_rate([D(100), D(0), D(140)])) == "F"


def test_growth_rate_two_years():
    assert growth_rate([D(100), D(130)]) == Fraction(30, 100)


def test_growth_rate_two_years_first_zero_cannot_be_computed():
    assert growth_rate([D(0), D(130)]) is None


@pytest.mark.parametrize("values", [[], [D(100)]])
def test_growth_rate_fewer_than_two_years_cannot_be_computed(values):
    assert growth_rate(values) is None


def test_growth_rate_uses_the_last_three_of_more_years():
    assert growth_rate([D(1), D(100), D(120), D(150)]) == Fraction(225, 1000)


def test_growth_rate_negative_is_band_f():
    rate = growth_rate([D(100), D(90), D(80)])
    assert rate is not None and rate < 0
    assert growth_band(rate) == "F"


def test_growth_band_is_the_sum_of_the_two_sub_ranges():
    # assets: ½ × (1.3 + 1.3) − 1 = 0.30 → B (6.0–7.9); sales: ½ × (1.1 + 1.0) − 1 = 0.05 → D (2.0–3.9)
    years = three_years(("100", "130", "169"), ("100", "110", "110"))
    band = indicator_bands(facts(years=years))["growth"]
    assert band.band == "B+D"
    assert (band.min, band.max) == (D("8.0"), D("11.8"))
    assert "总资产增长率 30.00%（B 档）" in band.basis
    assert "销售增长率 5.00%（D 档）" in band.basis


def test_growth_both_a_is_16_to_20():
    band = indicator_bands(facts(years=three_years(("100", "200", "400"), ("100", "200", "400"))))["growth"]
    assert (band.band, band.min, band.max) == ("A+A", D("16.0"), D("20.0"))


def test_growth_second_year_zero_is_per_sub_rate():
    band = indicator_bands(facts(years=three_years(("100", "0", "150"), ("100", "140", "196"))))["growth"]
    assert band.band == "F+A"  # assets Y2 = 0 → 0 points; sales 40% → A
    assert (band.min, band.max) == (D("8.0"), D("10.0"))
    assert "第二年为 0" in band.basis


def test_growth_first_year_zero_basis_says_so():
    band = indicator_bands(facts(years=three_years(("0", "100", "140"), ("0", "100", "140"))))["growth"]
    assert band.band == "A+A"
    assert "按后两年计算" in band.basis


def test_growth_two_years():
    band = indicator_bands(facts(years=[(2024, "100", "100"), (2025, "116", "104")]))["growth"]
    assert band.band == "C+E"  # 16% → C, 4% → E
    assert (band.min, band.max) == (D("4.1"), D("7.8"))


def test_growth_one_year_is_band_f_with_the_reason():
    band = indicator_bands(facts(years=[(2025, "100", "100")]))["growth"]
    assert band.band == "F+F"
    assert (band.min, band.max) == (D("0.0"), D("0.0"))
    assert "不足两年" in band.basis


def test_growth_years_are_sorted_by_year_whatever_the_input_order():
    years = [(2025, "169", "110"), (2023, "100", "100"), (2024, "130", "110")]
    assert indicator_bands(facts(years=years))["growth"].band == "B+D"


def test_growth_rate_just_below_an_edge_never_displays_as_the_edge():
    # ½ × (1.5 + 179.99/150) − 1 = 0.349966… → B, shown as 34.99%
    band = indicator_bands(facts(years=three_years(("100", "150", "179.99"), ("100", "100", "100"))))[
        "growth"
    ]
    assert band.band.startswith("B")
    assert "34.99%" in band.basis


# --- check_points -----------------------------------------------------------------------------------

IP_A = Band("A", D("24.0"), D("30.0"), "")
IP_B = Band("B", D("18.0"), D("23.7"), "")


@pytest.mark.parametrize("points", ["24.0", "30.0", "27.5", "24"])
def test_points_inside_the_band_pass(points):
    assert check_points("ip", D(points), IP_A, None) is None


@pytest.mark.parametrize("points", ["23.9", "23.8", "0.0"])
def test_points_below_the_band_need_a_reason(points):
    message = check_points("ip", D(points), IP_A, "")
    assert message is not None and "须填写理由" in message and "24.0–30.0" in message


def test_points_in_the_gap_between_bands_need_a_reason():
    assert check_points("ip", D("23.8"), IP_B, None) is not None


def test_points_outside_the_band_pass_with_a_reason():
    assert check_points("ip", D("20.0"), IP_A, "专利与主营产品关联度低") is None


def test_a_blank_reason_is_no_reason():
    assert check_points("ip", D("20.0"), IP_A, "   ") is not None


@pytest.mark.parametrize(
    ("indicator", "points"), [("ip", "30.1"), ("rd_management", "20.1"), ("growth", "20.5"), ("ip", "-0.1")]
)
def test_points_outside_zero_to_weight_are_refused_even_with_a_reason(indicator, points):
    message = check_points(indicator, D(points), Band("A", D(0), D(100), ""), "理由")
    assert message is not None and "之间" in message


def test_points_with_two_decimals_are_refused():
    assert "一位小数" in check_points("ip", D("24.05"), IP_A, "理由")


def test_points_with_a_zero_second_decimal_are_fine():
    assert check_points("ip", D("24.00"), IP_A, None) is None


def test_growth_band_range_is_checked_as_a_whole():
    band = Band("B+D", D("8.0"), D("11.8"), "")
    assert check_points("growth", D("8.0"), band, None) is None
    assert check_points("growth", D("11.8"), band, None) is None
    assert check_points("growth", D("11.9"), band, None) is not None
    assert check_points("growth", D("7.9"), band, None) is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24.0", D("24.0")),
        (24, D("24")),
        (24.5, D("24.5")),
        (" 7 ", D("7")),
        ("abc", None),
        ("", None),
        (None, None),
        (True, None),
        ("NaN", None),
        ("Infinity", None),
        # One rule (config.numbers.plain_number): full-width input is folded, other digits refused.
        ("２４．５", D("24.5")),
        ("　２４ ", D("24")),
        ("٢٤", None),
        ("2.4e1", None),
        ("24.5.1", None),
    ],
)
def test_parse_points(raw, expected):
    assert parse_points(raw) == expected


def test_indicators_for_kind():
    assert indicators_for_kind("technical") == ("ip", "conversion", "rd_management")
    assert indicators_for_kind("financial") == ("growth",)


# --- Composite, threshold, spread -----------------------------------------------------------------


def tech(ip: str, conversion: str, rd: str) -> dict[str, D]:
    return {"ip": D(ip), "conversion": D(conversion), "rd_management": D(rd)}


def fin(growth: str) -> dict[str, D]:
    return {"growth": D(growth)}


def test_composite_is_the_sum_of_the_averages():
    technical = [
        tech("24.0", "21.0", "14.0"),
        tech("26.0", "22.0", "15.0"),
        tech("25.0", "20.0", "16.0"),
        tech("24.0", "24.0", "12.0"),
    ]
    # technical totals 59, 63, 61, 60 → average 60.75; growth 12 → 72.75
    assert composite(technical, [fin("12.0")]) == D("72.75")


def test_composite_averages_several_financial_experts():
    assert composite([tech("20.0", "20.0", "10.0")], [fin("10.0"), fin("11.0")]) == D("60.50")


def test_composite_rounds_half_up_once_from_the_exact_value():
    # totals 50.0, 50.0, 50.1 → 50.0333…; + 10.0 → 60.0333… → 60.03
    technical = [tech("20.0", "20.0", "10.0"), tech("20.0", "20.0", "10.0"), tech("20.0", "20.0", "10.1")]
    assert composite(technical, [fin("10.0")]) == D("60.03")
    # totals 50.0 ×3 + 50.1 → 50.025 → 60.025 → half up 60.03
    assert composite([*technical[:2], tech("20.0", "20.0", "10.0"), technical[2]], [fin("10.0")]) == D(
        "60.03"
    )


def test_composite_needs_both_kinds():
    with pytest.raises(ValueError):
        composite([], [fin("10.0")])
    with pytest.raises(ValueError):
        composite([tech("1", "1", "1")], [])


def test_tianjin_exactly_60_fails():
    rules = load_rule_set("tianjin-2015")
    value = composite([tech("20.0", "20.0", "10.0")] * 4, [fin("10.0")])
    assert value == D("60.00")
    assert passed(value, rules.score_threshold, rules.score_strict) is False


def test_tianjin_60_01_passes():
    rules = load_rule_set("tianjin-2015")
    # Ten technical experts, nine totals of 50.0 and one of 50.1 → average 50.01; growth 10.0 → 60.01.
    technical = [tech("20.0", "20.0", "10.0")] * 9 + [tech("20.0", "20.0", "10.1")]
    value = composite(technical, [fin("10.0")])
    assert value == D("60.01")
    assert passed(value, rules.score_threshold, rules.score_strict) is True


def test_tianjin_59_99_fails():
    rules = load_rule_set("tianjin-2015")
    technical = [tech("20.0", "20.0", "10.0")] * 9 + [tech("20.0", "20.0", "9.9")]
    value = composite(technical, [fin("10.0")])
    assert value == D("59.99")
    assert passed(value, rules.score_threshold, rules.score_strict) is False


def test_national_71_passes_and_70_99_fails():
    rules = load_rule_set("national-2016")
    assert passed(D("71"), rules.score_threshold, rules.score_strict) is True
    assert passed(D("71.00"), rules.score_threshold, rules.score_strict) is True
    assert passed(D("70.99"), rules.score_threshold, rules.score_strict) is False


@pytest.mark.parametrize(
    ("totals", "flag"),
    [
        (["50.0", "70.0"], False),  # exactly 20 is not “more than 20”
        (["50.0", "70.1"], True),
        (["60.0", "55.0", "75.1", "60.0"], True),
        (["60.0"], False),
        ([], False),
        (["10.0", "10.0"], False),
    ],
)
def test_spread_flag(totals, flag):
    assert spread_flag([D(t) for t in totals]) is flag
