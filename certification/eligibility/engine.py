"""The pure eligibility engine: 《天津市市级高新技术企业认定管理办法》第二条、第九条 and the national
rule set (国科发火〔2016〕32号 第十一条), driven by rule-set DATA (``certification/rulesets/*.json``).

No Django here (stdlib only), so the engine is fast, testable without a database and usable by the
public check endpoint, the application's own check and the self-assessment alike.

Legal reading of thresholds (民法典 第1259条): 以上 / 以下 / 不低于 / 满 include the number itself;
不满 / 超过 / 小于 / (不含) exclude it. Every comparison is exact ``Decimal`` arithmetic: a ratio is
checked as ``part >= min × whole`` so no division rounding can tip a boundary case. Displayed
ratios are truncated (ROUND_DOWN), so a failing 19.99% never shows as "20.0%".
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_DOWN, Context, Decimal, InvalidOperation
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

__all__ = [
    "ACQUISITION_LABELS",
    "CONDITION_CODES",
    "CONDITION_LABELS",
    "DEFAULT_RULE_SET",
    "IP_KIND_LABELS",
    "RULESET_DIR",
    "RULE_SET_CODES",
    "ConditionResult",
    "EligibilityInput",
    "EligibilityResult",
    "FiscalYear",
    "IPItem",
    "PanelRules",
    "RevenueBand",
    "RuleSet",
    "Staff",
    "add_months",
    "beijing_today",
    "evaluate",
    "ip_window",
    "load_rule_set",
    "load_rule_set_data",
    "parse_input",
    "use_translation",
    "validate_payload",
]


# --------------------------------------------------------------------------------------------------
# Translation without Django: messages are Simplified Chinese msgids written ``_("…{name}…")``
# (extracted by makemessages like any gettext call). The Django side registers a factory with
# :func:`use_translation` (certification/apps.py); each public entry point asks it once for the
# active language's gettext (None = Chinese, nothing to translate), so the engine stays stdlib-only
# and the Chinese path costs one ContextVar look-up per message.
# --------------------------------------------------------------------------------------------------

_translation_factory: Callable[[], Callable[[str], str] | None] | None = None
_active_gettext: ContextVar[Callable[[str], str] | None] = ContextVar("eligibility_gettext", default=None)


def use_translation(factory: Callable[[], Callable[[str], str] | None] | None) -> None:
    """Register ``factory() -> gettext or None``, called once per evaluation / validation."""
    global _translation_factory
    _translation_factory = factory


def _(message: str) -> str:
    translate = _active_gettext.get()
    return message if translate is None else translate(message)


def gettext_noop(message: str) -> str:
    """Marks a constant for the catalogue; :func:`_` translates it where it is shown."""
    return message


def _translated(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _translation_factory is None or _active_gettext.get() is not None:
            return func(*args, **kwargs)
        translate = _translation_factory()
        if translate is None:
            return func(*args, **kwargs)
        token = _active_gettext.set(translate)
        try:
            return func(*args, **kwargs)
        finally:
            _active_gettext.reset(token)

    return wrapper


def translate_label(text: str) -> str:
    """A label of this module or of a shipped rule set (clause, band, name) in the active language."""
    if _translation_factory is None:
        return text
    translate = _translation_factory()
    return text if translate is None else translate(text)


RULESET_DIR = Path(__file__).resolve().parent.parent / "rulesets"
RULE_SET_CODES: tuple[str, ...] = ("tianjin-2015", "national-2016")
DEFAULT_RULE_SET = "tianjin-2015"

# One entry per condition of docs/domain.md's table, in this order (docs/api.md: "in that order").
CONDITION_CODES: tuple[str, ...] = (
    "registration",
    "core_ip",
    "field",
    "tech_staff_ratio",
    "rd_staff_ratio",
    "rd_expense_ratio",
    "domestic_rd_ratio",
    "hightech_revenue_ratio",
    "composite_score",
)
CONDITION_LABELS: dict[str, str] = {
    "registration": gettext_noop("注册地与注册时间"),
    "core_ip": gettext_noop("核心自主知识产权"),
    "field": gettext_noop("高新技术领域"),
    "tech_staff_ratio": gettext_noop("科技人员占比"),
    "rd_staff_ratio": gettext_noop("研发人员占比"),
    "rd_expense_ratio": gettext_noop("研究开发费用占销售收入比例"),
    "domestic_rd_ratio": gettext_noop("境内研究开发费用占比"),
    "hightech_revenue_ratio": gettext_noop("高新技术产品（服务）收入占比"),
    "composite_score": gettext_noop("综合评分"),
}
IP_KIND_LABELS: dict[str, str] = {
    "invention_patent": gettext_noop("发明专利"),
    "utility_model": gettext_noop("实用新型专利"),
    "design_patent": gettext_noop("外观设计专利"),
    "software_copyright": gettext_noop("软件著作权"),
    "ic_layout": gettext_noop("集成电路布图设计专有权"),
    "plant_variety": gettext_noop("植物新品种"),
    "other": gettext_noop("其他知识产权"),
}
ACQUISITION_LABELS: dict[str, str] = {
    "self_developed": gettext_noop("自主研发"),
    "transfer": gettext_noop("受让"),
    "gift": gettext_noop("受赠"),
    "merger": gettext_noop("并购"),
    "exclusive_license": gettext_noop("独占许可"),
}
EXCLUSIVE_LICENSE = "exclusive_license"

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # China has had no DST since 1991.

# A private context wide enough that products of money (≤ 10^15, 2 decimals) and ratios are exact,
# whatever the caller's thread context is.
_CTX = Context(prec=60)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")
_MONEY_LIMIT = Decimal(10) ** 15  # ¥1,000 trillion: more is certainly a typo (and keeps maths exact)


# --------------------------------------------------------------------------------------------------
# Rule sets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevenueBand:
    """One band of 第九条（四）: applies while the latest year's sales < (or ≤) ``max_sales``."""

    max_sales: Decimal | None
    max_inclusive: bool
    min_ratio: Decimal
    label: str

    def contains(self, sales: Decimal) -> bool:
        if self.max_sales is None:
            return True
        return sales <= self.max_sales if self.max_inclusive else sales < self.max_sales


@dataclass(frozen=True, slots=True)
class PanelRules:
    """Expert panel rules (国科发火〔2008〕362号, as rule-set data)."""

    min_panel: int
    min_technical_share: Decimal
    min_financial: int


