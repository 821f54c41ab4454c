"""The random draw of an application's expert panel (docs/domain.md “Expert review”): a pure function.

``draw(pool, request, seed)`` depends on nothing but its arguments (no ORM, no Django, no clock), so
an auditor can re-run a stored draw and get the same panel (``experts.services.draws.replay_draw``).

Algorithm ``draw-1``
--------------------
1. **Screen** the pool snapshot, sorted by expert id (input order never matters):
   - a technical expert is a candidate only if they serve the application's field: registered for
     that field, or for its parent (a top-level field covers all of its sub-fields); for an
     application whose field is top-level, only experts of that very field. Financial experts serve
     every field. Technical experts of other fields are not candidates and are only counted
     (``off_field``), so a 10,000-expert pool does not put 9,000 names in the record;
   - a candidate is excluded, with every reason that applies (Chinese, joined by “；”), when
     inactive, at or over the yearly cap (load ≥ cap), related to the enterprise by a declared
     relation, employed by the enterprise, employed by the enterprise's intermediary (the firm of
     the special audit report named in the application), or a reviewer of the same enterprise last
     year. Organisations are compared as ``experts.organisations.same_organisation`` does: the same
     normalised name (even with two different codes: the mismatch is kept in ``details`` and shown
     on the record), or the same code. An empty name or USCC never matches anything.
     (The screening only decides who is eligible; a replay re-runs steps 2–3 on the stored
     eligible snapshot, so refining the screening does not change the algorithm version.)
2. **Composition**, from the rules (panel of ``n = min_panel``):
   ``t_min = max(ceil(min_technical_share × n), 1)`` (a technical expert chairs) and
   ``t_max = n − min_financial``; the preferred composition is ``t = t_max`` technical and
   ``f = min_financial`` financial experts (= ``max(ceil(share × n), n − min_financial)`` of the
   brief, as ``t_max ≥ t_min`` for consistent rules): technical experts score three of the four
   indicators. If fewer than ``t_max`` technical experts are eligible, the panel takes every one of
   them and fills up with financial experts, as long as ``t ≥ t_min``. So the draw fails exactly
   when no panel can meet the rules: ``t_min > t_max`` (the rules contradict themselves),
   ``T < t_min``, ``F < min_financial`` or ``T + F < n`` (T, F = eligible technical, financial).
3. **Sample** per kind, without replacement, from the eligible ids sorted ascending:
   ``random.Random(int(sha256(seed + ":" + kind))).sample(ids, k)`` with ``k = panel count +
   alternates`` (capped at the number eligible). The first picks sit on the panel, the rest are the
   alternates in the order they will be used. Every ``k``-subset is equally likely (``sample``), so
   each eligible expert of a kind is chosen with the same probability. The chair is the first
   technical pick. Panel order: technical picks, then financial picks.

``draw-1`` relies on CPython's Mersenne Twister seeded from an int and on ``Random.sample`` (stable
since Python 3.2; a golden test pins one result). If either ever changes, bump the version and keep
the old function in ``ALGORITHMS`` so older records still replay.

Messages are Simplified Chinese msgids marked with ``gettext_noop``: ``DrawImpossible`` keeps the
template and its parameters so the service can translate before formatting; exclusion reasons are
stored as msgids and translated when shown.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from experts.organisations import OrgMatch, match_normalised, normalise_name, normalise_uscc

__all__ = [
    "ALGORITHMS",
    "ALGORITHM_VERSION",
    "DEFAULT_ALTERNATES",
    "FINANCIAL",
    "MISMATCH_EMPLOYER",
    "MISMATCH_RELATION",
    "KINDS",
    "REASONS",
    "TECHNICAL",
    "Composition",
    "DrawImpossible",
    "DrawRequest",
    "DrawResult",
    "DrawRules",
    "Pick",
    "PoolExpert",
    "Screening",
    "composition",
    "draw",
    "panel_meets_rules",
    "pool_from_eligible",
    "screen",
]

ALGORITHM_VERSION = "draw-1"
TECHNICAL = "technical"
FINANCIAL = "financial"
KINDS = (TECHNICAL, FINANCIAL)
DEFAULT_ALTERNATES: Mapping[str, int] = {TECHNICAL: 2, FINANCIAL: 1}


def gettext_noop(message: str) -> str:
    """Marks a msgid for ``makemessages`` without importing Django (this module stays pure)."""
    return message


# Exclusion reasons, in the order they are listed (msgids; translated when shown).
REASON_INACTIVE = gettext_noop("已停用（不在库）")
REASON_OVER_CAP = gettext_noop("本年度评审任务已达上限")
REASON_RELATION = gettext_noop("申报了与申请企业的关联关系")
REASON_SAME_EMPLOYER = gettext_noop("与申请企业为同一工作单位")
REASON_INTERMEDIARY = gettext_noop("任职于为申请企业出具专项审计报告的中介机构")
REASON_LAST_YEAR = gettext_noop("上一年度评审过该企业")
REASONS = (
    REASON_INACTIVE,
    REASON_OVER_CAP,
    REASON_RELATION,
    REASON_SAME_EMPLOYER,
    REASON_INTERMEDIARY,
    REASON_LAST_YEAR,
)
REASON_SEPARATOR = "；"
# A name match with two different codes: shown beside the reason (msgids, formatted when shown).
MISMATCH_EMPLOYER = gettext_noop("名称相同，统一社会信用代码不同：填报 %(given)s / 专家单位 %(other)s")
MISMATCH_RELATION = gettext_noop("名称相同，统一社会信用代码不同：填报 %(given)s / 专家申报 %(other)s")


# --- Plain data --------------------------------------------------------------------------------


class PoolExpert(NamedTuple):
    """One expert of the pool as the draw sees them (built by ``experts.selectors.pool_snapshot``).

    A named tuple rather than a frozen dataclass: as immutable, and built ten times faster, which
    counts when a snapshot builds one for each of 10,000 experts (bench/draw.py).
    """

    id: int
    kind: str
    field_codes: frozenset[str] = frozenset()
    employer_uscc: str = ""
    employer_name: str = ""
    relations: frozenset[tuple[str, str]] = frozenset()  # declared relations: (name, USCC)
    active: bool = True
    load: int = 0  # non-declined reviews this year
    cap: int = 20
    reviewed_enterprise_last_year: bool = False


@dataclass(frozen=True, slots=True)
class DrawRules:
    """The panel rules of the rule set (``certification.eligibility.engine.PanelRules``) plus the alternates."""

    min_panel: int
    min_technical_share: Decimal
    min_financial: int
    alternates_technical: int = DEFAULT_ALTERNATES[TECHNICAL]
    alternates_financial: int = DEFAULT_ALTERNATES[FINANCIAL]

    def __post_init__(self) -> None:
        if self.min_panel < 1:
            raise ValueError("min_panel must be at least 1")
        if not Decimal(0) <= self.min_technical_share <= Decimal(1):
            raise ValueError("min_technical_share must lie between 0 and 1")
        if self.min_financial < 0 or self.alternates_technical < 0 or self.alternates_financial < 0:
            raise ValueError("min_financial and the alternates cannot be negative")

    @classmethod
    def from_panel(cls, panel: Any, alternates: Mapping[str, Any] | None = None) -> DrawRules:
        """From a ``PanelRules`` (or anything with its three attributes) and ``{"technical", "financial"}``."""
        alternates = {**DEFAULT_ALTERNATES, **(alternates or {})}
        return cls(
            min_panel=int(panel.min_panel),
            min_technical_share=Decimal(str(panel.min_technical_share)),
            min_financial=int(panel.min_financial),
            alternates_technical=int(alternates[TECHNICAL]),
            alternates_financial=int(alternates[FINANCIAL]),
        )

    def as_data(self) -> dict[str, Any]:
        return {
            "min_panel": self.min_panel,
            "min_technical_share": str(self.min_technical_share),
            "min_financial": self.min_financial,
            "alternates_technical": self.alternates_technical,
            "alternates_financial": self.alternates_financial,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DrawRules:
        return cls(
            min_panel=int(data["min_panel"]),
            min_technical_share=Decimal(str(data["min_technical_share"])),
            min_financial=int(data["min_financial"]),
            alternates_technical=int(data.get("alternates_technical", DEFAULT_ALTERNATES[TECHNICAL])),
            alternates_financial=int(data.get("alternates_financial", DEFAULT_ALTERNATES[FINANCIAL])),
        )

    @property
    def min_technical(self) -> int:
        """``t_min``: the technical share of the minimum panel, rounded up, and at least the chair."""
        return max(math.ceil(self.min_technical_share * self.min_panel), 1)


@dataclass(frozen=True, slots=True)
class DrawRequest:
    """What the draw needs to know about the application (built by ``experts.selectors.draw_request_for``)."""

    application_field_code: str | None
    field_parent_code: str | None  # None when the application's field is top-level
    enterprise_uscc: str
    intermediary_uscc: str
    rules: DrawRules
    enterprise_name: str = ""
    intermediary_name: str = ""  # the firm of the special audit report, as the application names it

    def as_data(self) -> dict[str, Any]:
        return {
            "application_field_code": self.application_field_code,
            "field_parent_code": self.field_parent_code,
            "enterprise_uscc": self.enterprise_uscc,
            "enterprise_name": self.enterprise_name,
            "intermediary_uscc": self.intermediary_uscc,
            "intermediary_name": self.intermediary_name,
            "rules": self.rules.as_data(),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DrawRequest:
        return cls(
            application_field_code=data.get("application_field_code"),
            field_parent_code=data.get("field_parent_code"),
            enterprise_uscc=data.get("enterprise_uscc") or "",
            intermediary_uscc=data.get("intermediary_uscc") or "",
            rules=DrawRules.from_data(data["rules"]),
            enterprise_name=data.get("enterprise_name") or "",
            intermediary_name=data.get("intermediary_name") or "",
        )


@dataclass(frozen=True, slots=True)
class Pick:
    expert_id: int
    kind: str
    chair: bool = False

    def as_data(self) -> dict[str, Any]:
        return {"expert_id": self.expert_id, "kind": self.kind, "chair": self.chair}


@dataclass(frozen=True, slots=True)
class Composition:
    technical: int
    financial: int

    @property
    def size(self) -> int:
        return self.technical + self.financial


@dataclass(frozen=True, slots=True)
class Screening:
    """Step 1: the eligible ids per kind (ascending), the excluded candidates and the off-field count."""

    technical: list[int]
    financial: list[int]
    excluded: dict[int, str]
    off_field: int
    # expert id → [{"reason", "template", "given", "other"}]: name matches whose codes differ.
    details: dict[int, list[dict[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawResult:
    seed: str
    panel: list[Pick]
    alternates: list[Pick]
    eligible_ids: list[int]  # ascending, both kinds
    eligible_technical: list[int]
    eligible_financial: list[int]
    excluded: dict[int, str]  # expert id → reason(s), for candidates of this application only
    off_field: int  # technical experts of other fields: not candidates, not listed
    composition: Composition
    algorithm_version: str = ALGORITHM_VERSION
    pool_size: int = 0
    details: dict[int, list[dict[str, str]]] = field(default_factory=dict)  # code mismatches

    @property
    def chair(self) -> Pick:
        return self.panel[0]

    def eligible_entries(self) -> list[dict[str, Any]]:
        """The stored snapshot of the eligible pool: ``[{"id", "kind"}]`` ascending by id."""
        kinds = {i: TECHNICAL for i in self.eligible_technical}
        kinds.update({i: FINANCIAL for i in self.eligible_financial})
        return [{"id": i, "kind": kinds[i]} for i in self.eligible_ids]


class DrawImpossible(Exception):
    """The eligible pool cannot meet the panel rules; the message names the rule and the shortage.

    ``template`` is a Chinese msgid and ``params`` its values: ``gettext(template) % params``
    translates it; ``str(exc)`` is the Chinese text.
    """

    def __init__(self, rule: str, template: str, params: Mapping[str, Any] | None = None) -> None:
        self.rule = rule
        self.template = template
        self.params = dict(params or {})
        super().__init__(template % self.params if self.params else template)

    @property
    def message(self) -> str:
        return str(self)


# --- Step 1: screening -------------------------------------------------------------------------


def _mismatch(reason: str, template: str, match: OrgMatch) -> dict[str, str]:
    return {"reason": reason, "template": template, "given": match.given_code, "other": match.other_code}


def screen(pool: Iterable[PoolExpert], request: DrawRequest) -> Screening:
    field_code = request.application_field_code or None
    parent_code = request.field_parent_code or None
    technical: list[int] = []
    financial: list[int] = []
    excluded: dict[int, str] = {}
    details: dict[int, list[dict[str, str]]] = {}
    off_field = 0
    seen: set[int] = set()
    # The application's organisations, normalised once for the whole pool.
    enterprise = (normalise_name(request.enterprise_name), normalise_uscc(request.enterprise_uscc))
    employers = (
        (REASON_SAME_EMPLOYER, *enterprise),
        (
            REASON_INTERMEDIARY,
            normalise_name(request.intermediary_name),
            normalise_uscc(request.intermediary_uscc),
        ),
    )
    for expert in pool:
        eid = expert.id
        if eid in seen:
            raise ValueError(f"expert {eid} appears twice in the pool")
        seen.add(eid)
        kind = expert.kind
        if kind == TECHNICAL:
            codes = expert.field_codes
            if field_code is None or not (
                field_code in codes or (parent_code is not None and parent_code in codes)
            ):
                off_field += 1
                continue
        elif kind != FINANCIAL:
            raise ValueError(f"expert {eid}: unknown kind {kind!r}")
        reasons: list[str] = []
        notes: list[dict[str, str]] = []
        if not expert.active:
            reasons.append(REASON_INACTIVE)
        if expert.load >= expert.cap:
            reasons.append(REASON_OVER_CAP)
        for name, code in sorted(expert.relations):
            match = match_normalised(*enterprise, normalise_name(name), normalise_uscc(code))
            if match is not None:
                reasons.append(REASON_RELATION)
                if match.code_mismatch:
                    notes.append(_mismatch(REASON_RELATION, MISMATCH_RELATION, match))
                break
        employer_name, employer_uscc = (
            normalise_name(expert.employer_name),
            normalise_uscc(expert.employer_uscc),
        )
        for reason, given_name, given_code in employers:
            match = match_normalised(given_name, given_code, employer_name, employer_uscc)
            if match is not None:
                reasons.append(reason)
                if match.code_mismatch:
                    notes.append(_mismatch(reason, MISMATCH_EMPLOYER, match))
        if expert.reviewed_enterprise_last_year:
            reasons.append(REASON_LAST_YEAR)
        if reasons:
            excluded[eid] = REASON_SEPARATOR.join(reasons)
            if notes:
                details[eid] = notes
        elif kind == TECHNICAL:
            technical.append(eid)
        else:
            financial.append(eid)
    technical.sort()
    financial.sort()
    return Screening(
        technical, financial, dict(sorted(excluded.items())), off_field, dict(sorted(details.items()))
    )


# --- Step 2: composition -----------------------------------------------------------------------


def _pct(share: Decimal) -> str:
    return format((share * 100).normalize(), "f") + "%"


def composition(rules: DrawRules, technical: int, financial: int, *, has_field: bool = True) -> Composition:
    """The panel's make-up given the eligible counts, or ``DrawImpossible`` naming the rule and the shortage."""
    n = rules.min_panel
    t_min = rules.min_technical
    t_max = n - rules.min_financial
    if not has_field:
        raise DrawImpossible("field", gettext_noop("申请未选择技术领域，无法匹配技术专家，不能抽取评审专家"))
    if t_min > t_max:
        raise DrawImpossible(
            "rules",
            gettext_noop(
                "抽取规则无法同时满足：评审组 %(min_panel)s 人中技术专家至少 %(min_technical)s 名"
                "（技术专家占比不低于 %(share)s，且须由技术专家任组长），财务专家至少 %(min_financial)s 名"
            ),
            {
                "min_panel": n,
                "min_technical": t_min,
                "share": _pct(rules.min_technical_share),
                "min_financial": rules.min_financial,
            },
        )
    if technical < t_min:
        raise DrawImpossible(
            "technical",
            gettext_noop(
                "技术专家不足：本领域可抽取的技术专家 %(available)s 名，规则要求至少 %(required)s 名"
                "（评审组至少 %(min_panel)s 人，技术专家占比不低于 %(share)s），还差 %(short)s 名"
            ),
            {
                "available": technical,
                "required": t_min,
                "min_panel": n,
                "share": _pct(rules.min_technical_share),
                "short": t_min - technical,
            },
        )
    if financial < rules.min_financial:
        raise DrawImpossible(
            "financial",
            gettext_noop(
                "财务专家不足：可抽取的财务专家 %(available)s 名，规则要求至少 %(required)s 名，还差 %(short)s 名"
            ),
            {
                "available": financial,
                "required": rules.min_financial,
                "short": rules.min_financial - financial,
            },
        )
    if technical + financial < n:
        raise DrawImpossible(
            "panel",
            gettext_noop(
                "可抽取专家不足：本领域可抽取的技术专家 %(technical)s 名、财务专家 %(financial)s 名，"
                "共 %(available)s 名，规则要求评审组至少 %(required)s 人，还差 %(short)s 名"
            ),
            {
                "technical": technical,
                "financial": financial,
                "available": technical + financial,
                "required": n,
                "short": n - technical - financial,
            },
        )
    t = min(t_max, technical)
    return Composition(technical=t, financial=n - t)


