"""The pure draw (experts.draw): properties over random pools and rules, and the uniformity of the draw.

No database: every test here runs on plain dataclasses.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experts.draw import (
    ALGORITHM_VERSION,
    FINANCIAL,
    REASON_INACTIVE,
    REASON_INTERMEDIARY,
    REASON_LAST_YEAR,
    REASON_OVER_CAP,
    REASON_RELATION,
    REASON_SAME_EMPLOYER,
    TECHNICAL,
    DrawImpossible,
    DrawRequest,
    DrawRules,
    PoolExpert,
    composition,
    draw,
    panel_meets_rules,
    pool_from_eligible,
)

ROOT = Path(__file__).resolve().parents[2]
ENTERPRISE = "91120116MA00000001"
INTERMEDIARY = "91120116MA00000002"
FIELDS = {"01": None, "0101": "01", "0102": "01", "02": None, "0201": "02"}  # code → parent
DEFAULT_RULES = DrawRules(min_panel=5, min_technical_share=Decimal("0.6"), min_financial=1)


def request_for(field_code: str | None, rules: DrawRules = DEFAULT_RULES, intermediary: str = INTERMEDIARY):
    return DrawRequest(
        application_field_code=field_code,
        field_parent_code=FIELDS.get(field_code) if field_code else None,
        enterprise_uscc=ENTERPRISE,
        intermediary_uscc=intermediary,
        rules=rules,
    )


def simple_pool(technical: int, financial: int, field_code: str = "0101", start: int = 1) -> list[PoolExpert]:
    pool = [
        PoolExpert(id=start + i, kind=TECHNICAL, field_codes=frozenset({field_code}))
        for i in range(technical)
    ]
    pool += [PoolExpert(id=start + technical + i, kind=FINANCIAL) for i in range(financial)]
    return pool


# --- The test's own reading of the rules (an oracle written apart from experts.draw) ---------------


def serves(expert: PoolExpert, request: DrawRequest) -> bool:
    if expert.kind == FINANCIAL:
        return True
    code, parent = request.application_field_code, request.field_parent_code
    if not code:
        return False
    # An expert of a top-level field covers its sub-fields; a sub-field expert only that sub-field.
    return code in expert.field_codes or (parent is not None and parent in expert.field_codes)


def conflicted(expert: PoolExpert, request: DrawRequest) -> bool:
    return (
        not expert.active
        or expert.load >= expert.cap
        or (request.enterprise_uscc != "" and request.enterprise_uscc in {c for _n, c in expert.relations})
        or (expert.employer_uscc != "" and expert.employer_uscc == request.enterprise_uscc)
        or (expert.employer_uscc != "" and expert.employer_uscc == request.intermediary_uscc)
        or expert.reviewed_enterprise_last_year
    )


def feasible(rules: DrawRules, technical: int, financial: int, has_field: bool) -> bool:
    n = rules.min_panel
    if not has_field:
        return False
    return any(
        t >= 1
        and Decimal(t) >= rules.min_technical_share * n
        and n - t >= rules.min_financial
        and t <= technical
        and n - t <= financial
        for t in range(n + 1)
    )


def meets_rules(panel, rules: DrawRules) -> bool:
    technical = sum(1 for p in panel if p.kind == TECHNICAL)
    financial = sum(1 for p in panel if p.kind == FINANCIAL)
    return (
        len(panel) >= rules.min_panel
        and Decimal(technical) >= rules.min_technical_share * len(panel)
        and financial >= rules.min_financial
    )


# --- Strategies ------------------------------------------------------------------------------------

usccs = st.sampled_from(["", ENTERPRISE, INTERMEDIARY, "91120116MA00000003", "91120116MA00000004"])
# Mostly an unrelated employer, so that a fair share of the random pools can be drawn from.
employers = st.one_of(st.just("91120116MA99999999"), usccs)


@st.composite
def pools(draw_, max_size: int = 40) -> list[PoolExpert]:
    size = draw_(st.integers(0, max_size))
    ids = draw_(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    pool = []
    for eid in ids:
        kind = draw_(st.sampled_from([TECHNICAL, TECHNICAL, FINANCIAL]))
        pool.append(
            PoolExpert(
                id=eid,
                kind=kind,
                field_codes=frozenset(draw_(st.sets(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3)))
                if kind == TECHNICAL
                else frozenset(),
                employer_uscc=draw_(employers),
                relations=frozenset(("", c) for c in draw_(st.sets(usccs.filter(bool), max_size=1))),
                active=draw_(st.sampled_from([True, True, True, True, False])),
                load=draw_(st.integers(0, 3)),
                cap=draw_(st.sampled_from([20, 20, 20, 3, 1, 0])),
                reviewed_enterprise_last_year=draw_(st.sampled_from([False] * 7 + [True])),
            )
        )
    return pool


@st.composite
def rule_sets(draw_) -> DrawRules:
    return DrawRules(
        min_panel=draw_(st.sampled_from([1, 2, 3, 4, 5, 5, 5, 5, 6, 7])),
        min_technical_share=draw_(
            st.sampled_from(
                [Decimal(s) for s in ("0", "0.3", "0.5", "0.6", "0.6", "0.6", "0.6", "0.75", "1")]
            )
        ),
        min_financial=draw_(st.sampled_from([0, 1, 1, 1, 1, 2, 3])),
        alternates_technical=draw_(st.integers(0, 3)),
        alternates_financial=draw_(st.integers(0, 3)),
    )


requests = st.builds(
    request_for,
    st.sampled_from([*sorted(FIELDS), None]),
    rule_sets(),
    st.sampled_from([INTERMEDIARY, ""]),
)
seeds = st.text(min_size=0, max_size=40)


# --- Properties ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools(), request=requests, seed=seeds)
def test_the_panel_meets_the_rules_or_the_draw_fails_exactly_when_it_cannot(pool, request, seed):
    candidates = [e for e in pool if serves(e, request)]
    eligible = {e.id: e for e in candidates if not conflicted(e, request)}
    technical = sum(1 for e in eligible.values() if e.kind == TECHNICAL)
    financial = len(eligible) - technical
    rules = request.rules
    can = feasible(rules, technical, financial, bool(request.application_field_code))

    if not can:
        with pytest.raises(DrawImpossible) as info:
            draw(pool, request, seed)
        assert info.value.rule in {"field", "rules", "technical", "financial", "panel"}
        assert str(info.value)  # a message, in Chinese, naming the rule and the shortage
        return

    result = draw(pool, request, seed)
    panel_ids = [p.expert_id for p in result.panel]
    alternate_ids = [p.expert_id for p in result.alternates]
    # The rules, with exactly min_panel members, all distinct.
    assert len(result.panel) == rules.min_panel
    assert meets_rules(result.panel, rules)
    assert panel_meets_rules(result.composition.technical, result.composition.financial, rules)
    assert len(set(panel_ids)) == len(panel_ids)
    # Never a conflicted, inactive, over-cap or wrong-field expert, on the panel or as an alternate.
    for pick in result.panel + result.alternates:
        expert = eligible.get(pick.expert_id)
        assert expert is not None, pick
        assert pick.kind == expert.kind
        assert expert.active and expert.load < expert.cap
        assert serves(expert, request) and not conflicted(expert, request)
    # One chair: the first pick, technical.
    assert [p.chair for p in result.panel].count(True) == 1
    assert result.panel[0].chair and result.panel[0].kind == TECHNICAL
    assert not any(p.chair for p in result.alternates)
    # Alternates: disjoint from the panel, as many of each kind as asked for and left.
    assert not set(alternate_ids) & set(panel_ids)
    assert len(set(alternate_ids)) == len(alternate_ids)
    for kind, wanted, on_panel in (
        (TECHNICAL, rules.alternates_technical, result.composition.technical),
        (FINANCIAL, rules.alternates_financial, result.composition.financial),
    ):
        available = technical if kind == TECHNICAL else financial
        got = sum(1 for p in result.alternates if p.kind == kind)
        assert got == min(wanted, available - on_panel)
    # The record: eligible ids, every excluded candidate with a reason; off-field experts only counted.
    assert result.eligible_ids == sorted(eligible)
    assert set(result.excluded) == {e.id for e in candidates if conflicted(e, request)}
    assert all(result.excluded.values())
    assert result.off_field == len(pool) - len(candidates)
    assert result.algorithm_version == ALGORITHM_VERSION


@settings(max_examples=100, deadline=None)
@given(pool=pools(), request=requests, seed=seeds, shuffle_seed=st.integers())
def test_the_same_seed_gives_the_same_result_whatever_the_order_of_the_pool(
    pool, request, seed, shuffle_seed
):
    try:
        first = draw(pool, request, seed)
    except DrawImpossible as exc:
        shuffled = list(pool)
        random.Random(shuffle_seed).shuffle(shuffled)
        with pytest.raises(DrawImpossible) as again:
            draw(shuffled, request, seed)
        assert str(again.value) == str(exc)
        return
    shuffled = list(pool)
    random.Random(shuffle_seed).shuffle(shuffled)
    second = draw(shuffled, request, seed)
    assert second.panel == first.panel
    assert second.alternates == first.alternates
    assert second.eligible_ids == first.eligible_ids
    assert second.excluded == first.excluded


@settings(max_examples=100, deadline=None)
@given(pool=pools(), request=requests, seed=seeds)
def test_a_replay_on_the_stored_eligible_snapshot_gives_the_same_panel(pool, request, seed):
    try:
        original = draw(pool, request, seed)
    except DrawImpossible:
        return
    replayed = draw(pool_from_eligible(original.eligible_entries(), request), request, seed)
    assert replayed.panel == original.panel
    assert replayed.alternates == original.alternates
    assert replayed.eligible_ids == original.eligible_ids
    assert replayed.excluded == {}


def test_different_seeds_usually_give_different_panels():
    pool = simple_pool(30, 10)
    panels = {
        tuple(p.expert_id for p in draw(pool, request_for("0101"), f"seed-{i}").panel) for i in range(100)
    }
    assert len(panels) >= 95


def test_a_golden_draw_pins_the_algorithm():
    """If CPython's random ever changes, this fails: bump ALGORITHM_VERSION and keep the old function."""
    result = draw(simple_pool(12, 5), request_for("0101"), "0123456789abcdef0123456789abcdef")
    assert [(p.expert_id, p.kind, p.chair) for p in result.panel] == [
        (4, TECHNICAL, True),
        (12, TECHNICAL, False),
        (9, TECHNICAL, False),
        (11, TECHNICAL, False),
        (17, FINANCIAL, False),
    ]
    assert [p.expert_id for p in result.alternates] == [6, 2, 15]


