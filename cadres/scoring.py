"""The assessment's arithmetic over plain data (no ORM): the seed's default sheet, the sheet's checks,
a computed indicator's score. Rules and clauses: docs/domain.md ("Assessment of cadres").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cadres.models import IndicatorSource

SHEET_TOTAL = 100  # 实施方案 三(一)1: 指标采用百分制
MAX_INDICATORS = 30
FULL_AT_SOURCES = (IndicatorSource.RECORDS, IndicatorSource.HOURS, IndicatorSource.CASES)
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    max_score: int
    source: str
    full_at: Decimal | None = None


# The seed's indicators: 实施方案 三(一)1 (工作指标: 责任心、工作态度、工作作风、帮扶次数、帮扶时长、帮扶案例、
# 企业评价; 绩效指标: 提升企业创新能力、培育高新技术企业、人才引进培养、商业模式创新、并购重组、上市融资、
# 企业发展数据) and 考核意见 一 (帮助企业解决实际问题 = the cases; 工作台账 = ledgers filed on time).
# The points are the portal's proposal (the seed gives none); the office edits them.
DEFAULT_INDICATORS: tuple[IndicatorRow, ...] = (
    IndicatorRow("责任心", 8, IndicatorSource.MANUAL),
    IndicatorRow("工作态度", 6, IndicatorSource.MANUAL),
    IndicatorRow("工作作风", 6, IndicatorSource.MANUAL),
    IndicatorRow("帮扶次数", 10, IndicatorSource.RECORDS, Decimal("6")),
    IndicatorRow("帮扶时长", 10, IndicatorSource.HOURS, Decimal("24")),
    IndicatorRow("帮扶案例（帮助企业解决实际问题）", 10, IndicatorSource.CASES, Decimal("3")),
    IndicatorRow("企业评价", 10, IndicatorSource.EVALUATION),
    IndicatorRow("工作台账按时备案", 5, IndicatorSource.LEDGERS),
    IndicatorRow("提升企业创新能力", 6, IndicatorSource.MANUAL),
    IndicatorRow("培育高新技术企业", 6, IndicatorSource.MANUAL),
    IndicatorRow("人才引进培养", 5, IndicatorSource.MANUAL),
    IndicatorRow("商业模式创新", 4, IndicatorSource.MANUAL),
    IndicatorRow("并购重组", 4, IndicatorSource.MANUAL),
    IndicatorRow("上市融资", 5, IndicatorSource.MANUAL),
    IndicatorRow("企业发展数据", 5, IndicatorSource.MANUAL),
)


def _whole(raw: Any) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def parse_indicators(rows: Sequence[Mapping[str, Any]]) -> tuple[list[IndicatorRow], list[str]]:
    """The sheet's lines from raw input, and every problem as a Chinese sentence naming its line."""
    parsed: list[IndicatorRow] = []
    problems: list[str] = []
    names: set[str] = set()
    if not rows:
        return [], [_("评分表至少应有一项指标。")]
    if len(rows) > MAX_INDICATORS:
        problems.append(_("评分表最多 %(max)s 项指标。") % {"max": MAX_INDICATORS})
    for number, raw in enumerate(rows, start=1):
        line: list[str] = []
        name = str(raw.get("name") or "").strip()
        if not name:
            line.append(_("请填写指标名称"))
        elif len(name) > 100:
            line.append(_("指标名称不能超过 100 字"))
        elif name in names:
            line.append(_("指标名称“%(name)s”重复") % {"name": name})
        names.add(name)
        max_score = _whole(raw.get("max_score"))
        if max_score is None or not 1 <= max_score <= SHEET_TOTAL:
            line.append(_("满分应为 1 至 100 之间的整数"))
        source = raw.get("source")
        if source not in IndicatorSource.values:
            line.append(_("请选择指标来源"))
        full_at = _decimal(raw.get("full_at"))
        if source in FULL_AT_SOURCES:
            if (
                full_at is None
                or not Decimal("0.1") <= full_at <= Decimal("9999")
                or full_at != full_at.quantize(ONE_DECIMAL)
            ):
                line.append(_("自动计算的次数、时长和案例指标应填写满分标准（0.1 至 9999，最多一位小数）"))
        else:
            full_at = None
        if line:
            problems.append(_("第 %(n)s 项：%(problems)s。") % {"n": number, "problems": _("；").join(line)})
        else:
            assert max_score is not None
            parsed.append(IndicatorRow(name, max_score, str(source), full_at))
    if not problems:
        total = sum(r.max_score for r in parsed)
        if total != SHEET_TOTAL:
            problems.append(
                _("各项指标满分之和应为 %(total)s 分（百分制），现为 %(sum)s 分。")
                % {"total": SHEET_TOTAL, "sum": total}
            )
    return parsed, problems


def parse_score(raw: Any, max_score: int) -> Decimal | None:
    """A hand-entered score: 0 to the indicator's maximum, at most one decimal; None when it is not."""
    value = _decimal(raw)
    if value is None or not Decimal(0) <= value <= max_score or value != value.quantize(ONE_DECIMAL):
        return None
    return value


def computed_score(
    *, source: str, max_score: int, full_at: Decimal | None, measure: Decimal | None, annual: bool
) -> Decimal:
    """A computed indicator's score from the ledger's figure.

    Records, hours and cases: maximum × figure / standard, capped at the maximum (the standard is a
    half-year's; an annual assessment needs twice as much). The evaluation: maximum × average score / 5
    (none: 0). The ledgers: maximum × the share of the period's ledgers filed on time (the figure).
    """
    if measure is None:
        return Decimal(0)
    if source in FULL_AT_SOURCES:
        assert full_at is not None and full_at > 0
        standard = full_at * (2 if annual else 1)
        share = min(Decimal(1), measure / standard)
    elif source == IndicatorSource.EVALUATION:
        share = min(Decimal(1), measure / 5)
    elif source == IndicatorSource.LEDGERS:
        share = min(Decimal(1), measure)
    else:
        raise ValueError(source)
    return (max_score * share).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