@dataclass(frozen=True)
class RuleSet:
    """A versioned rule set. Build it with :meth:`from_data` from the JSON / ``RuleSet.data``."""

    code: str
    name: str
    version: str
    clauses: Mapping[str, str]
    require_tianjin: bool
    registration_min_months: int | None
    registration_min_days: int | None
    ip_min_items: int
    ip_window_fiscal_years: int | None
    ip_acquisitions: frozenset[str]
    exclusive_license_counts: bool
    exclusive_license_min_years: int | None
    tech_staff_min_ratio: Decimal | None
    rd_staff_min_ratio: Decimal | None
    rd_expense_fiscal_years: int
    rd_expense_bands: tuple[RevenueBand, ...]
    domestic_rd_min_ratio: Decimal | None
    hightech_revenue_min_ratio: Decimal | None
    score_threshold: Decimal
    score_strict: bool
    panel: PanelRules
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RuleSet:
        """Parse a rule set's JSON document; raises ``ValueError`` naming the bad key."""
        if not isinstance(data, Mapping):
            raise ValueError("rule set: the document must be a JSON object")
        code = _req_str(data, "code", "code")
        where = f"rule set {code!r}"
        clauses_raw = _req(data, "clauses", where)
        if not isinstance(clauses_raw, Mapping):
            raise ValueError(f"{where}: clauses must be an object")
        clauses: dict[str, str] = {}
        for cond in CONDITION_CODES:
            text = clauses_raw.get(cond)
            if not isinstance(text, str) or not text:
                raise ValueError(f"{where}: clauses.{cond} must be a non-empty string")
            clauses[cond] = text
        th = _req_map(data, "thresholds", where)

        reg = _req_map(th, "registration", where + " thresholds")
        min_months = _opt_int(reg, "min_months", where + " thresholds.registration")
        min_days = _opt_int(reg, "min_days", where + " thresholds.registration")
        if (min_months is None) == (min_days is None):
            raise ValueError(f"{where}: exactly one of registration.min_months / min_days must be set")

        ip = _req_map(th, "core_ip", where + " thresholds")
        acquisitions = ip.get("acquisitions")
        if not isinstance(acquisitions, list) or any(a not in ACQUISITION_LABELS for a in acquisitions):
            raise ValueError(f"{where}: core_ip.acquisitions must list codes of ACQUISITION_LABELS")
        if EXCLUSIVE_LICENSE in acquisitions:
            raise ValueError(f"{where}: exclusive licences are configured in core_ip.exclusive_license")
        lic = _req_map(ip, "exclusive_license", where + " thresholds.core_ip")
        lic_counts = lic.get("counts")
        if not isinstance(lic_counts, bool):
            raise ValueError(f"{where}: core_ip.exclusive_license.counts must be true or false")
        lic_years = _opt_int(lic, "min_years", where + " thresholds.core_ip.exclusive_license")
        if lic_counts and lic_years is None:
            raise ValueError(f"{where}: core_ip.exclusive_license.min_years is required when counts is true")

        rd = _req_map(th, "rd_expense_ratio", where + " thresholds")
        if rd.get("band_by", "latest_sales_revenue") != "latest_sales_revenue":
            raise ValueError(f"{where}: rd_expense_ratio.band_by must be 'latest_sales_revenue'")
        rd_years = _opt_int(rd, "fiscal_years", where + " thresholds.rd_expense_ratio")
        if rd_years is None or rd_years < 1:
            raise ValueError(f"{where}: rd_expense_ratio.fiscal_years must be a positive integer")
        bands_raw = rd.get("bands")
        if not isinstance(bands_raw, list) or not bands_raw:
            raise ValueError(f"{where}: rd_expense_ratio.bands must be a non-empty list")
        bands: list[RevenueBand] = []
        for i, b in enumerate(bands_raw):
            bw = f"{where} thresholds.rd_expense_ratio.bands[{i}]"
            if not isinstance(b, Mapping):
                raise ValueError(f"{bw} must be an object")
            max_sales = _opt_dec(b, "max_sales", bw)
            ratio = _opt_dec(b, "min_ratio", bw)
            if ratio is None:
                raise ValueError(f"{bw}.min_ratio is required")
            bands.append(
                RevenueBand(
                    max_sales=max_sales,
                    max_inclusive=bool(b.get("max_inclusive")),
                    min_ratio=ratio,
                    label=str(b.get("label") or ""),
                )
            )
        if bands[-1].max_sales is not None or any(b.max_sales is None for b in bands[:-1]):
            raise ValueError(f"{where}: only the last revenue band may (and must) have max_sales null")

        score = _req_map(th, "composite_score", where + " thresholds")
        score_threshold = _opt_dec(score, "threshold", where + " thresholds.composite_score")
        if score_threshold is None:
            raise ValueError(f"{where}: composite_score.threshold is required")
        panel = _req_map(th, "panel", where + " thresholds")
        min_panel = _opt_int(panel, "min_panel", where + " thresholds.panel")
        min_financial = _opt_int(panel, "min_financial", where + " thresholds.panel")
        tech_share = _opt_dec(panel, "min_technical_share", where + " thresholds.panel")
        if min_panel is None or min_financial is None or tech_share is None:
            raise ValueError(f"{where}: panel needs min_panel, min_technical_share and min_financial")

        return cls(
            code=code,
            name=_req_str(data, "name", where),
            version=str(_req(data, "version", where)),
            clauses=clauses,
            require_tianjin=bool(reg.get("require_tianjin")),
            registration_min_months=min_months,
            registration_min_days=min_days,
            ip_min_items=_opt_int(ip, "min_items", where + " thresholds.core_ip") or 1,
            ip_window_fiscal_years=_opt_int(ip, "window_fiscal_years", where + " thresholds.core_ip"),
            ip_acquisitions=frozenset(acquisitions),
            exclusive_license_counts=lic_counts,
            exclusive_license_min_years=lic_years,
            tech_staff_min_ratio=_ratio_min(th, "tech_staff_ratio", where),
            rd_staff_min_ratio=_ratio_min(th, "rd_staff_ratio", where),
            rd_expense_fiscal_years=rd_years,
            rd_expense_bands=tuple(bands),
            domestic_rd_min_ratio=_ratio_min(th, "domestic_rd_ratio", where),
            hightech_revenue_min_ratio=_ratio_min(th, "hightech_revenue_ratio", where),
            score_threshold=score_threshold,
            score_strict=bool(score.get("strict")),
            panel=PanelRules(
                min_panel=min_panel, min_technical_share=tech_share, min_financial=min_financial
            ),
            data=data,
        )

    def __hash__(self) -> int:  # the mapping fields are unhashable; code + version identify a rule set
        return hash((self.code, self.version))

    def band_for(self, latest_sales: Decimal) -> RevenueBand:
        """The 第九条（四） band chosen by the latest fiscal year's sales revenue."""
        for band in self.rd_expense_bands:
            if band.contains(latest_sales):
                return band
        return self.rd_expense_bands[-1]  # pragma: no cover - from_data guarantees a catch-all band


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValueError(f"{where}: missing key {key!r}")
    return data[key]


def _req_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _req(data, key, where)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {key} must be a non-empty string")
    return value


