"""Conflicts of interest at the draw (docs/domain.md “Expert review”, 第十三条 回避).

An expert is left out, with the reason on the draw record, when their employer is the applicant
enterprise or the firm that wrote the application's special audit report, or when they declared a
relation with the enterprise. Organisations match by normalised name (even when the two codes
differ: the mismatch is shown) or by equal codes. The pure matching function is tested first.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from certification.models import Application
from experts import draw as pure
from experts.draw import REASON_INTERMEDIARY, REASON_RELATION, REASON_SAME_EMPLOYER
from experts.models import ExpertRelation
from experts.organisations import normalise_name, normalise_uscc, same_organisation
from experts.selectors import draw_request_for, pool_snapshot
from experts.services.draws import draw_experts
from tests.experts.draw_factories import accepted_application, field, financial_experts, technical_experts
from tests.factories import new_uscc

# --- The pure matching function ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("天津某某会计师事务所（特殊普通合伙）", "天津某某会计师事务所(特殊普通合伙)"),
        ("天津某某会计师事务所【特殊普通合伙】", "天津某某会计师事务所[特殊普通合伙]"),
        ("天津 某某 会计师事务所", "天津某某会计师事务所"),
        ("天津ＡＢＣ科技有限公司", "天津abc科技有限公司"),
        ("天津某某科技有限责任公司", "天津某某科技有限公司"),
        ("\u3000天津某某科技有限公司\t", "天津某某科技有限公司"),
    ],
)
def test_names_that_normalise_equal(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("天津某某科技股份有限公司", "天津某某科技有限公司"),  # another legal form: kept distinct
        ("天津某某科技有限公司", "天津某某信息科技有限公司"),
    ],
)
def test_names_that_stay_different(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_uscc_normalisation():
    assert normalise_uscc(" 91120116ma05xxxx1a ") == "91120116MA05XXXX1A"
    assert normalise_uscc("９１１２０１１６ＭＡ０５") == "91120116MA05"
    assert normalise_uscc("") == normalise_uscc(None) == ""


def test_same_organisation_rules():
    # same name, same code
    match = same_organisation(
        "天津甲会计师事务所", "91120000AAAAAAAAA1", "天津甲会计师事务所", "91120000aaaaaaaaa1"
    )
    assert match is not None and match.by_name and match.by_code and not match.code_mismatch
    # same name, codes differ: still the same organisation, the mismatch is kept
    match = same_organisation(
        "天津甲会计师事务所", "91120000AAAAAAAAA1", "天津甲会计师事务所", "91120000AAAAAAAAA2"
    )
    assert match is not None and match.by_name and not match.by_code
    assert (match.given_code, match.other_code) == ("91120000AAAAAAAAA1", "91120000AAAAAAAAA2")
    # same name, one code missing: the same, no mismatch
    match = same_organisation("天津甲会计师事务所", "", "天津甲会计师事务所 ", "91120000AAAAAAAAA2")
    assert match is not None and not match.code_mismatch
    # different names, same code: the same
    match = same_organisation("天津甲会计师事务所", "91120000AAAAAAAAA1", "甲所", "91120000AAAAAAAAA1")
    assert match is not None and match.by_code and not match.by_name
    # different names, different codes: not the same; empty never matches
    assert same_organisation("天津甲会计师事务所", "91120000AAAAAAAAA1", "天津乙会计师事务所", "X") is None
    assert same_organisation("", "", "", "") is None
    assert same_organisation("天津甲会计师事务所", "", "天津乙会计师事务所", "") is None


def _request(**kwargs) -> pure.DrawRequest:
    rules = pure.DrawRules(min_panel=1, min_technical_share=pure.Decimal(0), min_financial=0)
    defaults = {
        "application_field_code": "0101",
        "field_parent_code": "01",
        "enterprise_uscc": "91120000EEEEEEEEE1",
        "intermediary_uscc": "91120000FFFFFFFFF1",
        "enterprise_name": "天津申请科技有限公司",
        "intermediary_name": "天津审计会计师事务所（特殊普通合伙）",
        "rules": rules,
    }
    return pure.DrawRequest(**{**defaults, **kwargs})


def test_screen_excludes_by_name_and_keeps_the_code_mismatch():
    pool = [
        pure.PoolExpert(id=1, kind="financial", employer_name="天津审计会计师事务所(特殊普通合伙)"),
        pure.PoolExpert(
            id=2,
            kind="financial",
            employer_name="天津审计会计师事务所【特殊普通合伙】",
            employer_uscc="91120000FFFFFFFFF9",
        ),
        pure.PoolExpert(id=3, kind="financial", employer_name="天津申请科技有限责任公司"),
        pure.PoolExpert(id=4, kind="financial", relations=frozenset({("天津申请科技有限公司", "")})),
        pure.PoolExpert(id=5, kind="financial", employer_name="天津申请科技股份有限公司"),
        pure.PoolExpert(id=6, kind="financial", employer_name="别的单位", employer_uscc="91120000FFFFFFFFF1"),
    ]
    screening = pure.screen(pool, _request())
    assert screening.excluded == {
        1: REASON_INTERMEDIARY,
        2: REASON_INTERMEDIARY,
        3: REASON_SAME_EMPLOYER,
        4: REASON_RELATION,
        6: REASON_INTERMEDIARY,
    }
    assert screening.financial == [5]
    assert screening.details == {
        2: [
            {
                "reason": REASON_INTERMEDIARY,
                "template": pure.MISMATCH_EMPLOYER,
                "given": "91120000FFFFFFFFF1",
                "other": "91120000FFFFFFFFF9",
            }
        ]
    }


def test_an_old_stored_request_without_names_still_reads():
    data = _request().as_data()
    del data["enterprise_name"], data["intermediary_name"]
    request = pure.DrawRequest.from_data(data)
    assert request.enterprise_name == request.intermediary_name == ""


# --- Through the service, the record, the API and the PDF ---------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fixed_seed(monkeypatch, seed: str = "c0ffee" * 5 + "00") -> str:
    monkeypatch.setattr("experts.services.draws.secrets.token_hex", lambda n: seed)
    return seed


def _excluded(draw) -> dict[int, str]:
    return {e["id"]: e["reason"] for e in draw.excluded}


def _picked(draw) -> set[int]:
    return {p["expert_id"] for p in draw.panel + draw.alternates}


@pytest.mark.django_db
def test_the_audit_firms_experts_are_excluded_and_another_is_drawn(official, monkeypatch):
    """The financial expert the seed would put on the panel, and the financial alternate, both work at
    the firm that wrote the special audit report: both are left out, the third financial expert sits."""
    seed = _fixed_seed(monkeypatch)
    technical_experts(6, field())
    financial = financial_experts(3, employer="天津其他会计师事务所")
    application = accepted_application(
        audit_firm="天津审计会计师事务所（特殊普通合伙）", audit_firm_uscc="91120116AUDIT00001"
    )
    application = Application.objects.select_related("enterprise", "field__parent", "rule_set").get(
        pk=application.pk
    )
    would = pure.draw(pool_snapshot(application), draw_request_for(application), seed)
    would_financial = [p.expert_id for p in would.panel + would.alternates if p.kind == "financial"]
    assert len(would_financial) == 2
    by_pk = {e.pk: e for e in financial}
    first, second = (by_pk[i] for i in would_financial)
    # One with the firm's name and code; one with the name written otherwise and a mistyped code.
    first.employer, first.employer_uscc = "天津审计会计师事务所（特殊普通合伙）", "91120116AUDIT00001"
    first.save()
    second.employer, second.employer_uscc = "天津审计会计师事务所 (特殊普通合伙)", "91120116AUDIT00009"
    second.save()
    (other,) = [e for e in financial if e.pk not in would_financial]

    draw = draw_experts(application=application, by=official)

    assert _excluded(draw)[first.pk] == REASON_INTERMEDIARY
    assert _excluded(draw)[second.pk] == REASON_INTERMEDIARY
    assert not {first.pk, second.pk} & _picked(draw)
    assert [p["expert_id"] for p in draw.panel if p["kind"] == "financial"] == [other.pk]


@pytest.mark.django_db
def test_a_declared_relation_excludes_by_name_or_by_code(official):
    technical_experts(6, field())
    financial_experts(2)
    application = accepted_application()
    enterprise = application.enterprise
    by_name, by_code, unrelated = financial_experts(3)
    ExpertRelation.objects.create(
        expert=by_name, uscc="91120000TYPO00001", enterprise_name=f" {enterprise.name} "
    )
    ExpertRelation.objects.create(expert=by_code, uscc=enterprise.uscc.lower())
    ExpertRelation.objects.create(expert=unrelated, uscc="91120000OTHER0001", enterprise_name="天津别家公司")

    draw = draw_experts(application=application, by=official)

    excluded = _excluded(draw)
    assert excluded[by_name.pk] == REASON_RELATION
    assert excluded[by_code.pk] == REASON_RELATION
    assert unrelated.pk not in excluded
    entry = next(e for e in draw.excluded if e["id"] == by_name.pk)
    assert entry["details"][0]["given"] == enterprise.uscc
    assert entry["details"][0]["other"] == "91120000TYPO00001"


@pytest.mark.django_db
def test_the_applicants_own_staff_are_excluded(official):
    technical_experts(6, field())
    financial_experts(2)
    application = accepted_application()
    enterprise = application.enterprise
    enterprise.name = "天津申请人科技有限责任公司"
    enterprise.save()
    by_name = technical_experts(1, field(), employer="天津申请人科技有限公司", employer_uscc="")[0]
    by_code = financial_experts(1, employer="申请人公司", employer_uscc=enterprise.uscc)[0]

    draw = draw_experts(application=application, by=official)

    assert _excluded(draw)[by_name.pk] == REASON_SAME_EMPLOYER
    assert _excluded(draw)[by_code.pk] == REASON_SAME_EMPLOYER
    assert not {by_name.pk, by_code.pk} & _picked(draw)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() or "" for page in reader.pages).replace("\n", "").replace(" ", "")


@pytest.mark.django_db
def test_a_name_match_with_another_code_is_excluded_and_the_mismatch_shown(client, official):
    technical_experts(6, field())
    financial_experts(2)
    application = accepted_application(
        audit_firm="天津审计会计师事务所", audit_firm_uscc="91120116AUDIT00001"
    )
    mistyped = financial_experts(1, employer="天津审计会计师事务所", employer_uscc=new_uscc())[0]

    draw = draw_experts(application=application, by=official)

    assert _excluded(draw)[mistyped.pk] == REASON_INTERMEDIARY
    expected = f"名称相同，统一社会信用代码不同：填报 91120116AUDIT00001 / 专家单位 {mistyped.employer_uscc}"
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(official).key}"
    record = client.get(f"/api/v1/draws/{draw.pk}/").json()
    reason = next(e["reason"] for e in record["excluded"] if e["id"] == mistyped.pk)
    assert reason == f"任职于为申请企业出具专项审计报告的中介机构（{expected}）"
    pdf = client.get(f"/api/v1/draws/{draw.pk}/pdf/")
    content = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    text = _pdf_text(content)
    assert "回避及排除的专家" in text and mistyped.name in text
    assert expected.replace(" ", "") in text
    client.defaults.pop("HTTP_AUTHORIZATION")
    client.force_login(official)
    page = client.get(reverse("districts:application_detail", args=[application.pk])).content.decode()
    assert "回避及排除的专家" in page and mistyped.name in page and expected in page