# --- Field matching and exclusions, case by case -----------------------------------------------------


def one(expert: PoolExpert, field_code: str = "0101", intermediary: str = INTERMEDIARY):
    """Screen one expert among a pool that always suffices: returns ("eligible" | "off_field" | reason)."""
    pool = simple_pool(4, 2, start=1000) + [expert]
    result = draw(pool, request_for(field_code, intermediary=intermediary), "s")
    if expert.id in result.eligible_ids:
        return "eligible"
    return result.excluded.get(expert.id, "off_field")


def test_field_matching():
    top = PoolExpert(id=1, kind=TECHNICAL, field_codes=frozenset({"01"}))
    sub = PoolExpert(id=1, kind=TECHNICAL, field_codes=frozenset({"0101"}))
    sibling = PoolExpert(id=1, kind=TECHNICAL, field_codes=frozenset({"0102"}))
    financial = PoolExpert(id=1, kind=FINANCIAL)
    # An application in sub-field 0101: experts of 0101 and of its parent 01.
    assert one(top, "0101") == "eligible"
    assert one(sub, "0101") == "eligible"
    assert one(sibling, "0101") == "off_field"
    assert one(financial, "0101") == "eligible"
    # An application in top-level field 01: experts of 01 only, not of its sub-fields.
    pool = simple_pool(4, 2, field_code="01", start=1000)
    result = draw(pool + [sub], request_for("01"), "s")
    assert 1 not in result.eligible_ids and result.off_field == 1
    result = draw(pool + [top], request_for("01"), "s")
    assert 1 in result.eligible_ids


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"active": False}, REASON_INACTIVE),
        ({"load": 20, "cap": 20}, REASON_OVER_CAP),
        ({"load": 21, "cap": 20}, REASON_OVER_CAP),
        ({"relations": frozenset({("", ENTERPRISE)})}, REASON_RELATION),
        ({"employer_uscc": ENTERPRISE}, REASON_SAME_EMPLOYER),
        ({"employer_uscc": INTERMEDIARY}, REASON_INTERMEDIARY),
        ({"reviewed_enterprise_last_year": True}, REASON_LAST_YEAR),
        ({"active": False, "reviewed_enterprise_last_year": True}, f"{REASON_INACTIVE}；{REASON_LAST_YEAR}"),
    ],
)
def test_exclusions_name_their_reasons(changes, reason):
    base = {"id": 1, "kind": TECHNICAL, "field_codes": frozenset({"0101"}), "load": 19, "cap": 20}
    assert one(PoolExpert(**{**base, **changes})) == reason
    assert one(PoolExpert(**{**base, **changes, "kind": FINANCIAL})) == reason


