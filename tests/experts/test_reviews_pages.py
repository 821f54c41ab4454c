"""The expert's browser pages for scoring: list, review page (material, bands, form, lock, amendments),
the pledge call, declining, blind scoring, and who may open them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from certification.models import Document
from experts.models import ExpertKind, Pledge, Review, ReviewStatus, ScoreAmendment
from tests.experts.test_reviews_api import (
    TECH_IN_BAND,
    add_review,
    make_application,
    make_draw,
    make_panel,
    sign_pledge,
    submit_all,
)
from tests.factories import ApplicationFactory, ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def application(db):  # type: ignore[no-untyped-def]
    return make_application()


@pytest.fixture
def panel(application, official, expert_user):  # type: ignore[no-untyped-def]
    return make_panel(application, official, expert_user)


LIST_URL = "/expert/reviews/"


def detail_url(review) -> str:  # type: ignore[no-untyped-def]
    return f"/expert/reviews/{review.pk}/"


def submit_form(
    scores: dict[str, str], *, reasons: dict[str, str] | None = None, confirm: bool = True
) -> dict:
    data = {"action": "submit", "comment": "技术水平较高"}
    data.update({f"points_{k}": v for k, v in scores.items()})
    data.update({f"reason_{k}": v for k, v in (reasons or {}).items()})
    if confirm:
        data["confirm"] = "1"
    return data


def assert_no_inline_script(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


# --- List ------------------------------------------------------------------------------------------------


def test_list_shows_the_experts_assignments(client, panel, expert_user, official):
    other_app = ApplicationFactory(status="under_review")
    add_review(make_draw(other_app, official))  # someone else's
    client.force_login(expert_user)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert panel["chair"].application.enterprise.name in html
    assert other_app.enterprise.name not in html
    assert "2026-12-11" in html and "待评分" in html and "组长" in html
    assert detail_url(panel["chair"]) in html
    assert_no_inline_script(html)


def test_list_is_for_experts(client, official, enterprise_user):
    assert client.get(LIST_URL).status_code == 302  # anonymous → login
    client.force_login(official)
    assert client.get(LIST_URL).status_code == 403
    client.force_login(enterprise_user)
    assert client.get(LIST_URL).status_code == 403


# --- The review page ------------------------------------------------------------------------------------


def test_without_pledge_the_page_shows_the_pledge_call_not_the_material(client, panel, expert_user):
    Pledge.objects.filter(expert__user=expert_user).delete()
    client.force_login(expert_user)
    response = client.get(detail_url(panel["chair"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "查看申报材料前须先签署保密承诺（第十三条）。" in html
    assert 'href="/expert/pledge/?next=' in html
    assert 'data-testid="material"' not in html
    assert "智能网关与边缘计算设备" not in html  # main products: material
    # Posting scores without the pledge is refused.
    response = client.post(detail_url(panel["chair"]), submit_form(TECH_IN_BAND))
    assert response.status_code == 403
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED
    sign_pledge(expert_user)
    assert 'data-testid="material"' in client.get(detail_url(panel["chair"])).content.decode()


def test_page_shows_material_documents_and_bands(client, panel, expert_user, application, enterprise_user):
    doc = Document.objects.create(
        application=application,
        kind="audit_report",
        file="documents/x/report.pdf",
        original_name="审计报告.pdf",
        size=100,
        sha256="0" * 64,
        uploaded_by=enterprise_user,
    )
    client.force_login(expert_user)
    response = client.get(detail_url(panel["chair"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert application.enterprise.uscc in html and "智能网关与边缘计算设备" in html
    assert "一种高效数据压缩方法" in html and "成果2025-3" in html
    assert f'href="/documents/{doc.pk}/download/"' in html
    assert f'href="/enterprise/applications/{application.pk}/form.pdf"' in html
    assert "建议档次 A：24.0–30.0 分" in html and "知识产权 3 项，其中发明专利 1 项" in html
    assert "建议档次 A：16.0–20.0 分" in html
    # Amounts with thousands separators (#19), never "169000000.00".
    assert ">169,000,000.00<" in html and ">110,000,000.00<" in html and "169000000" not in html
    assert "近一年收入 66,000,000.00 元" in html
    assert 'name="points_growth"' not in html  # a technical expert does not score growth
    assert "提交后不可修改，修改须说明理由" in html
    assert_no_inline_script(html)


def test_financial_expert_page_has_the_growth_indicator_only(client, panel):
    financial = panel["financial"]
    client.force_login(financial.expert.user)
    html = client.get(detail_url(financial)).content.decode()
    assert 'name="points_growth"' in html and 'name="points_ip"' not in html
    assert "建议档次 B+D：8.0–11.8 分" in html


def test_submit_needs_the_confirmation(client, panel, expert_user):
    client.force_login(expert_user)
    response = client.post(detail_url(panel["chair"]), submit_form(TECH_IN_BAND, confirm=False))
    assert response.status_code == 400
    assert "以确认提交" in response.content.decode()
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED


def test_outside_the_band_without_reason_shows_the_message_inline(client, panel, expert_user):
    client.force_login(expert_user)
    response = client.post(detail_url(panel["chair"]), submit_form({**TECH_IN_BAND, "ip": "20.0"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "20.0 分超出系统按申报数据计算的 A 档范围（24.0–30.0 分），须填写理由。" in html
    assert 'value="20.0"' in html  # the typed value is kept
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED
    # With the reason it goes through.
    form = submit_form({**TECH_IN_BAND, "ip": "20.0"}, reasons={"ip": "专利与主营产品关联度低"})
    response = client.post(detail_url(panel["chair"]), form)
    assert response.status_code == 302
    review = Review.objects.get(pk=panel["chair"].pk)
    assert review.status == ReviewStatus.SUBMITTED and review.out_of_band_reasons == {
        "ip": "专利与主营产品关联度低"
    }


def test_submit_locks_and_the_locked_view_offers_no_amendment(client, panel, expert_user):
    client.force_login(expert_user)
    response = client.post(detail_url(panel["chair"]), submit_form(TECH_IN_BAND))
    assert response.status_code == 302 and response["Location"] == detail_url(panel["chair"])
    html = client.get(detail_url(panel["chair"])).content.decode()
    assert "评分已提交并锁定。" in html
    assert "请联系区县工作小组重新开放您的评分" in html
    assert 'name="points_ip"' not in html  # no submission form any more
    assert 'value="amend"' not in html  # and no amendment form
    # A second submission is refused (409) and changes nothing.
    response = client.post(detail_url(panel["chair"]), submit_form({**TECH_IN_BAND, "ip": "30.0"}))
    assert response.status_code == 409
    assert Review.objects.get(pk=panel["chair"].pk).ip == Decimal("24.0")


def test_an_amendment_posted_by_the_expert_is_a_409_form_message(client, panel, expert_user):
    client.force_login(expert_user)
    client.post(detail_url(panel["chair"]), submit_form(TECH_IN_BAND))
    response = client.post(
        detail_url(panel["chair"]),
        {"action": "amend", "indicator": "ip", "points": "26.0", "reason": "复核专利证书"},
    )
    assert response.status_code == 409
    assert "评分已提交并锁定，专家本人不能再修改" in response.content.decode()
    assert not ScoreAmendment.objects.exists()
    assert Review.objects.get(pk=panel["chair"].pk).ip == Decimal("24.0")


def test_the_district_reopens_on_its_page_and_the_expert_resubmits(
    client, panel, expert_user, official, application
):
    from django.urls import reverse

    submit_all(panel)
    client.force_login(official)
    detail = reverse("districts:application_detail", args=[application.pk])
    url = reverse("districts:review_reopen", args=[application.pk, panel["chair"].pk])
    assert url in client.get(detail).content.decode()
    page = client.get(url).content.decode()
    assert "确认重新开放" in page and "24.0" in page
    # Without the confirmation, or without a reason: a form message, nothing changes.
    response = client.post(url, {"reason": "专利证书核对有误"})
    assert response.status_code == 400 and "请勾选确认" in response.content.decode()
    response = client.post(url, {"reason": "", "confirm": "1"})
    assert response.status_code == 400 and "重新开放评分须说明理由。" in response.content.decode()
    assert Review.objects.get(pk=panel["chair"].pk).status == "submitted"
    response = client.post(url, {"reason": "专利证书核对有误", "confirm": "1"})
    assert response.status_code == 302
    # The expert is told on the page and submits again.
    client.force_login(expert_user)
    html = client.get(detail_url(panel["chair"])).content.decode()
    assert "区县工作小组已重新开放您的评分" in html and "专利证书核对有误" in html
    response = client.post(detail_url(panel["chair"]), submit_form({**TECH_IN_BAND, "ip": "26.0"}))
    assert response.status_code == 302
    # The district's history of the application has the amendment: old, new, reason, who reopened.
    client.force_login(official)
    html = client.get(detail).content.decode()
    assert "评分重新开放与修正" in html
    assert "24.0 → 26.0" in html and "专利证书核对有误" in html and official.display_name in html


def test_other_scores_hidden_on_the_page_even_when_all_are_in(client, panel, expert_user, application):
    submit_all(
        panel,
        tech={"ip": "29.3", "conversion": "28.7", "rd_management": "19.1"},
        fin={"growth": "11.7"},
        skip=[panel["chair"]],
    )
    client.force_login(expert_user)
    html = client.get(detail_url(panel["chair"])).content.decode()
    for number in ("29.3", "28.7", "19.1", "11.7", "77.1"):
        assert number not in html
    assert "其他专家的评分和评审组的综合评分不向专家公开" in html
    for other in panel["technical"][1:]:
        assert other.expert.name not in html
    client.post(detail_url(panel["chair"]), submit_form(TECH_IN_BAND))
    html = client.get(detail_url(panel["chair"])).content.decode()
    application.refresh_from_db()
    assert application.status == "reviewed"
    assert application.composite_score == Decimal("85.53")
    for number in ("29.3", "77.1", "11.7", "85.53"):
        assert number not in html
    assert 'data-testid="result"' not in html


# --- Declining -------------------------------------------------------------------------------------------


def test_decline_page_needs_reason_and_confirmation_and_brings_in_the_alternate(
    client, application, official, expert_user
):
    from experts.selectors import draw_request_for

    alternate = ExpertFactory(kind=ExpertKind.TECHNICAL)
    alternate.fields.add(application.field)
    expert_user.expert.fields.add(application.field)
    draw = make_draw(
        application, official, alternates=[{"expert_id": alternate.pk, "kind": "technical", "chair": False}]
    )
    draw.rules = {"request": draw_request_for(application).as_data()}
    draw.save(update_fields=["rules"])
    mine = add_review(draw, expert_user, chair=True)
    for _ in range(3):
        add_review(draw)
    add_review(draw, kind=ExpertKind.FINANCIAL)

    url = f"/expert/reviews/{mine.pk}/decline/"
    client.force_login(expert_user)
    html = client.get(url).content.decode()
    assert 'name="confirm"' in html and 'name="reason"' in html
    assert_no_inline_script(html)
    response = client.post(url, {"reason": "曾为该企业提供技术咨询"})
    assert response.status_code == 400 and "请勾选确认回避。" in response.content.decode()
    response = client.post(url, {"reason": "", "confirm": "1"})
    assert response.status_code == 400
    assert Review.objects.get(pk=mine.pk).status == ReviewStatus.ASSIGNED
    response = client.post(url, {"reason": "曾为该企业提供技术咨询", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.DECLINED and mine.replaced_by.expert == alternate
    assert client.get(detail_url(mine)).status_code == 404


def test_decline_needs_no_pledge(client, panel, expert_user):
    Pledge.objects.filter(expert__user=expert_user).delete()
    client.force_login(expert_user)
    assert client.get(f"/expert/reviews/{panel['chair'].pk}/decline/").status_code == 200


# --- Who may open the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["other_expert_user", "official", "other_official", "enterprise_user", "municipal_user"]
)
@pytest.mark.parametrize("suffix", ["", "decline/"])
def test_only_the_reviews_expert_opens_it(client, request, panel, who, suffix):
    user = request.getfixturevalue(who)
    if who == "other_expert_user":
        sign_pledge(user)
    client.force_login(user)
    url = detail_url(panel["chair"]) + suffix
    assert client.get(url).status_code == 404
    assert client.post(url, {**submit_form(TECH_IN_BAND), "reason": "x"}).status_code == 404
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED


@pytest.mark.parametrize("suffix", ["", "decline/"])
def test_anonymous_goes_to_login(client, panel, suffix):
    response = client.get(detail_url(panel["chair"]) + suffix)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Query counts -----------------------------------------------------------------------------------------


def test_list_page_query_count(client, application, official, expert_user, django_assert_max_num_queries):
    for _ in range(6):
        add_review(
            make_draw(ApplicationFactory(status="under_review", field=application.field), official),
            expert_user,
        )
    client.force_login(expert_user)
    # Constant whatever the number of rows: session, user, pledge, count, one page query, the inbox count
    # (no session save: the sign-in renewed the session)
    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL)
    assert response.status_code == 200


def test_detail_page_query_count(client, panel, expert_user, official, django_assert_max_num_queries):
    from tests.experts.test_reviews_api import reopen_and_resubmit

    submit_all(panel)
    for points in ("25.0", "26.0"):
        reopen_and_resubmit(
            panel["chair"], official, {"ip": points, "conversion": "24.0", "rd_management": "16.0"}
        )
    client.force_login(expert_user)
    # session, user, review with joins, six prefetches, expert + pledge, panel, the inbox count (no session
    # save: the sign-in renewed the session)
    with django_assert_max_num_queries(13):
        response = client.get(detail_url(panel["chair"]))
    assert response.status_code == 200
