"""The composite score of the expert review (docs/domain.md “Composite score”, 国科发火〔2008〕362号 指引).

Pure rules over plain data: no ORM here, so every band edge is testable in milliseconds.
(``gettext`` only translates the messages; it needs settings, not a database.)

Readings of the rules, written down once:

- **Bands are exact.** Rates and averages are compared as :class:`fractions.Fraction`, never as
  rounded decimals, so a growth rate of exactly 35% is band A and 34.999…% is band B.
  Displayed rates are rounded DOWN (toward −∞) to 0.01%, so a rate just under a band edge never
  shows the edge's value.
- **IP** (核心自主知识产权): every IP item recorded on the application counts (the eligibility
  check of 第九条（一） already judges which items qualify); A = 6 items or more, or at least one
  invention patent.
- **Conversions** (科技成果转化能力): the three calendar years before the application year
  (application 2026 → 2023, 2024, 2025, the years of 近三个会计年度); the total is always divided by
  3. Conversions outside that window are not counted (the basis says how many were left out).
- **R&D management** (研究开发组织管理水平): how many of the five distinct items the application
  claims.
- **Growth** (成长性): 总资产增长率 (10) and 销售增长率 (10) are banded separately, so the indicator's
  band is a pair (“B+D”) and its allowed range is the sum of the two sub-ranges. The last three
  fiscal years are used. “If Y2 is 0 the indicator scores 0” is read per sub-rate (the guide's
  “该项指标”): that sub-rate is band F (0 points), the other is computed normally. Two years →
  Y2/Y1 − 1 (band F when Y1 is 0: nothing to compare); one year or none → the rate cannot be
  computed and the sub-rate is band F (0 points); the basis says why, and the expert may score
  outside the band with a reason.
- **Points** = weight × ratio, the band's ends rounded to one decimal (ROUND_HALF_UP). Points in
  the gaps between bands (e.g. 23.8 for IP) belong to no band: they need a reason.
- **Composite** = average of the technical experts' (ip + conversion + rd_management) + average of
  the financial experts' growth, computed exactly and rounded once to two decimals
  (ROUND_HALF_UP). :func:`passed` decides on that published two-decimal value, so what is shown
  and what is decided agree (60.00 shown → fails “above 60”).
- **Spread**: an expert's total is the sum of the points they gave. Technical experts score 80
  points and financial experts 20, so totals are only comparable within a kind; the service passes
  the technical experts' totals (a financial spread can never exceed 20 anyway).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

from config.numbers import plain_number

__all__ = [
    "BAND_RATIOS",
    "FINANCIAL_INDICATORS",
    "GROWTH_SUB_WEIGHT",
    "INDICATORS",
    "TECHNICAL_INDICATORS",
    "WEIGHTS",
    "Band",
    "FiscalFigures",
    "ScoringFacts",
    "check_points",
    "composite",
    "conversion_band",
    "growth_band",
    "growth_rate",
    "indicator_bands",
    "indicators_for_kind",
    "ip_band",
    "parse_points",
    "passed",
    "point_range",
    "rd_management_band",
    "spread_flag",
]

INDICATORS: tuple[str, ...] = ("ip", "conversion", "rd_management", "growth")
TECHNICAL_INDICATORS: tuple[str, ...] = ("ip", "conversion", "rd_management")
FINANCIAL_INDICATORS: tuple[str, ...] = ("growth",)
WEIGHTS: dict[str, int] = {"ip": 30, "conversion": 30, "rd_management": 20, "growth": 20}
GROWTH_SUB_WEIGHT = 10  # 总资产增长率 10 + 销售增长率 10
SPREAD_LIMIT = Decimal(20)

# The ratio of the weight an expert may give inside each band (2008 指引).
BAND_RATIOS: dict[str, tuple[Decimal, Decimal]] = {
    "A": (Decimal("0.80"), Decimal("1.00")),
    "B": (Decimal("0.60"), Decimal("0.79")),
    "C": (Decimal("0.40"), Decimal("0.59")),
    "D": (Decimal("0.20"), Decimal("0.39")),
    "E": (Decimal("0.01"), Decimal("0.19")),
    "F": (Decimal(0), Decimal(0)),
}

# Growth-rate band floors (each “≥”); below 0 is F.
_GROWTH_FLOORS: tuple[tuple[str, Fraction], ...] = (
    ("A", Fraction(35, 100)),
    ("B", Fraction(25, 100)),
    ("C", Fraction(15, 100)),
    ("D", Fraction(5, 100)),
    ("E", Fraction(0)),
)

_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


def indicator_label(indicator: str) -> str:
    return {
        "ip": _("核心自主知识产权"),
        "conversion": _("科技成果转化能力"),
        "rd_management": _("研究开发组织管理水平"),
        "growth": _("成长性"),
    }[indicator]


def indicators_for_kind(kind: str) -> tuple[str, ...]:
    """Technical experts score the first three indicators, financial experts the growth indicator."""
    return FINANCIAL_INDICATORS if kind == "financial" else TECHNICAL_INDICATORS


# --------------------------------------------------------------------------------------------------
# Input and output
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiscalFigures:
    year: int
    total_assets: Decimal
    sales_revenue: Decimal


@dataclass(frozen=True, slots=True)
class ScoringFacts:
    """What the bands are computed from (built from a saved application by experts.selectors)."""

    ip_count: int
    invention_patents: int
    # Conversions per year of the window, oldest first, e.g. {2023: 1, 2024: 2, 2025: 4}.
    conversions_by_year: Mapping[int, int]
    conversions_outside_window: int
    rd_management_items: int
    fiscal_years: Sequence[FiscalFigures] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Band:
    band: str
    min: Decimal
    max: Decimal
    basis: str

    def as_dict(self) -> dict[str, str]:
        return {"band": self.band, "min": str(self.min), "max": str(self.max), "basis": self.basis}

    def contains(self, points: Decimal) -> bool:
        return self.min <= points <= self.max


def point_range(band: str, weight: int) -> tuple[Decimal, Decimal]:
    """The band's points: weight × ratio at both ends, one decimal, ROUND_HALF_UP (A, 30 → 24.0–30.0)."""
    low, high = BAND_RATIOS[band]
    return (
        (weight * low).quantize(_TENTH, rounding=ROUND_HALF_UP),
        (weight * high).quantize(_TENTH, rounding=ROUND_HALF_UP),
    )