def test_an_empty_uscc_is_never_a_conflict():
    expert = PoolExpert(id=1, kind=FINANCIAL, employer_uscc="")
    assert one(expert, intermediary="") == "eligible"
    assert one(PoolExpert(id=1, kind=FINANCIAL, employer_uscc=INTERMEDIARY), intermediary="") == "eligible"


# --- Composition and the messages of an impossible draw ----------------------------------------------


def test_the_composition_comes_from_the_rules():
    rules = DEFAULT_RULES  # 5 experts, ≥ 60% technical, ≥ 1 financial
    assert composition(rules, 20, 8) == composition(rules, 4, 1)
    assert (composition(rules, 20, 8).technical, composition(rules, 20, 8).financial) == (4, 1)
    # Fewer technical experts than preferred: more financial experts, while ≥ 60% stay technical.
    assert (composition(rules, 3, 5).technical, composition(rules, 3, 5).financial) == (3, 2)
    seven = DrawRules(min_panel=7, min_technical_share=Decimal("0.6"), min_financial=2)
    assert (composition(seven, 9, 9).technical, composition(seven, 9, 9).financial) == (5, 2)


def test_too_few_technical_experts_names_the_rule_and_the_shortage():
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(2, 10), request_for("0101"), "s")
    assert info.value.rule == "technical"
    assert str(info.value) == (
        "技术专家不足：本领域可抽取的技术专家 2 名，规则要求至少 3 名（评审组至少 5 人，技术专家占比不低于 60%），还差 1 名"
    )