def _req_map(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = _req(data, key, where)
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: {key} must be an object")
    return value


def _opt_int(data: Mapping[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}.{key} must be a non-negative integer or null")
    return value


def _opt_dec(data: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a decimal string (money and ratios are strings)")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{where}.{key} is not a decimal: {value!r}") from None
    if not result.is_finite() or result < 0:
        raise ValueError(f"{where}.{key} must be a finite non-negative decimal")
    return result


def _ratio_min(th: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    """``{"min": "0.20"}``; ``null`` (or a missing block) means "not required by this rule set"."""
    block = th.get(key)
    if block is None:
        return None
    if not isinstance(block, Mapping):
        raise ValueError(f"{where}: thresholds.{key} must be an object")
    return _opt_dec(block, "min", f"{where} thresholds.{key}")


_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")


def load_rule_set_data(code: str) -> dict[str, Any]:
    """The raw JSON document of a shipped rule set (what the data migration stores in ``RuleSet.data``)."""
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise KeyError(code)
    path = RULESET_DIR / f"{code}.json"
    if not path.is_file():
        raise KeyError(code)
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=32)
def load_rule_set(code: str) -> RuleSet:
    """The shipped rule set ``code`` (JSON beside this module), parsed once and cached.

    Raises ``KeyError`` for an unknown code and ``ValueError`` for a malformed file.
    """
    return RuleSet.from_data(load_rule_set_data(code))


# --------------------------------------------------------------------------------------------------
# Input and result
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IPItem:
    kind: str
    acquired_on: date
    acquisition: str
    licence_years: int | None = None


@dataclass(frozen=True, slots=True)
class Staff:
    total: int
    tech_college: int
    rd: int


@dataclass(frozen=True, slots=True)
class FiscalYear:
    year: int
    sales_revenue: Decimal
    total_revenue: Decimal
    hightech_revenue: Decimal
    rd_expense: Decimal
    rd_expense_domestic: Decimal
    total_assets: Decimal


@dataclass(frozen=True, slots=True)
class EligibilityInput:
    as_of: date
    registered_on: date
    registered_in_tianjin: bool
    field_code: str | None
    ip: list[IPItem]
    staff: Staff
    fiscal_years: list[FiscalYear]
    composite_score: Decimal | None
    # The self-assessment's score is the enterprise's own estimate (docs/domain.md: "marked as such");
    # pass False when the score is the experts' composite.
    score_is_estimate: bool = True


@dataclass(frozen=True, slots=True)
class ConditionResult:
    code: str
    passed: bool | None
    clause: str
    value: str
    threshold: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "passed": self.passed,
            "clause": self.clause,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    rule_set: str
    eligible: bool | None
    conditions: list[ConditionResult]

    def as_dict(self) -> dict[str, Any]:
        """docs/api.md's answer of ``POST /api/v1/eligibility/check/``."""
        return {
            "rule_set": self.rule_set,
            "eligible": self.eligible,
            "conditions": [c.as_dict() for c in self.conditions],
        }

    def condition(self, code: str) -> ConditionResult:
        for c in self.conditions:
            if c.code == code:
                return c
        raise KeyError(code)


# --------------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)  # only a rule set's few thresholds come here
def _pct(ratio: Decimal) -> str:
    """A rule's ratio as a percentage without trailing zeros: 0.05 → "5%", 0.075 → "7.5%"."""
    value = _CTX.multiply(ratio, _HUNDRED).normalize(_CTX)
    return f"{value:f}%"


def _pct_value(part: Decimal, whole: Decimal) -> str:
    """A measured ratio, truncated to one decimal so a failing 19.99% never reads "20.0%"."""
    value = _CTX.multiply(_CTX.divide(part, whole), _HUNDRED).quantize(_TENTH, rounding=ROUND_DOWN)
    return f"{value:f}%"


def _num(value: Decimal) -> str:
    """A score without trailing zeros: 60.00 → "60", 60.10 → "60.1"."""
    normalized = value.normalize(_CTX)
    if normalized == normalized.to_integral_value():
        return f"{normalized.quantize(_ONE):f}"
    return f"{normalized:f}"


def _yuan(amount: Decimal) -> str:
    """Money for messages: ¥1,234,567.89 (cents shown only when present)."""
    if amount == amount.to_integral_value():
        return f"¥{int(amount):,}"
    return f"¥{amount.quantize(_CENT):,}"


def _ceil_yuan(amount: Decimal) -> int:
    """A shortfall rounded UP to the whole yuan."""
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def _years_label(years: Iterable[int]) -> str:
    ys = sorted(years)
    if len(ys) > 1 and ys[-1] - ys[0] == len(ys) - 1:
        return _("{first}–{last} 年度").format(first=ys[0], last=ys[-1])
    return _("{years} 年度").format(years=_("、").join(str(y) for y in ys))


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (8-31 + 6 → 2-28/29)."""
    index = day.month - 1 + months
    year = day.year + index // 12
    month = index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def beijing_today() -> date:
    """Today in Beijing time (Asia/Shanghai)."""
    return datetime.now(BEIJING).date()


_NOT_REQUIRED = gettext_noop("本规则集不设此项要求")
_NO_REQUIREMENT = gettext_noop("不设要求")

# Strings of the shipped rule sets (certification/rulesets/*.json) that pages show: clauses, revenue
# bands and names. Listed here for the catalogue; shown through :func:`_` / :func:`translate_label`.
RULE_SET_TEXTS: tuple[str, ...] = (
    gettext_noop("第二条"),
    gettext_noop("第九条（一）"),
    gettext_noop("第九条（二）"),
    gettext_noop("第九条（三）"),
    gettext_noop("第九条（四）"),
    gettext_noop("第九条（五）"),
    gettext_noop("第九条（六）"),
    gettext_noop("第十一条（一）"),
    gettext_noop("第十一条（二）"),
    gettext_noop("第十一条（三）"),
    gettext_noop("第十一条（四）"),
    gettext_noop("第十一条（五）"),
    gettext_noop("第十一条（六）"),
    gettext_noop("第十一条（七）"),
    gettext_noop("最近一年销售收入小于5,000万元"),
    gettext_noop("最近一年销售收入在5,000万元至20,000万元"),
    gettext_noop("最近一年销售收入在20,000万元以上（超过20,000万元）"),
    gettext_noop("最近一年销售收入小于5,000万元（含）"),
    gettext_noop("最近一年销售收入在5,000万元至2亿元（含）"),
    gettext_noop("最近一年销售收入在2亿元以上"),
    gettext_noop("天津市市级高新技术企业认定管理办法（2015）"),
    gettext_noop("高新技术企业认定管理办法（国科发火〔2016〕32号）"),
)


def _clause(rs: RuleSet, cond: str) -> str:
    return _(rs.clauses[cond])


def _yuan_short(amount: int) -> str:
    return f"¥{amount:,}"


# --------------------------------------------------------------------------------------------------
# The conditions
# --------------------------------------------------------------------------------------------------


def _registration(inp: EligibilityInput, rs: RuleSet) -> ConditionResult:
    # 第二条: 在天津市注册满半年以上的居民企业 (满 includes the day itself); national 第十一条（一）.
    problems: list[str] = []
    if rs.registration_min_months is not None:
        due = add_months(inp.registered_on, rs.registration_min_months)
        span = _("满 {n} 个月").format(n=rs.registration_min_months)
    else:
        due = inp.registered_on + timedelta(days=rs.registration_min_days or 0)
        span = _("满 {n} 天").format(n=rs.registration_min_days)
    if rs.require_tianjin and not inp.registered_in_tianjin:
        problems.append(_("未在天津市注册，本规则集要求在天津市注册的居民企业"))
    if due > inp.as_of:
        short = (due - inp.as_of).days
        problems.append(
            _("注册时间不足：{registered} 注册，{due} 起方{span}，距评估日 {as_of} 还差 {days} 天").format(
                registered=inp.registered_on.isoformat(),
                due=due.isoformat(),
                span=span,
                as_of=inp.as_of.isoformat(),
                days=short,
            )
        )
    place = _("天津市") if inp.registered_in_tianjin else _("非天津市")
    value = _("{registered} 注册（{place}）").format(registered=inp.registered_on.isoformat(), place=place)
    threshold = (
        _("天津市注册，{span}").format(span=span) if rs.require_tianjin else _("注册{span}").format(span=span)
    )
    clause = _clause(rs, "registration")
    if problems:
        return ConditionResult("registration", False, clause, value, threshold, _("；").join(problems))
    if rs.require_tianjin:
        message = _("满足：在天津市注册；{registered} 注册，至 {as_of} 已{span}")
    else:
        message = _("满足：{registered} 注册，至 {as_of} 已{span}")
    message = message.format(registered=inp.registered_on.isoformat(), as_of=inp.as_of.isoformat(), span=span)
    return ConditionResult("registration", True, clause, value, threshold, message)


def ip_window(rule_set: RuleSet, as_of: date) -> tuple[int, int] | None:
    """第九条（一）'s 近三个会计年度 on ``as_of``: ``(first_year, latest_year)``, or None (no window).

    The window is the rule set's number of fiscal (calendar) years completed before ``as_of``'s year —
    for a check on 2026-12-05, 2023–2025 — whatever years the enterprise has entered so far, so the
    public self-check, the self-assessment and a draft application count IP over the same years on the
    same day. IP obtained since the window's first January 1st up to ``as_of`` counts.
    """
    window = rule_set.ip_window_fiscal_years
    if not window:
        return None
    latest_year = as_of.year - 1
    return latest_year - window + 1, latest_year


def _core_ip(inp: EligibilityInput, rs: RuleSet) -> ConditionResult:
    # 第九条（一）: 近三个会计年度中通过自主研发、受让、受赠、并购等方式，或通过5年以上的独占许可方式 …
    window = rs.ip_window_fiscal_years
    years = ip_window(rs, inp.as_of)
    first_year, latest_year = years if years is not None else (None, None)
    counted: dict[str, int] = {}
    refused: list[str] = []
    for item in inp.ip:
        label = _(IP_KIND_LABELS[item.kind]) if item.kind in IP_KIND_LABELS else item.kind
        if item.acquired_on > inp.as_of:
            refused.append(
                _("{label}取得于 {acquired}，晚于评估日").format(
                    label=label, acquired=item.acquired_on.isoformat()
                )
            )
            continue
        if first_year is not None and item.acquired_on.year < first_year:
            refused.append(
                _("{label}取得于 {year} 年，早于近 {window} 个会计年度（{first_year} 年起）").format(
                    label=label, year=item.acquired_on.year, window=window, first_year=first_year
                )
            )
            continue
        if item.acquisition == EXCLUSIVE_LICENSE:
            if not rs.exclusive_license_counts:
                refused.append(_("{label}为独占许可，本规则集只认所有权，不计独占许可").format(label=label))
                continue
            min_years = rs.exclusive_license_min_years or 0
            if item.licence_years is None or item.licence_years < min_years:
                years = _("未填") if item.licence_years is None else _("{n} 年").format(n=item.licence_years)
                refused.append(
                    _("{label}独占许可期限{years}，不足 {min_years} 年").format(
                        label=label, years=years, min_years=min_years
                    )
                )
                continue
        elif item.acquisition not in rs.ip_acquisitions:
            refused.append(_("{label}的取得方式不被认可").format(label=label))
            continue
        counted[label] = counted.get(label, 0) + 1
    count = sum(counted.values())
    value = _("{n} 项").format(n=count)
    threshold = _("≥ {n} 项").format(n=rs.ip_min_items)
    scope = (
        _("近 {window} 个会计年度（{first_year}–{latest_year} 年）内").format(
            window=window, first_year=first_year, latest_year=latest_year
        )
        if window
        else ""
    )
    detail = _("、").join(_("{label} {n} 项").format(label=k, n=v) for k, v in counted.items())
    clause = _clause(rs, "core_ip")
    if count >= rs.ip_min_items:
        message = _("满足：{scope}取得并可计入的核心自主知识产权 {count} 项（{detail}）").format(
            scope=scope, count=count, detail=detail
        )
        return ConditionResult("core_ip", True, clause, value, threshold, message)
    message = _("{scope}可计入的核心自主知识产权 {count} 项，少于 {minimum} 项，还差 {short} 项").format(
        scope=scope, count=count, minimum=rs.ip_min_items, short=rs.ip_min_items - count
    )
    if refused:
        message += _("；未计入：") + _("；").join(refused)
    return ConditionResult("core_ip", False, clause, value, threshold, message)


def _field(inp: EligibilityInput, rs: RuleSet, field_codes: frozenset[str] | None) -> ConditionResult:
    # 第九条（二）: 产品（服务）技术属于国家重点支持的高新技术领域规定的范围.
    clause = _clause(rs, "field")
    threshold = _("属于在用的《国家重点支持的高新技术领域》")
    code = inp.field_code
    if code is None or code == "":
        return ConditionResult("field", None, clause, "", threshold, _("未填写技术领域，无法判断"))
    if field_codes is None:
        message = _("未提供在用的技术领域目录，无法核对 {code}").format(code=code)
        return ConditionResult("field", None, clause, code, threshold, message)
    if code in field_codes:
        message = _("满足：技术领域 {code} 属于在用目录").format(code=code)
        return ConditionResult("field", True, clause, code, threshold, message)
    message = _("技术领域 {code} 不在在用目录中").format(code=code)
    return ConditionResult("field", False, clause, code, threshold, message)


def _staff_ratio(
    cond: str, label: str, count: int, total: int, minimum: Decimal | None, rs: RuleSet
) -> ConditionResult:
    # 第九条（三）: 科技人员 20%以上 / 研发人员 7%以上 of 当年职工总数 (以上 includes the number).
    clause = _clause(rs, cond)
    label = _(label)
    if minimum is None:
        value = _pct_value(Decimal(count), Decimal(total)) if total > 0 else "—"
        return ConditionResult(cond, True, clause, value, _(_NO_REQUIREMENT), _(_NOT_REQUIRED))
    threshold = f"≥ {_pct(minimum)}"
    if total <= 0:
        message = _("职工总数为 0，无法计算{label}占比").format(label=label)
        return ConditionResult(cond, False, clause, "—", threshold, message)
    needed = _CTX.multiply(minimum, Decimal(total))
    value = _pct_value(Decimal(count), Decimal(total))
    if count >= needed:
        message = _("满足：{label}占比 {value}（{count}/{total} 名），不低于 {minimum}").format(
            label=label, value=value, count=count, total=total, minimum=_pct(minimum)
        )
        return ConditionResult(cond, True, clause, value, threshold, message)
    required = int(needed.to_integral_value(rounding=ROUND_CEILING))
    message = _(
        "{label}占比 {value}，低于 {minimum}，还需增加 {more} 名（现有 {count} 名，职工总数 {total} 名不变时须达到 {required} 名）"
    ).format(
        label=label,
        value=value,
        minimum=_pct(minimum),
        more=required - count,
        count=count,
        total=total,
        required=required,
    )
    return ConditionResult(cond, False, clause, value, threshold, message)


def _rd_conditions(
    inp: EligibilityInput, rs: RuleSet, fiscal_years: list[FiscalYear]
) -> tuple[ConditionResult, ConditionResult]:
    # 第九条（四）: 近二个会计年度的研究开发费用总额占销售收入总额的比例; 企业注册成立时间不足二年的,
    # 按实际经营年限计算 — the last N fiscal years by number, and only those ≥ the registration year.
    rd_clause = _clause(rs, "rd_expense_ratio")
    dom_clause = _clause(rs, "domestic_rd_ratio")
    dom_min = rs.domestic_rd_min_ratio
    dom_threshold = f"≥ {_pct(dom_min)}" if dom_min is not None else _(_NO_REQUIREMENT)
    if not fiscal_years:
        missing = _("未提供会计年度数据，无法判断")
        return (
            ConditionResult("rd_expense_ratio", None, rd_clause, "—", _("按最近一年销售收入分档"), missing),
            ConditionResult("domestic_rd_ratio", None, dom_clause, "—", dom_threshold, missing),
        )
    latest = fiscal_years[-1]
    band = rs.band_for(latest.sales_revenue)
    threshold = f"≥ {_pct(band.min_ratio)}"
    n_years = rs.rd_expense_fiscal_years
    first_year = max(latest.year - n_years + 1, inp.registered_on.year)
    used = [fy for fy in fiscal_years if fy.year >= first_year]
    if not used:
        missing = _("没有 {year} 年（注册年度）及以后的会计年度数据，无法判断").format(
            year=inp.registered_on.year
        )
        return (
            ConditionResult("rd_expense_ratio", None, rd_clause, "—", threshold, missing),
            ConditionResult("domestic_rd_ratio", None, dom_clause, "—", dom_threshold, missing),
        )
    period = _years_label(fy.year for fy in used)
    if len(used) < n_years:
        if inp.registered_on.year > latest.year - n_years + 1:
            period += _("，成立不足 {n} 年，按实际经营年限计算").format(n=n_years)
        else:
            period += _("，仅提供 {n} 个年度的数据").format(n=len(used))
    sales = _ZERO
    rd = _ZERO
    domestic = _ZERO
    for fy in used:
        sales = _CTX.add(sales, fy.sales_revenue)
        rd = _CTX.add(rd, fy.rd_expense)
        domestic = _CTX.add(domestic, fy.rd_expense_domestic)
    if band.label:
        band_note = _("{band}，适用 {ratio}").format(band=_(band.label), ratio=_pct(band.min_ratio))
    else:
        band_note = _("适用 {ratio}").format(ratio=_pct(band.min_ratio))

    if sales <= 0:
        rd_result = ConditionResult(
            "rd_expense_ratio",
            False,
            rd_clause,
            "—",
            threshold,
            _("销售收入总额为 0，无法计算研发费用占比（{period}）").format(period=period),
        )
    else:
        value = _pct_value(rd, sales)
        needed = _CTX.multiply(band.min_ratio, sales)
        basis = _("{period}：研发费用 {rd} ÷ 销售收入 {sales}；{band}").format(
            period=period, rd=_yuan(rd), sales=_yuan(sales), band=band_note
        )
        if rd >= needed:
            message = _("满足：研发费用占比 {value}，不低于 {minimum}（{basis}）").format(
                value=value, minimum=_pct(band.min_ratio), basis=basis
            )
            rd_result = ConditionResult("rd_expense_ratio", True, rd_clause, value, threshold, message)
        else:
            short = _ceil_yuan(_CTX.subtract(needed, rd))
            message = _("研发费用占比 {value}，低于 {minimum}，还差 {short}（{basis}）").format(
                value=value, minimum=_pct(band.min_ratio), short=_yuan_short(short), basis=basis
            )
            rd_result = ConditionResult("rd_expense_ratio", False, rd_clause, value, threshold, message)

    # 第九条（四）: 企业在中国境内发生的研究开发费用总额占全部研究开发费用总额的比例不低于60%.
    if dom_min is None:
        value = _pct_value(domestic, rd) if rd > 0 else "—"
        dom_result = ConditionResult(
            "domestic_rd_ratio", True, dom_clause, value, dom_threshold, _(_NOT_REQUIRED)
        )
    elif rd <= 0:
        dom_result = ConditionResult(
            "domestic_rd_ratio",
            False,
            dom_clause,
            "—",
            dom_threshold,
            _("研发费用总额为 0，无法计算境内研发费用占比（{period}）").format(period=period),
        )
    else:
        value = _pct_value(domestic, rd)
        needed = _CTX.multiply(dom_min, rd)
        basis = _("{period}：境内研发费用 {domestic} ÷ 研发费用总额 {rd}").format(
            period=period, domestic=_yuan(domestic), rd=_yuan(rd)
        )
        if domestic >= needed:
            message = _("满足：境内研发费用占比 {value}，不低于 {minimum}（{basis}）").format(
                value=value, minimum=_pct(dom_min), basis=basis
            )
            dom_result = ConditionResult("domestic_rd_ratio", True, dom_clause, value, dom_threshold, message)
        else:
            short = _ceil_yuan(_CTX.subtract(needed, domestic))
            message = _(
                "境内研发费用占比 {value}，低于 {minimum}，还差 {short}（研发费用总额不变；{basis}）"
            ).format(value=value, minimum=_pct(dom_min), short=_yuan_short(short), basis=basis)
            dom_result = ConditionResult(
                "domestic_rd_ratio", False, dom_clause, value, dom_threshold, message
            )
    return rd_result, dom_result


def _hightech(rs: RuleSet, latest: FiscalYear | None) -> ConditionResult:
    # 第九条（五）: 高新技术产品（服务）收入占企业当年总收入的50%以上 (以上 includes 50%).
    clause = _clause(rs, "hightech_revenue_ratio")
    minimum = rs.hightech_revenue_min_ratio
    if minimum is None:
        return ConditionResult(
            "hightech_revenue_ratio", True, clause, "—", _(_NO_REQUIREMENT), _(_NOT_REQUIRED)
        )
    threshold = f"≥ {_pct(minimum)}"
    if latest is None:
        return ConditionResult(
            "hightech_revenue_ratio", None, clause, "—", threshold, _("未提供会计年度数据，无法判断")
        )
    if latest.total_revenue <= 0:
        return ConditionResult(
            "hightech_revenue_ratio",
            False,
            clause,
            "—",
            threshold,
            _("{year} 年度总收入为 0，无法计算高新技术产品（服务）收入占比").format(year=latest.year),
        )
    value = _pct_value(latest.hightech_revenue, latest.total_revenue)
    needed = _CTX.multiply(minimum, latest.total_revenue)
    basis = _("{year} 年度：高新技术产品（服务）收入 {hightech} ÷ 总收入 {total}").format(
        year=latest.year, hightech=_yuan(latest.hightech_revenue), total=_yuan(latest.total_revenue)
    )
    if latest.hightech_revenue >= needed:
        message = _("满足：高新技术产品（服务）收入占比 {value}，不低于 {minimum}（{basis}）").format(
            value=value, minimum=_pct(minimum), basis=basis
        )
        return ConditionResult("hightech_revenue_ratio", True, clause, value, threshold, message)
    short = _ceil_yuan(_CTX.subtract(needed, latest.hightech_revenue))
    message = _(
        "高新技术产品（服务）收入占比 {value}，低于 {minimum}，还差 {short}（总收入不变；{basis}）"
    ).format(value=value, minimum=_pct(minimum), short=_yuan_short(short), basis=basis)
    return ConditionResult("hightech_revenue_ratio", False, clause, value, threshold, message)


def _score(inp: EligibilityInput, rs: RuleSet) -> ConditionResult:
    # 第九条（六）: 综合评分达到60分（不含）以上 — 60 itself fails; national: 71 and above passes.
    clause = _clause(rs, "composite_score")
    limit = rs.score_threshold
    threshold = f"> {_num(limit)}" if rs.score_strict else f"≥ {_num(limit)}"
    score = inp.composite_score
    if score is None:
        return ConditionResult(
            "composite_score",
            None,
            clause,
            "",
            threshold,
            _("未提供综合评分（认定时由专家评分；自评时可填写估算分）"),
        )
    kind = _("综合评分（自评估算）") if inp.score_is_estimate else _("综合评分")
    value = _num(score)
    params = {"kind": kind, "score": _num(score), "limit": _num(limit)}
    if rs.score_strict:
        if score > limit:
            message = _("满足：{kind}{score} 分，高于 {limit} 分").format(**params)
            return ConditionResult("composite_score", True, clause, value, threshold, message)
        message = _("{kind}{score} 分，未超过 {limit} 分（须高于 {limit} 分，{limit} 分本身不通过）").format(
            **params
        )
        return ConditionResult("composite_score", False, clause, value, threshold, message)
    if score >= limit:
        message = _("满足：{kind}{score} 分，达到 {limit} 分").format(**params)
        return ConditionResult("composite_score", True, clause, value, threshold, message)
    message = _("{kind}{score} 分，低于 {limit} 分，还差 {short} 分").format(
        short=_num(_CTX.subtract(limit, score)), **params
    )
    return ConditionResult("composite_score", False, clause, value, threshold, message)


def _year_key(fy: FiscalYear) -> int:
    return fy.year


@_translated
def evaluate(
    inp: EligibilityInput, rule_set: RuleSet, *, field_codes: frozenset[str] | None = None
) -> EligibilityResult:
    """Check ``inp`` against every condition of ``rule_set``.

    ``field_codes`` is the set of codes of the catalogue in force; ``None`` means the field cannot
    be checked (``passed`` null). ``eligible`` is False if any condition failed, None if none failed
    but some could not be decided, else True.
    """
    fiscal_years = sorted(inp.fiscal_years, key=_year_key)
    latest = fiscal_years[-1] if fiscal_years else None
    staff = inp.staff
    rd_result, dom_result = _rd_conditions(inp, rule_set, fiscal_years)
    conditions = [
        _registration(inp, rule_set),
        _core_ip(inp, rule_set),
        _field(inp, rule_set, field_codes),
        _staff_ratio(
            "tech_staff_ratio",
            gettext_noop("科技人员"),
            staff.tech_college,
            staff.total,
            rule_set.tech_staff_min_ratio,
            rule_set,
        ),
        _staff_ratio(
            "rd_staff_ratio",
            gettext_noop("研发人员"),
            staff.rd,
            staff.total,
            rule_set.rd_staff_min_ratio,
            rule_set,
        ),
        rd_result,
        dom_result,
        _hightech(rule_set, latest),
        _score(inp, rule_set),
    ]
    eligible: bool | None = True
    for c in conditions:
        if c.passed is False:
            eligible = False
            break
        if c.passed is None:
            eligible = None
    return EligibilityResult(rule_set=rule_set.code, eligible=eligible, conditions=conditions)


# --------------------------------------------------------------------------------------------------
# Parsing and validating docs/api.md's request body
# --------------------------------------------------------------------------------------------------

_TOP_KEYS = frozenset(
    {
        "rule_set",
        "as_of",
        "registered_on",
        "registered_in_tianjin",
        "field_code",
        "ip",
        "staff",
        "fiscal_years",
        "composite_score",
    }
)
_IP_KEYS = frozenset({"kind", "acquired_on", "acquisition", "licence_years"})
_STAFF_KEYS = ("total", "tech_college", "rd")
_MONEY_KEYS = (
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_assets",
)
_FY_KEYS = frozenset({"year", *_MONEY_KEYS})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
MAX_FISCAL_YEARS = 3
MAX_IP_ITEMS = 1000
_MSG_REQUIRED = gettext_noop("该字段是必填项。")
_MSG_NULL = gettext_noop("该字段不能为空。")
_MSG_UNKNOWN = gettext_noop("未知字段。")
_MSG_INT = gettext_noop("必须是整数。")
_MSG_BOOL = gettext_noop("必须是布尔值 true 或 false。")
_MSG_STR = gettext_noop("必须是字符串。")
_MSG_OBJ = gettext_noop("必须是 JSON 对象。")
_MSG_LIST = gettext_noop("必须是列表。")


class _Errors(dict[str, list[str]]):
    def add(self, key: str, message: str) -> None:
        """``message`` is already translated, or one of the ``_MSG_*`` constants (translated here)."""
        self.setdefault(key, []).append(_(message))


class _Invalid:
    pass


_INVALID = _Invalid()


def _parse_date(value: Any, key: str, errors: _Errors) -> date | None:
    if not isinstance(value, str):
        errors.add(key, _("日期必须是 YYYY-MM-DD 格式的字符串。"))
        return None
    if not _DATE_RE.match(value):
        errors.add(key, _("日期格式错误：{value}，应为 YYYY-MM-DD。").format(value=repr(value[:20])))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(key, _("不存在的日期：{value}。").format(value=value))
        return None


def _parse_int(
    value: Any, key: str, errors: _Errors, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(key, _MSG_INT)
        return None
    if value < minimum:
        errors.add(key, _("不能小于 {minimum}。").format(minimum=minimum))
        return None
    if maximum is not None and value > maximum:
        errors.add(key, _("不能大于 {maximum}。").format(maximum=maximum))
        return None
    return value


def _parse_decimal(value: Any, key: str, errors: _Errors, *, what: str) -> Decimal | None:
    """A decimal string or a JSON number, at most 2 decimals, never NaN / Infinity / exponent tricks."""
    if isinstance(value, bool):
        errors.add(key, _("{what}必须是数字或数字字符串。").format(what=_(what)))
        return None
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            errors.add(key, _("{what}必须是有限的数字。").format(what=_(what)))
            return None
        result = Decimal(repr(value))  # the shortest text that round-trips: 0.1 → Decimal("0.1")
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.match(text):
            errors.add(
                key,
                _("{what}格式错误：{value} 不是有效的数字。").format(what=_(what), value=repr(value[:30])),
            )
            return None
        if len(text) > 40:
            errors.add(key, _("{what}位数过多。").format(what=_(what)))
            return None
        result = Decimal(text)
    else:
        errors.add(key, _("{what}必须是数字或数字字符串。").format(what=_(what)))
        return None
    if not result.is_finite() or abs(result) >= _MONEY_LIMIT:
        errors.add(key, _("{what}超出允许范围。").format(what=_(what)))
        return None
    if result != result.quantize(_CENT, context=_CTX):
        errors.add(key, _("{what}最多保留 2 位小数。").format(what=_(what)))
        return None
    return result + _ZERO  # drops a "-0"


def _parse_money(value: Any, key: str, errors: _Errors) -> Decimal | None:
    result = _parse_decimal(value, key, errors, what=gettext_noop("金额"))
    if result is not None and result < 0:
        errors.add(key, _("金额不能为负数。"))
        return None
    return result


def _unknown_keys(obj: Mapping[str, Any], allowed: Collection[str], prefix: str, errors: _Errors) -> None:
    for key in obj:
        if key not in allowed:
            errors.add(f"{prefix}{key}", _MSG_UNKNOWN)


def _parse_staff(value: Any, errors: _Errors) -> Staff | None:
    if not isinstance(value, Mapping):
        errors.add("staff", _MSG_OBJ)
        return None
    _unknown_keys(value, _STAFF_KEYS, "staff.", errors)
    numbers: dict[str, int | None] = {}
    for key in _STAFF_KEYS:
        path = f"staff.{key}"
        if key not in value:
            errors.add(path, _MSG_REQUIRED)
            numbers[key] = None
        elif value[key] is None:
            errors.add(path, _MSG_NULL)
            numbers[key] = None
        else:
            numbers[key] = _parse_int(value[key], path, errors, maximum=10_000_000)
    total, tech, rd = numbers["total"], numbers["tech_college"], numbers["rd"]
    if total is not None:
        if tech is not None and tech > total:
            errors.add(
                "staff.tech_college",
                _("大专以上学历科技人员（{tech}）不能多于职工总数（{total}）。").format(
                    tech=tech, total=total
                ),
            )
            tech = None
        if rd is not None and rd > total:
            errors.add(
                "staff.rd", _("研发人员（{rd}）不能多于职工总数（{total}）。").format(rd=rd, total=total)
            )
            rd = None
    if total is None or tech is None or rd is None:
        return None
    return Staff(total=total, tech_college=tech, rd=rd)


def _parse_fiscal_years(value: Any, as_of: date | None, errors: _Errors) -> list[FiscalYear] | None:
    if not isinstance(value, list):
        errors.add("fiscal_years", _MSG_LIST)
        return None
    if not value:
        errors.add("fiscal_years", _("至少填写 1 个会计年度。"))
        return None
    if len(value) > MAX_FISCAL_YEARS:
        errors.add(
            "fiscal_years",
            _("最多填写 {maximum} 个会计年度，当前 {n} 个。").format(maximum=MAX_FISCAL_YEARS, n=len(value)),
        )
        return None
    result: list[FiscalYear] = []
    seen: set[int] = set()
    ok = True
    for i, item in enumerate(value):
        prefix = f"fiscal_years[{i}]"
        if not isinstance(item, Mapping):
            errors.add(prefix, _MSG_OBJ)
            ok = False
            continue
        _unknown_keys(item, _FY_KEYS, prefix + ".", errors)
        year: int | None = None
        if "year" not in item:
            errors.add(f"{prefix}.year", _MSG_REQUIRED)
        elif item["year"] is None:
            errors.add(f"{prefix}.year", _MSG_NULL)
        else:
            year = _parse_int(item["year"], f"{prefix}.year", errors, minimum=1949, maximum=2200)
            if year is not None and as_of is not None and year > as_of.year:
                errors.add(
                    f"{prefix}.year",
                    _("会计年度 {year} 晚于评估日期所在年度 {as_of_year}。").format(
                        year=year, as_of_year=as_of.year
                    ),
                )
                year = None
        if year is not None:
            if year in seen:
                errors.add("fiscal_years", _("会计年度 {year} 重复。").format(year=year))
            seen.add(year)
        money: dict[str, Decimal | None] = {}
        for key in _MONEY_KEYS:
            path = f"{prefix}.{key}"
            if key not in item:
                errors.add(path, _MSG_REQUIRED)
                money[key] = None
            elif item[key] is None:
                errors.add(path, _MSG_NULL)
                money[key] = None
            else:
                money[key] = _parse_money(item[key], path, errors)
        rd, dom = money["rd_expense"], money["rd_expense_domestic"]
        if rd is not None and dom is not None and dom > rd:
            errors.add(
                f"{prefix}.rd_expense_domestic",
                _("境内研发费用（{domestic}）不能多于研发费用总额（{rd}）。").format(domestic=dom, rd=rd),
            )
            money["rd_expense_domestic"] = None
        ht, tot = money["hightech_revenue"], money["total_revenue"]
        if ht is not None and tot is not None and ht > tot:
            errors.add(
                f"{prefix}.hightech_revenue",
                _("高新技术产品（服务）收入（{hightech}）不能多于总收入（{total}）。").format(
                    hightech=ht, total=tot
                ),
            )
            money["hightech_revenue"] = None
        if year is None or any(v is None for v in money.values()):
            ok = False
            continue
        result.append(
            FiscalYear(
                year=year,
                sales_revenue=money["sales_revenue"],  # type: ignore[arg-type]
                total_revenue=money["total_revenue"],  # type: ignore[arg-type]
                hightech_revenue=money["hightech_revenue"],  # type: ignore[arg-type]
                rd_expense=money["rd_expense"],  # type: ignore[arg-type]
                rd_expense_domestic=money["rd_expense_domestic"],  # type: ignore[arg-type]
                total_assets=money["total_assets"],  # type: ignore[arg-type]
            )
        )
    return result if ok and len(seen) == len(result) else None


def _parse_ip(value: Any, errors: _Errors) -> list[IPItem] | None:
    if not isinstance(value, list):
        errors.add("ip", _MSG_LIST)
        return None
    if len(value) > MAX_IP_ITEMS:
        errors.add("ip", _("知识产权最多填写 {maximum} 项。").format(maximum=MAX_IP_ITEMS))
        return None
    result: list[IPItem] = []
    ok = True
    for i, item in enumerate(value):
        prefix = f"ip[{i}]"
        if not isinstance(item, Mapping):
            errors.add(prefix, _MSG_OBJ)
            ok = False
            continue
        _unknown_keys(item, _IP_KEYS, prefix + ".", errors)
        kind = item.get("kind")
        if "kind" not in item:
            errors.add(f"{prefix}.kind", _MSG_REQUIRED)
        elif not isinstance(kind, str) or kind not in IP_KIND_LABELS:
            errors.add(
                f"{prefix}.kind",
                _("未知的知识产权类型，可选：{choices}。").format(choices="、".join(IP_KIND_LABELS)),
            )
            kind = None
        acquisition = item.get("acquisition")
        if "acquisition" not in item:
            errors.add(f"{prefix}.acquisition", _MSG_REQUIRED)
        elif not isinstance(acquisition, str) or acquisition not in ACQUISITION_LABELS:
            errors.add(
                f"{prefix}.acquisition",
                _("未知的取得方式，可选：{choices}。").format(choices="、".join(ACQUISITION_LABELS)),
            )
            acquisition = None
        acquired_on: date | None = None
        if "acquired_on" not in item:
            errors.add(f"{prefix}.acquired_on", _MSG_REQUIRED)
        elif item["acquired_on"] is None:
            errors.add(f"{prefix}.acquired_on", _MSG_NULL)
        else:
            acquired_on = _parse_date(item["acquired_on"], f"{prefix}.acquired_on", errors)
        licence_years: int | None = None
        licence_ok = True
        raw_years = item.get("licence_years")
        if raw_years is not None:
            licence_years = _parse_int(raw_years, f"{prefix}.licence_years", errors, minimum=1, maximum=100)
            licence_ok = licence_years is not None
        if acquisition == EXCLUSIVE_LICENSE:
            if raw_years is None:
                errors.add(f"{prefix}.licence_years", _("独占许可须填写许可年限。"))
                licence_ok = False
        else:
            licence_years = None  # only an exclusive licence has a term that matters
        if kind is None or acquisition is None or acquired_on is None or not licence_ok:
            ok = False
            continue
        result.append(
            IPItem(kind=kind, acquired_on=acquired_on, acquisition=acquisition, licence_years=licence_years)
        )
    return result if ok else None


@_translated
def validate_payload(
    data: Any,
    *,
    rule_set_codes: Collection[str] | None = None,
    field_codes: Collection[str] | None = None,
    today: date | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
    default_rule_set: str = DEFAULT_RULE_SET,
) -> tuple[EligibilityInput | None, RuleSet | None, dict[str, list[str]]]:
    """Parse docs/api.md's ``POST /api/v1/eligibility/check/`` body, collecting EVERY error at once.

    Returns ``(input, rule_set, {})`` or ``(None, None, errors)`` with errors keyed by field path
    (``"staff.rd"``, ``"fiscal_years[1].rd_expense_domestic"``, ``"ip[0].acquisition"`` …).

    ``rule_set_codes``: the codes allowed (default: the keys of ``rule_sets`` if given, else
    ``RULE_SET_CODES``); ``rule_sets``: code → RuleSet (e.g. built from the database), else the
    shipped JSON files are used; ``field_codes``: codes of the catalogue in force (None = not
    checked here); ``today``: the default ``as_of`` (default: today in Beijing).
    """
    errors = _Errors()
    if not isinstance(data, Mapping):
        errors.add("non_field_errors", _("请求体必须是 JSON 对象。"))
        return None, None, dict(errors)
    _unknown_keys(data, _TOP_KEYS, "", errors)

    # rule_set (optional: the default rule set)
    allowed = (
        frozenset(rule_set_codes)
        if rule_set_codes is not None
        else frozenset(rule_sets)
        if rule_sets is not None
        else frozenset(RULE_SET_CODES)
    )
    code = data.get("rule_set")
    rule_set: RuleSet | None = None
    if code is None:
        code = default_rule_set
    if not isinstance(code, str):
        errors.add("rule_set", _MSG_STR)
    elif code not in allowed:
        errors.add(
            "rule_set",
            _("未知的规则集：{code}，可选：{choices}。").format(
                code=code[:40], choices="、".join(sorted(allowed))
            ),
        )
    else:
        try:
            rule_set = rule_sets[code] if rule_sets is not None else load_rule_set(code)
        except (KeyError, ValueError):
            errors.add("rule_set", _("规则集 {code} 不可用。").format(code=code))

    # as_of (optional: today in Beijing)
    as_of: date | None
    if data.get("as_of") is None:
        as_of = today if today is not None else beijing_today()
    else:
        as_of = _parse_date(data["as_of"], "as_of", errors)

    registered_on: date | None = None
    if "registered_on" not in data:
        errors.add("registered_on", _MSG_REQUIRED)
    elif data["registered_on"] is None:
        errors.add("registered_on", _MSG_NULL)
    else:
        registered_on = _parse_date(data["registered_on"], "registered_on", errors)
        if registered_on is not None and as_of is not None and registered_on > as_of:
            errors.add(
                "registered_on",
                _("注册日期 {registered} 不能晚于评估日期 {as_of}。").format(
                    registered=registered_on.isoformat(), as_of=as_of.isoformat()
                ),
            )
            registered_on = None

    in_tianjin: bool | None = None
    if "registered_in_tianjin" not in data:
        errors.add("registered_in_tianjin", _MSG_REQUIRED)
    elif not isinstance(data["registered_in_tianjin"], bool):
        errors.add("registered_in_tianjin", _MSG_BOOL)
    else:
        in_tianjin = data["registered_in_tianjin"]

    field_code = data.get("field_code")
    if field_code is not None:
        if not isinstance(field_code, str):
            errors.add("field_code", _MSG_STR)
            field_code = None
        elif field_code == "":
            field_code = None
        elif field_codes is not None and field_code not in field_codes:
            errors.add(
                "field_code",
                _("未知的技术领域代码：{code}，须为在用目录中的代码。").format(code=field_code[:20]),
            )
            field_code = None

    ip: list[IPItem] | None = None
    if "ip" not in data:
        errors.add("ip", _MSG_REQUIRED)
    elif data["ip"] is None:
        errors.add("ip", _MSG_NULL)
    else:
        ip = _parse_ip(data["ip"], errors)

    staff: Staff | None = None
    if "staff" not in data:
        errors.add("staff", _MSG_REQUIRED)
    elif data["staff"] is None:
        errors.add("staff", _MSG_NULL)
    else:
        staff = _parse_staff(data["staff"], errors)

    fiscal_years: list[FiscalYear] | None = None
    if "fiscal_years" not in data:
        errors.add("fiscal_years", _MSG_REQUIRED)
    elif data["fiscal_years"] is None:
        errors.add("fiscal_years", _MSG_NULL)
    else:
        fiscal_years = _parse_fiscal_years(data["fiscal_years"], as_of, errors)

    score: Decimal | None = None
    if data.get("composite_score") is not None:
        score = _parse_decimal(
            data["composite_score"], "composite_score", errors, what=gettext_noop("综合评分")
        )
        if score is not None and not (_ZERO <= score <= _HUNDRED):
            errors.add("composite_score", _("综合评分须在 0 到 100 之间。"))
            score = None

    if errors:
        return None, None, dict(errors)
    assert as_of is not None and registered_on is not None and in_tianjin is not None  # for the type checker
    assert ip is not None and staff is not None and fiscal_years is not None
    inp = EligibilityInput(
        as_of=as_of,
        registered_on=registered_on,
        registered_in_tianjin=in_tianjin,
        field_code=field_code,
        ip=ip,
        staff=staff,
        fiscal_years=fiscal_years,
        composite_score=score,
    )
    return inp, rule_set, {}


parse_input = validate_payload


# --------------------------------------------------------------------------------------------------
# Section parsers, shared with the application form so a rule is written once
# --------------------------------------------------------------------------------------------------


@_translated
def parse_staff(value: Any) -> tuple[Staff | None, dict[str, list[str]]]:
    errors = _Errors()
    return _parse_staff(value, errors), dict(errors)


@_translated
def parse_fiscal_years(
    value: Any, *, as_of: date | None = None
) -> tuple[list[FiscalYear] | None, dict[str, list[str]]]:
    errors = _Errors()
    return _parse_fiscal_years(value, as_of, errors), dict(errors)


@_translated
def parse_ip(value: Any) -> tuple[list[IPItem] | None, dict[str, list[str]]]:
    errors = _Errors()
    return _parse_ip(value, errors), dict(errors)