def _band(band: str, weight: int, basis: str) -> Band:
    low, high = point_range(band, weight)
    return Band(band=band, min=low, max=high, basis=basis)


# --------------------------------------------------------------------------------------------------
# The four indicators
# --------------------------------------------------------------------------------------------------


def ip_band(ip_count: int, invention_patents: int) -> str:
    """A ≥ 6 items or ≥ 1 invention patent; B 5; C 4; D 3; E 1–2; F 0."""
    if ip_count >= 6 or invention_patents >= 1:
        return "A"
    return {5: "B", 4: "C", 3: "D", 2: "E", 1: "E"}.get(ip_count, "F")


def conversion_band(total_in_three_years: int) -> str:
    """Yearly average over 3 years: A ≥ 4; B >3–<4; C >2–3; D >1–2; E >0–1; F 0.

    Compared on the total (average × 3) so the comparison is exact integer arithmetic.
    """
    n = total_in_three_years
    if n >= 12:
        return "A"
    if n > 9:
        return "B"
    if n > 6:
        return "C"
    if n > 3:
        return "D"
    if n > 0:
        return "E"
    return "F"


def rd_management_band(items: int) -> str:
    """How many of the five items hold: A 5, B 4, C 3, D 2, E 1, F 0."""
    return {5: "A", 4: "B", 3: "C", 2: "D", 1: "E"}.get(min(max(items, 0), 5), "F")