def test_too_few_financial_experts():
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(10, 0), request_for("0101"), "s")
    assert info.value.rule == "financial"
    assert "财务专家不足" in str(info.value) and "还差 1 名" in str(info.value)


def test_too_few_experts_in_all():
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(3, 1), request_for("0101"), "s")
    assert info.value.rule == "panel"
    assert "共 4 名" in str(info.value) and "至少 5 人" in str(info.value)


def test_no_field_and_contradictory_rules():
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(10, 10), request_for(None), "s")
    assert info.value.rule == "field"
    contradictory = DrawRules(min_panel=3, min_technical_share=Decimal("0.75"), min_financial=1)
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(10, 10), request_for("0101", contradictory), "s")
    assert info.value.rule == "rules"


def test_the_message_is_a_msgid_with_parameters():
    with pytest.raises(DrawImpossible) as info:
        draw(simple_pool(2, 10), request_for("0101"), "s")
    assert info.value.template % info.value.params == str(info.value)
    assert "%(available)s" in info.value.template


# --- Uniformity: a chi-square test over 10,000 draws --------------------------------------------------


def _gamma_q(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x) (series below a + 1, Lentz continued fraction above)."""
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        for _ in range(10_000):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(log_prefix) * h


def chi2_sf(x: float, k: int) -> float:
    """P(X ≥ x) for X ~ χ²(k)."""
    return _gamma_q(k / 2, x / 2)


def test_chi2_sf_against_known_quantiles():
    assert chi2_sf(0, 5) == 1.0
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-9)
    assert chi2_sf(30.14352720564616, 19) == pytest.approx(0.05, abs=1e-9)
    assert chi2_sf(10.827566170662733, 1) == pytest.approx(0.001, abs=1e-10)
    assert chi2_sf(2.0, 2) == pytest.approx(math.exp(-1), abs=1e-12)  # χ²(2) is exponential
    assert chi2_sf(100.0, 7) == pytest.approx(1.36e-18, rel=0.02)


def uniformity_p_value(counts: dict[int, int], draws: int, per_draw: int) -> float:
    """Pearson's χ² for "each of k experts is chosen with probability m/k", m chosen per draw.

    The m picks of one draw are without replacement, so the counts are not multinomial: their
    covariance on the sum-zero subspace is N·p(1−p)·k/(k−1)·I (p = m/k), hence
    X² ~ (1−p)·k/(k−1) · χ²(k−1). The statistic is divided by that factor (1 when m = 1).
    """
    k = len(counts)
    p = per_draw / k
    expected = draws * p
    statistic = sum((observed - expected) ** 2 / expected for observed in counts.values())
    return chi2_sf(statistic / ((1 - p) * k / (k - 1)), k - 1)


def test_each_eligible_expert_is_chosen_at_a_uniform_rate():
    # 20 eligible technical and 8 eligible financial experts, among excluded and off-field ones.
    pool = simple_pool(20, 8)
    pool += [PoolExpert(id=100 + i, kind=TECHNICAL, field_codes=frozenset({"0102"})) for i in range(10)]
    pool += [PoolExpert(id=200 + i, kind=FINANCIAL, active=False) for i in range(5)]
    request = request_for("0101")
    draws = 10_000
    technical = dict.fromkeys(range(1, 21), 0)
    financial = dict.fromkeys(range(21, 29), 0)
    chairs = dict.fromkeys(range(1, 21), 0)
    alternates = dict.fromkeys(range(1, 21), 0)
    for i in range(draws):
        result = draw(pool, request, f"uniformity-{i}")
        for pick in result.panel:
            (technical if pick.kind == TECHNICAL else financial)[pick.expert_id] += 1
        chairs[result.panel[0].expert_id] += 1
        for pick in result.alternates:
            if pick.kind == TECHNICAL:
                alternates[pick.expert_id] += 1
    assert sum(technical.values()) == 4 * draws and sum(financial.values()) == draws
    assert uniformity_p_value(technical, draws, 4) > 0.001
    assert uniformity_p_value(financial, draws, 1) > 0.001
    assert uniformity_p_value(chairs, draws, 1) > 0.001
    assert uniformity_p_value(alternates, draws, 2) > 0.001


def test_the_uniformity_test_can_fail():
    """The test has teeth: a draw that favours one expert by 10% is caught."""
    counts = dict.fromkeys(range(20), 2000)
    counts[0] += 200
    counts[1] -= 200
    assert uniformity_p_value(counts, 10_000, 4) < 0.001


def test_the_draw_module_imports_no_django():
    import subprocess
    import sys

    code = "import sys, experts.draw; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