def panel_meets_rules(technical: int, financial: int, rules: DrawRules) -> bool:
    """Does a panel of this make-up meet the rules? (Used after a replacement, and by the tests.)"""
    size = technical + financial
    return (
        size >= rules.min_panel
        and technical >= 1
        and Decimal(technical) >= rules.min_technical_share * size
        and financial >= rules.min_financial
    )


# --- Step 3: sampling --------------------------------------------------------------------------


def _rng(seed: str, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def draw(pool: Sequence[PoolExpert], request: DrawRequest, seed: str, *, others: int = 0) -> DrawResult:
    """Draw the panel and the alternates; raises ``DrawImpossible`` when the pool cannot meet the rules.

    ``others``: technical experts of other fields left out of ``pool`` by the caller and only counted
    (the screening would only count them too): they add to ``off_field`` and ``pool_size``, the
    result is otherwise the same as with them in the pool.
    """
    screening = screen(pool, request)
    rules = request.rules
    comp = composition(
        rules,
        len(screening.technical),
        len(screening.financial),
        has_field=bool(request.application_field_code),
    )
    tech = _rng(seed, TECHNICAL).sample(
        screening.technical, min(len(screening.technical), comp.technical + rules.alternates_technical)
    )
    fin = _rng(seed, FINANCIAL).sample(
        screening.financial, min(len(screening.financial), comp.financial + rules.alternates_financial)
    )
    panel = [Pick(eid, TECHNICAL, chair=(i == 0)) for i, eid in enumerate(tech[: comp.technical])]
    panel += [Pick(eid, FINANCIAL) for eid in fin[: comp.financial]]
    alternates = [Pick(eid, TECHNICAL) for eid in tech[comp.technical :]]
    alternates += [Pick(eid, FINANCIAL) for eid in fin[comp.financial :]]
    return DrawResult(
        seed=seed,
        panel=panel,
        alternates=alternates,
        eligible_ids=sorted(screening.technical + screening.financial),
        eligible_technical=screening.technical,
        eligible_financial=screening.financial,
        excluded=screening.excluded,
        off_field=screening.off_field + others,
        composition=comp,
        algorithm_version=ALGORITHM_VERSION,
        pool_size=len(pool) + others,
        details=screening.details,
    )


def pool_from_eligible(entries: Iterable[Mapping[str, Any]], request: DrawRequest) -> list[PoolExpert]:
    """Rebuild a pool from a stored eligible snapshot (``[{"id", "kind"}]``) for a replay.

    Every rebuilt expert passes the screening (the application's field, no conflict, no load), so
    the replay draws from exactly the stored eligible ids.
    """
    codes = frozenset({request.application_field_code}) if request.application_field_code else frozenset()
    return [
        PoolExpert(
            id=int(e["id"]), kind=str(e["kind"]), field_codes=codes if e["kind"] == TECHNICAL else frozenset()
        )
        for e in entries
    ]


# Every version that stored records may name; a new version is added, never replaces an old one.
ALGORITHMS: Mapping[str, Callable[[Sequence[PoolExpert], DrawRequest, str], DrawResult]] = {
    ALGORITHM_VERSION: draw,
}