def growth_rate(values: Sequence[Decimal]) -> Fraction | None:
    """½ × (Y2/Y1 + Y3/Y2) − 1 over the last three years (oldest first); None when it cannot be
    computed or scores 0 by rule (Y2 = 0; one year or none; two years with Y1 = 0).

    Y1 = 0 → Y3/Y2 − 1; two years → Y2/Y1 − 1.
    """
    ys = [Fraction(v) for v in values][-3:]
    if len(ys) == 3:
        y1, y2, y3 = ys
        if y2 == 0:
            return None
        if y1 == 0:
            return y3 / y2 - 1
        return (y2 / y1 + y3 / y2) / 2 - 1
    if len(ys) == 2:
        y1, y2 = ys
        if y1 == 0:
            return None
        return y2 / y1 - 1
    return None


def growth_band(rate: Fraction | None) -> str:
    """A ≥ 0.35; B ≥ 0.25; C ≥ 0.15; D ≥ 0.05; E 0 to < 0.05; F < 0 (and F when not computable)."""
    if rate is None:
        return "F"
    for band, floor in _GROWTH_FLOORS:
        if rate >= floor:
            return band
    return "F"


def _percent(rate: Fraction) -> str:
    # Rounded toward −∞ so a rate below a band edge never displays as the edge.
    value = (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(_CENT, rounding=ROUND_FLOOR)
    return f"{value}%"


def _growth_basis(name: str, values: Sequence[Decimal], rate: Fraction | None, band: str) -> str:
    if rate is not None:
        text = _("%(name)s %(rate)s（%(band)s 档）") % {"name": name, "rate": _percent(rate), "band": band}
        if len(values) >= 3 and Fraction(values[-3]) == 0:
            text += _("（第一年为 0，按后两年计算）")
        return text
    if len(values) >= 3 and Fraction(values[-2]) == 0:
        reason = _("第二年为 0，该项按 0 分计")
    elif len(values) == 2:
        reason = _("第一年为 0，无法计算")
    else:
        reason = _("会计年度数据不足两年，无法计算")
    return _("%(name)s：%(reason)s（%(band)s 档）") % {"name": name, "reason": reason, "band": band}


def indicator_bands(facts: ScoringFacts) -> dict[str, Band]:
    """The band the data suggests for each indicator, its min–max points and the basis shown to experts."""
    bands: dict[str, Band] = {}

    ip = ip_band(facts.ip_count, facts.invention_patents)
    bands["ip"] = _band(
        ip,
        WEIGHTS["ip"],
        _("知识产权 %(count)s 项，其中发明专利 %(inventions)s 项")
        % {"count": facts.ip_count, "inventions": facts.invention_patents},
    )

    years = sorted(facts.conversions_by_year)
    total = sum(facts.conversions_by_year.values())
    average = (Decimal(total) / 3).quantize(_CENT, rounding=ROUND_FLOOR)
    if years:
        basis = _("%(first)s–%(last)s 年科技成果转化 %(total)s 项，年均 %(average)s 项") % {
            "first": years[0],
            "last": years[-1],
            "total": total,
            "average": average,
        }
    else:
        basis = _("近三年科技成果转化 %(total)s 项，年均 %(average)s 项") % {
            "total": total,
            "average": average,
        }
    if facts.conversions_outside_window:
        basis += _("（另有 %(n)s 项不在近三年内，未计入）") % {"n": facts.conversions_outside_window}
    bands["conversion"] = _band(conversion_band(total), WEIGHTS["conversion"], basis)

    items = facts.rd_management_items
    bands["rd_management"] = _band(
        rd_management_band(items),
        WEIGHTS["rd_management"],
        _("研发组织管理 5 项中具备 %(n)s 项") % {"n": items},
    )

    rows = sorted(facts.fiscal_years, key=lambda fy: fy.year)[-3:]
    assets = [fy.total_assets for fy in rows]
    sales = [fy.sales_revenue for fy in rows]
    assets_rate, sales_rate = growth_rate(assets), growth_rate(sales)
    assets_band, sales_band = growth_band(assets_rate), growth_band(sales_rate)
    a_min, a_max = point_range(assets_band, GROWTH_SUB_WEIGHT)
    s_min, s_max = point_range(sales_band, GROWTH_SUB_WEIGHT)
    period = (
        _("%(first)s–%(last)s 年：") % {"first": rows[0].year, "last": rows[-1].year}
        if len(rows) >= 2
        else ""
    )
    basis = (
        period
        + _growth_basis(_("总资产增长率"), assets, assets_rate, assets_band)
        + _("；")
        + _growth_basis(_("销售增长率"), sales, sales_rate, sales_band)
    )
    bands["growth"] = Band(
        band=f"{assets_band}+{sales_band}", min=a_min + s_min, max=a_max + s_max, basis=basis
    )
    return bands


# --------------------------------------------------------------------------------------------------
# Points an expert gives
# --------------------------------------------------------------------------------------------------


def parse_points(value: object) -> Decimal | None:
    """A points value from a form or JSON body (string, int, Decimal or float); None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | Decimal):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = plain_number(value)  # full-width digits folded; other scripts' digits refused
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def check_points(indicator: str, points: Decimal, band: Band, reason: str | None) -> str | None:
    """None when the points may be saved, else the message to show (Chinese msgid).

    0 ≤ points ≤ the indicator's weight, at most one decimal, and inside the band's [min, max]
    unless a non-empty reason is recorded.
    """
    weight = WEIGHTS[indicator]
    if not isinstance(points, Decimal) or not points.is_finite():
        return _("请填写分值（数字）。")
    if points < 0 or points > weight:
        return _("分值须在 0 至 %(weight)s 分之间。") % {"weight": weight}
    if points != points.quantize(_TENTH):
        return _("分值最多保留一位小数。")
    if not band.contains(points) and not (reason or "").strip():
        return _(
            "%(points)s 分超出系统按申报数据计算的 %(band)s 档范围（%(min)s–%(max)s 分），须填写理由。"
        ) % {
            "points": points.quantize(_TENTH),
            "band": band.band,
            "min": band.min,
            "max": band.max,
        }
    return None


# --------------------------------------------------------------------------------------------------
# The panel's result
# --------------------------------------------------------------------------------------------------


def _round_cent(value: Fraction) -> Decimal:
    """Exact ROUND_HALF_UP of a fraction to two decimals (half away from zero)."""
    scaled = value * 100
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(_CENT)


def _points(row: Mapping[str, object], key: str) -> Fraction:
    value = row.get(key)
    if value is None:
        raise ValueError(f"missing points for {key}")
    return Fraction(Decimal(str(value)))


def average(values: Iterable[Decimal]) -> Decimal | None:
    """The mean of some points, two decimals ROUND_HALF_UP (None for no values)."""
    items = [Fraction(Decimal(str(v))) for v in values]
    if not items:
        return None
    return _round_cent(sum(items, Fraction(0)) / len(items))


def composite(
    technical: Sequence[Mapping[str, object]], financial: Sequence[Mapping[str, object]]
) -> Decimal:
    """Average of the technical experts' ip + conversion + rd_management, plus the average of the
    financial experts' growth; exact, rounded once to two decimals (ROUND_HALF_UP).

    Raises ValueError without at least one expert of each kind (a panel always has both).
    """
    if not technical or not financial:
        raise ValueError("the composite needs at least one technical and one financial expert")
    tech = sum((sum(_points(r, k) for k in TECHNICAL_INDICATORS) for r in technical), Fraction(0))
    fin = sum((_points(r, "growth") for r in financial), Fraction(0))
    return _round_cent(tech / len(technical) + fin / len(financial))


def passed(composite: Decimal, threshold: Decimal, strict: bool) -> bool:
    """第九条（六）: strict → above the threshold (60 itself fails); else at least the threshold (71 passes)."""
    return composite > threshold if strict else composite >= threshold


def spread_flag(totals: Iterable[Decimal]) -> bool:
    """More than 20 points between the highest and the lowest total (exactly 20 is not flagged)."""
    values = [Decimal(str(t)) for t in totals]
    if len(values) < 2:
        return False
    return max(values) - min(values) > SPREAD_LIMIT
