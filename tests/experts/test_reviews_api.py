"""The review API (docs/api.md “reviews”): bands, submission and its lock, amendments, blind scoring, the
panel's result, declining, the pledge gate, and who may see what.

The panel is built directly with the ORM (one Draw, five Reviews: the chair and three more technical
experts, one financial expert). The application's data gives these computed bands:
ip A (24.0–30.0: one invention patent), conversion A (24.0–30.0: 12 in 2023–2025), rd_management A
(16.0–20.0: all five items), growth B+D (8.0–11.8: assets 30% → B, sales 5% → D).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tokens import issue as issue_token
from certification.models import (
    ApplicationTransition,
    Document,
    Field,
    RDManagementItem,
)
from core.errors import InvalidInput
from experts.models import Draw, ExpertKind, Pledge, Review, ReviewStatus, ScoreAmendment
from experts.services.pool import current_year
from tests.factories import ApplicationFactory, ExpertFactory, add_review_data

pytestmark = pytest.mark.django_db

TECH_IN_BAND = {"ip": "24.0", "conversion": "24.0", "rd_management": "16.0"}  # total 64.0
FIN_IN_BAND = {"growth": "10.0"}


# --- Fixtures (shared with test_reviews_pages.py) -----------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    # Each panel creates seven users; the production hasher would make this file take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_pledge(user) -> Pledge:  # type: ignore[no-untyped-def]
    return Pledge.objects.create(expert=user.expert, year=current_year())


def make_application():  # type: ignore[no-untyped-def]
    app = ApplicationFactory(
        status="under_review",
        field=Field.objects.get(catalogue__in_force=True, code="0101"),
        main_products="智能网关与边缘计算设备",
        core_technology="自研的数据压缩与边缘调度技术",
        staff_total=100,
        staff_tech_college=40,
        staff_rd=15,
        rd_management=list(RDManagementItem.values),
    )
    add_review_data(app, utility_models=2, product_revenue=Decimal("66000000"))
    return app


@pytest.fixture
def application(db):  # type: ignore[no-untyped-def]
    return make_application()


def make_draw(application, created_by, *, alternates=()):  # type: ignore[no-untyped-def]
    return Draw.objects.create(
        application=application,
        seed="0" * 32,
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded=[],
        panel=[],
        alternates=list(alternates),
        created_by=created_by,
    )


def add_review(draw, user=None, *, kind=ExpertKind.TECHNICAL, chair=False, pledge=True):  # type: ignore[no-untyped-def]
    expert = user.expert if user is not None else ExpertFactory(kind=kind)
    if kind != expert.kind:
        expert.kind = kind
        expert.save(update_fields=["kind"])
    if pledge and not Pledge.objects.filter(expert=expert, year=current_year()).exists():
        Pledge.objects.create(expert=expert, year=current_year())
    return Review.objects.create(
        draw=draw,
        application=draw.application,
        expert=expert,
        kind=kind,
        chair=chair,
        due_on=dt.date(2026, 12, 11),
    )


def make_panel(application, official, expert_user):  # type: ignore[no-untyped-def]
    """The chair (``expert_user``, pledge signed), three more technical experts, one financial expert."""
    draw = make_draw(application, official)
    chair = add_review(draw, expert_user, chair=True)
    others = [add_review(draw) for _ in range(3)]
    financial = add_review(draw, kind=ExpertKind.FINANCIAL)
    return {"draw": draw, "chair": chair, "technical": [chair, *others], "financial": financial}


@pytest.fixture
def panel(application, official, expert_user):  # type: ignore[no-untyped-def]
    return make_panel(application, official, expert_user)


def api(client, user):  # type: ignore[no-untyped-def]
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def submit_all(panel, tech=TECH_IN_BAND, fin=FIN_IN_BAND, *, skip=()):  # type: ignore[no-untyped-def]
    from experts.services.reviews import review_submit

    for review in [*panel["technical"], panel["financial"]]:
        if review in skip:
            continue
        scores = fin if review.kind == ExpertKind.FINANCIAL else tech
        review_submit(review=review, by=review.expert.user, scores=scores, reasons={}, comment="")


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


# --- The expert's own view ---------------------------------------------------------------------------


def test_expert_lists_only_own_assignments(client, panel, expert_user, other_expert_user, official):
    # Another application with a review of another expert: never in this expert's list.
    other_app = ApplicationFactory(status="under_review")
    add_review(make_draw(other_app, official), other_expert_user)
    response = api(client, expert_user).get("/api/v1/reviews/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == panel["chair"].pk and row["status"] == "assigned" and row["chair"] is True
    assert row["due_on"] == "2026-12-11" and row["application"] == panel["chair"].application_id


def test_detail_has_application_bands_and_own_scores(client, panel, expert_user, application):
    response = api(client, expert_user).get(f"/api/v1/reviews/{panel['chair'].pk}/")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["bands"].keys() == {"ip", "conversion", "rd_management"}
    assert {k: data["bands"]["ip"][k] for k in ("band", "min", "max")} == {
        "band": "A",
        "min": "24.0",
        "max": "30.0",
    }
    assert data["bands"]["ip"]["basis"] == "知识产权 3 项，其中发明专利 1 项"
    assert data["bands"]["conversion"]["band"] == "A"
    assert (data["bands"]["rd_management"]["min"], data["bands"]["rd_management"]["max"]) == ("16.0", "20.0")
    assert data["scores"] == {"ip": None, "conversion": None, "rd_management": None}
    app = data["application"]
    assert app["id"] == application.pk and app["uscc"] == application.enterprise.uscc
    assert app["enterprise_name"] == application.enterprise.name and app["year"] == 2026
    assert app["field"]["code"] == "0101"
    assert [fy["year"] for fy in app["fiscal_years"]] == [2023, 2024, 2025]
    assert len(app["ip"]) == 3 and len(app["conversions"]) == 12 and len(app["products"]) == 1
    assert app["rd_management"] == list(RDManagementItem.values)
    assert app["form_pdf_url"] == f"/enterprise/applications/{application.pk}/form.pdf"
    assert data["panel_complete"] is False and data["result"] is None


def test_financial_expert_sees_the_growth_band_only(client, panel):
    user = panel["financial"].expert.user
    data = api(client, user).get(f"/api/v1/reviews/{panel['financial'].pk}/").json()
    assert data["bands"].keys() == {"growth"}
    assert {k: data["bands"]["growth"][k] for k in ("band", "min", "max")} == {
        "band": "B+D",
        "min": "8.0",
        "max": "11.8",
    }
    assert data["scores"] == {"growth": None}


def test_documents_are_linked(client, panel, expert_user, application, enterprise_user):
    doc = Document.objects.create(
        application=application,
        kind="audit_report",
        file="documents/x/report.pdf",
        original_name="审计报告.pdf",
        size=100,
        sha256="0" * 64,
        uploaded_by=enterprise_user,
    )
    data = api(client, expert_user).get(f"/api/v1/reviews/{panel['chair'].pk}/").json()
    assert data["application"]["documents"] == [
        {
            "id": doc.pk,
            "kind": "audit_report",
            "name": "审计报告.pdf",
            "download_url": f"/documents/{doc.pk}/download/",
        }
    ]


def test_pledge_gate_403_then_200(client, panel, expert_user):
    Pledge.objects.filter(expert__user=expert_user).delete()
    url = f"/api/v1/reviews/{panel['chair'].pk}/"
    response = api(client, expert_user).get(url)
    assert response.status_code == 403
    assert response.json()["detail"] == "查看申报材料前须先签署保密承诺（第十三条）。"
    assert "application" not in response.json()
    # Scoring without the pledge is refused too, and changes nothing.
    assert post(client, url + "submit/", {"scores": TECH_IN_BAND}).status_code == 403
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED
    # The list (no material) stays open.
    assert client.get("/api/v1/reviews/").status_code == 200
    sign_pledge(expert_user)
    assert client.get(url).status_code == 200


# --- Submitting and the band rule ---------------------------------------------------------------------


def test_submit_inside_the_band_locks_the_review(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    response = post(api(client, expert_user), url, {"scores": TECH_IN_BAND, "comment": "技术先进"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "submitted" and data["scores"] == TECH_IN_BAND
    review = Review.objects.get(pk=panel["chair"].pk)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert review.ip == Decimal("24.0") and review.comment == "技术先进" and review.out_of_band_reasons == {}
    assert review.source == "online"


@pytest.mark.parametrize(
    ("scores", "key"),
    [
        ({**TECH_IN_BAND, "ip": "23.9"}, "scores.ip"),  # just below A
        ({**TECH_IN_BAND, "conversion": "30.1"}, "scores.conversion"),  # above the weight
        ({**TECH_IN_BAND, "rd_management": "15.9"}, "scores.rd_management"),
        ({**TECH_IN_BAND, "ip": "24.05"}, "scores.ip"),  # two decimals
        ({**TECH_IN_BAND, "ip": "abc"}, "scores.ip"),
        ({"ip": "24.0", "conversion": "24.0"}, "scores.rd_management"),  # missing
    ],
)
def test_submit_outside_the_band_without_reason_is_400_and_changes_nothing(
    client, panel, expert_user, scores, key
):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    response = post(api(client, expert_user), url, {"scores": scores})
    assert response.status_code == 400
    assert key in response.json()
    review = Review.objects.get(pk=panel["chair"].pk)
    assert review.status == ReviewStatus.ASSIGNED and review.ip is None and review.submitted_at is None


def test_submit_outside_the_band_with_a_reason_is_accepted_and_the_reason_kept(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    body = {"scores": {**TECH_IN_BAND, "ip": "20.0"}, "reasons": {"ip": "发明专利与主营产品关联度低"}}
    response = post(api(client, expert_user), url, body)
    assert response.status_code == 200, response.json()
    review = Review.objects.get(pk=panel["chair"].pk)
    assert review.ip == Decimal("20.0")
    assert review.out_of_band_reasons == {"ip": "发明专利与主营产品关联度低"}


def test_all_errors_at_once(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    body = {"scores": {"ip": "10.0", "conversion": "31", "rd_management": "16.0", "growth": "10.0"}}
    errors = post(api(client, expert_user), url, body).json()
    assert set(errors) == {"scores.ip", "scores.conversion", "scores.growth"}


def test_wrong_indicators_for_the_kind_are_refused(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    response = post(api(client, expert_user), url, {"scores": {**TECH_IN_BAND, "growth": "10.0"}})
    assert response.status_code == 400
    assert response.json()["scores.growth"] == ["技术专家不评“成长性”。"]

    financial = panel["financial"]
    url = f"/api/v1/reviews/{financial.pk}/submit/"
    response = post(api(client, financial.expert.user), url, {"scores": {"growth": "10.0", "ip": "24.0"}})
    assert response.status_code == 400
    assert "scores.ip" in response.json()
    response = post(client, url, {"scores": {"ip": "24.0"}})
    assert set(response.json()) == {"scores.ip", "scores.growth"}
    assert Review.objects.get(pk=financial.pk).status == ReviewStatus.ASSIGNED


def test_second_submit_is_409(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    assert post(api(client, expert_user), url, {"scores": TECH_IN_BAND}).status_code == 200
    response = post(client, url, {"scores": {**TECH_IN_BAND, "ip": "30.0"}})
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert Review.objects.get(pk=panel["chair"].pk).ip == Decimal("24.0")


def test_submit_when_the_application_is_not_under_review_is_409(client, panel, expert_user, application):
    application.status = "accepted"
    application.save(update_fields=["status"])
    response = post(
        api(client, expert_user), f"/api/v1/reviews/{panel['chair'].pk}/submit/", {"scores": TECH_IN_BAND}
    )
    assert response.status_code == 409 and response.json()["status"] == "accepted"


def test_malformed_body_is_400(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/submit/"
    assert post(api(client, expert_user), url, {"scores": "24"}).status_code == 400
    assert post(client, url, {"comment": "x"}).status_code == 400
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400


# --- Amendments ---------------------------------------------------------------------------------------


def reopen_and_resubmit(review, official, scores, reason="复核专利证书"):  # type: ignore[no-untyped-def]
    """The district reopens ``review``; its expert submits ``scores`` again (reasons for out-of-band)."""
    from experts.services.reviews import review_reopen, review_submit

    review_reopen(review=review, by=official, reason=reason)
    return review_submit(
        review=review, by=review.expert.user, scores=scores, reasons={k: "依据复核" for k in scores}
    )


def test_a_submitted_score_is_sealed_for_the_expert(client, panel, expert_user):
    """Scores sealed: the expert's amendment is a 409 with a clear Chinese message; nothing changes."""
    base = f"/api/v1/reviews/{panel['chair'].pk}/"
    post(api(client, expert_user), base + "submit/", {"scores": TECH_IN_BAND})
    response = post(
        client, base + "amend/", {"indicator": "ip", "points": "27.5", "reason": "复核专利证书后上调"}
    )
    assert response.status_code == 409
    assert "评分已提交并锁定，专家本人不能再修改" in response.json()["detail"]
    assert not ScoreAmendment.objects.exists()
    assert Review.objects.get(pk=panel["chair"].pk).ip == Decimal("24.0")
    # Submitting again is refused too.
    response = post(client, base + "submit/", {"scores": {**TECH_IN_BAND, "ip": "27.0"}})
    assert response.status_code == 409
    assert Review.objects.get(pk=panel["chair"].pk).ip == Decimal("24.0")


def test_the_district_reopens_one_score_and_the_resubmission_is_an_amendment(
    client, panel, expert_user, official, application, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    submit_all(panel)
    application.refresh_from_db()
    assert application.status == "reviewed" and application.composite_score == Decimal("74.00")
    base = f"/api/v1/reviews/{panel['chair'].pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api(client, official), base + "reopen/", {"reason": "专利证书核对有误"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "assigned"
    chair = Review.objects.get(pk=panel["chair"].pk)
    assert chair.status == ReviewStatus.ASSIGNED and chair.submitted_at is None
    # Only ONE expert's score is reopened; the others stay sealed.
    assert all(Review.objects.get(pk=r.pk).status == "submitted" for r in panel["technical"][1:])
    # No stale composite while the score is out.
    application.refresh_from_db()
    assert application.composite_score is None and application.review_passed is None
    # The expert is told, with the reason: an in-app notice and its email (notifications.services.notify).
    assert expert_user.email
    notice = Notification.objects.get(user=expert_user, kind="review_reopened")
    assert "专利证书核对有误" in notice.body and notice.channel == "email"
    # The expert sees the reason and may submit again.
    detail = api(client, expert_user).get(base).json()
    assert detail["status"] == "assigned"
    response = post(client, base + "submit/", {"scores": {**TECH_IN_BAND, "ip": "28.0"}})
    assert response.status_code == 200, response.json()
    amendment = ScoreAmendment.objects.get(review=panel["chair"])
    assert (amendment.indicator, amendment.old_points, amendment.new_points) == (
        "ip",
        Decimal("24.0"),
        Decimal("28.0"),
    )
    assert amendment.reason == "专利证书核对有误" and amendment.reopening.by == official
    assert amendment.by == expert_user
    application.refresh_from_db()
    assert application.composite_score == Decimal("75.00")  # chair 68 → average 65, + 10
    assert application.status == "reviewed"
    assert ApplicationTransition.objects.filter(application=application, to_status="reviewed").count() == 1
    # Sealed again.
    response = post(client, base + "amend/", {"indicator": "ip", "points": "20.0", "reason": "x"})
    assert response.status_code == 409


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_reopen_needs_a_reason_and_changes_nothing(client, panel, official, reason):
    submit_all(panel)
    response = post(api(client, official), f"/api/v1/reviews/{panel['chair'].pk}/reopen/", {"reason": reason})
    assert response.status_code == 400 and "reason" in response.json()
    assert Review.objects.get(pk=panel["chair"].pk).status == "submitted"
    assert not panel["chair"].reopenings.exists()


def test_only_the_district_reopens(
    client, panel, expert_user, other_official, municipal_user, enterprise_user
):
    submit_all(panel)
    url = f"/api/v1/reviews/{panel['chair'].pk}/reopen/"
    assert post(api(client, expert_user), url, {"reason": "x"}).status_code == 403
    assert post(api(client, municipal_user), url, {"reason": "x"}).status_code == 403
    assert post(api(client, other_official), url, {"reason": "x"}).status_code == 404
    assert post(api(client, enterprise_user), url, {"reason": "x"}).status_code in (403, 404)
    assert Review.objects.get(pk=panel["chair"].pk).status == "submitted"


def test_reopen_is_refused_once_the_district_opinion_is_recorded(client, panel, official, application):
    from districts.services import application_opinion

    submit_all(panel)
    application.refresh_from_db()
    application_opinion(application=application, by=official, recommend=True, note="")
    response = post(api(client, official), f"/api/v1/reviews/{panel['chair'].pk}/reopen/", {"reason": "x"})
    assert response.status_code == 409
    assert "评分不能再重新开放" in response.json()["detail"]
    assert Review.objects.get(pk=panel["chair"].pk).status == "submitted"


def test_reopen_an_unsubmitted_score_is_409(client, panel, official):
    response = post(api(client, official), f"/api/v1/reviews/{panel['chair'].pk}/reopen/", {"reason": "x"})
    assert response.status_code == 409


def test_no_district_opinion_while_a_score_is_reopened(panel, official, application):
    from core.errors import ApplicationStateError
    from districts.services import application_opinion
    from experts.services.reviews import review_reopen

    submit_all(panel)
    review_reopen(review=panel["chair"], by=official, reason="复核")
    application.refresh_from_db()
    with pytest.raises(ApplicationStateError, match="重新开放"):
        application_opinion(application=application, by=official, recommend=False, note="不予推荐的理由")
    application.refresh_from_db()
    assert application.status == "reviewed" and application.opinion_at is None


def test_amending_an_unsubmitted_review_is_409(client, panel, expert_user):
    url = f"/api/v1/reviews/{panel['chair'].pk}/amend/"
    response = post(api(client, expert_user), url, {"indicator": "ip", "points": "25.0", "reason": "x"})
    assert response.status_code == 409 and response.json()["status"] == "assigned"


# --- Blind scoring and the panel's result ---------------------------------------------------------------


def test_other_scores_stay_hidden_even_when_all_are_in(client, panel, expert_user):
    # Four of five submitted, with distinctive numbers; the chair has not submitted yet.
    distinctive = {"ip": "29.3", "conversion": "28.7", "rd_management": "19.1"}
    submit_all(panel, tech=distinctive, fin={"growth": "11.7"}, skip=[panel["chair"]])
    text = api(client, expert_user).get(f"/api/v1/reviews/{panel['chair'].pk}/").content.decode()
    for number in ("29.3", "28.7", "19.1", "11.7", "77.1"):
        assert number not in text
    data = api(client, expert_user).get(f"/api/v1/reviews/{panel['chair'].pk}/").json()
    assert data["panel_complete"] is False
    others = [m for m in data["panel"] if not m["is_me"]]
    assert len(others) == 4 and all(m["status"] == "submitted" for m in others)
    assert all("scores" not in m and "expert_name" not in m for m in others)
    # The last one in: still no other expert's numbers, no composite, no pass/fail for an expert.
    response = post(client, f"/api/v1/reviews/{panel['chair'].pk}/submit/", {"scores": TECH_IN_BAND})
    data = response.json()
    assert data["panel_complete"] is True
    assert all("scores" not in m and "total" not in m for m in data["panel"] if not m["is_me"])
    assert data["result"] is None
    text = client.get(f"/api/v1/reviews/{panel['chair'].pk}/").content.decode()
    for number in ("29.3", "28.7", "19.1", "11.7", "77.1", "85.53"):
        assert number not in text
    # The application as the expert reads it has no composite and no pass/fail either.
    application_id = panel["chair"].application_id
    app_data = client.get(f"/api/v1/applications/{application_id}/")
    if app_data.status_code == 200:
        body = app_data.json()
        assert body["composite_score"] is None and body["review_passed"] is None
        assert "85.53" not in app_data.content.decode()


def test_a_submitted_expert_sees_own_scores_but_not_the_others(client, panel):
    submit_all(
        panel, tech={"ip": "29.3", "conversion": "28.7", "rd_management": "19.1"}, skip=[panel["chair"]]
    )
    second = panel["technical"][1]
    data = api(client, second.expert.user).get(f"/api/v1/reviews/{second.pk}/").json()
    mine = next(m for m in data["panel"] if m["is_me"])
    assert mine["scores"] == {"ip": "29.3", "conversion": "28.7", "rd_management": "19.1"}
    assert all("scores" not in m for m in data["panel"] if not m["is_me"])


def test_composite_computed_when_the_fifth_expert_submits(client, panel, application, expert_user):
    from experts.services.reviews import review_submit

    scores = [
        {"ip": "24.0", "conversion": "24.0", "rd_management": "16.0"},  # 64.0
        {"ip": "26.0", "conversion": "25.0", "rd_management": "17.0"},  # 68.0
        {"ip": "28.0", "conversion": "26.0", "rd_management": "18.0"},  # 72.0
        {"ip": "25.0", "conversion": "25.5", "rd_management": "16.5"},  # 67.0
    ]
    for review, s in zip(panel["technical"][1:], scores[1:], strict=True):
        review_submit(review=review, by=review.expert.user, scores=s)
    review_submit(review=panel["financial"], by=panel["financial"].expert.user, scores={"growth": "9.5"})
    application.refresh_from_db()
    assert application.status == "under_review" and application.composite_score is None
    # The fifth: (64 + 68 + 72 + 67) / 4 = 67.75; + 9.5 = 77.25
    post(api(client, expert_user), f"/api/v1/reviews/{panel['chair'].pk}/submit/", {"scores": scores[0]})
    application.refresh_from_db()
    assert application.status == "reviewed"
    assert application.composite_score == Decimal("77.25")
    assert application.review_passed is True and application.score_spread_flag is False
    transition = ApplicationTransition.objects.filter(application=application).latest("id")
    assert (transition.from_status, transition.to_status, transition.by) == (
        "under_review",
        "reviewed",
        expert_user,
    )
    assert transition.data == {"composite_score": "77.25", "review_passed": True, "score_spread_flag": False}


def _submit_with_reasons(review, scores):  # type: ignore[no-untyped-def]
    from experts.services.reviews import review_submit

    reasons = {k: "依据评审会讨论" for k in scores}
    return review_submit(review=review, by=review.expert.user, scores=scores, reasons=reasons)


def test_tianjin_composite_exactly_60_fails(panel, application):
    # Every technical expert 20 + 20 + 10 = 50 (outside the bands, with reasons); growth 10.0 → 60.00.
    for review in panel["technical"]:
        _submit_with_reasons(review, {"ip": "20.0", "conversion": "20.0", "rd_management": "10.0"})
    _submit_with_reasons(panel["financial"], {"growth": "10.0"})
    application.refresh_from_db()
    assert application.rule_set.code == "tianjin-2015"
    assert application.composite_score == Decimal("60.00")
    assert application.review_passed is False
    assert application.status == "reviewed"


def test_tianjin_composite_60_01_passes(application, official):
    # With 4 technical experts the technical average moves in steps of 0.025 (60.00 → 60.03): eight
    # technical experts (a larger panel still meets the rules) reach 60.01 exactly:
    # seven totals of 50.0 and one of 50.1 → 50.0125; + growth 10.0 → 60.0125 → 60.01.
    draw = make_draw(application, official)
    technical = [add_review(draw, chair=(i == 0)) for i in range(8)]
    financial = add_review(draw, kind=ExpertKind.FINANCIAL)
    for i, review in enumerate(technical):
        rd = "10.1" if i == 7 else "10.0"
        _submit_with_reasons(review, {"ip": "20.0", "conversion": "20.0", "rd_management": rd})
    _submit_with_reasons(financial, {"growth": "10.0"})
    application.refresh_from_db()
    assert application.composite_score == Decimal("60.01")
    assert application.review_passed is True


def test_national_rule_set_71_passes(application, official):
    from certification.models import RuleSet

    application.rule_set = RuleSet.objects.get(code="national-2016")
    application.save(update_fields=["rule_set"])
    draw = make_draw(application, official)
    technical = [add_review(draw, chair=(i == 0)) for i in range(4)]
    for review in technical:
        _submit_with_reasons(review, {"ip": "24.0", "conversion": "24.0", "rd_management": "15.0"})  # 63.0
    _submit_with_reasons(add_review(draw, kind=ExpertKind.FINANCIAL), {"growth": "8.0"})
    application.refresh_from_db()
    assert application.composite_score == Decimal("71.00") and application.review_passed is True


@pytest.mark.parametrize(("low_rd", "flag"), [("16.0", False), ("15.9", True)])
def test_spread_of_more_than_20_points_is_flagged(panel, application, low_rd, flag):
    # Technical totals 80.0 vs 60.0 / 59.9: exactly 20 apart is not flagged, 20.1 is.
    top = {"ip": "30.0", "conversion": "30.0", "rd_management": "20.0"}  # 80.0
    low = {"ip": "24.0", "conversion": "20.0", "rd_management": low_rd}  # 60.0 / 59.9 (with reasons)
    for review in panel["technical"][:2]:
        _submit_with_reasons(review, top)
    for review in panel["technical"][2:]:
        _submit_with_reasons(review, low)
    _submit_with_reasons(panel["financial"], FIN_IN_BAND)
    application.refresh_from_db()
    assert application.score_spread_flag is flag


def test_a_resubmission_after_reopening_recomputes_the_composite(panel, application, official):
    submit_all(panel)
    application.refresh_from_db()
    assert application.composite_score == Decimal("74.00")  # 64 + 10
    reopen_and_resubmit(panel["chair"], official, {**TECH_IN_BAND, "ip": "28.0"})
    application.refresh_from_db()
    assert application.composite_score == Decimal("75.00")  # chair 68 → average 65
    assert application.status == "reviewed"
    assert ApplicationTransition.objects.filter(application=application, to_status="reviewed").count() == 1


def test_panel_without_a_financial_score_does_not_complete(panel, application):
    from experts.services.reviews import panel_outcome

    submit_all(panel, skip=[panel["financial"]])
    Review.objects.filter(pk=panel["financial"].pk).update(status=ReviewStatus.DECLINED)
    reviews = list(Review.objects.filter(draw=panel["draw"]))
    assert panel_outcome(application, reviews) is None


# --- Declining ------------------------------------------------------------------------------------------


def test_decline_brings_in_the_next_alternate(client, application, official, expert_user):
    from experts.selectors import draw_request_for

    field = application.field
    alternate = ExpertFactory(kind=ExpertKind.TECHNICAL)
    alternate.fields.add(field)
    draw = make_draw(
        application, official, alternates=[{"expert_id": alternate.pk, "kind": "technical", "chair": False}]
    )
    draw.rules = {"request": draw_request_for(application).as_data()}
    draw.save(update_fields=["rules"])
    expert_user.expert.fields.add(field)
    mine = add_review(draw, expert_user, chair=True)
    second = add_review(draw)
    for _ in range(2):
        add_review(draw)
    add_review(draw, kind=ExpertKind.FINANCIAL)

    url = f"/api/v1/reviews/{mine.pk}/decline/"
    assert post(api(client, expert_user), url, {"reason": ""}).status_code == 400
    response = post(client, url, {"reason": "曾为该企业提供技术咨询"})
    assert response.status_code == 200, response.json()
    assert response.json() == {"id": mine.pk, "status": "declined", "replaced": True}
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.DECLINED and mine.declined_reason == "曾为该企业提供技术咨询"
    assert mine.replaced_by is not None and mine.replaced_by.expert == alternate
    assert mine.replaced_by.status == ReviewStatus.ASSIGNED
    # The chair passed on; the declined expert no longer sees the review.
    assert Review.objects.filter(draw=draw, chair=True).exclude(pk=mine.pk).count() == 1
    assert client.get(f"/api/v1/reviews/{mine.pk}/").status_code == 404
    assert client.get("/api/v1/reviews/").json()["count"] == 0
    # A submitted review cannot be declined.
    _submit_with_reasons(second, TECH_IN_BAND)
    response = post(api(client, second.expert.user), f"/api/v1/reviews/{second.pk}/decline/", {"reason": "x"})
    assert response.status_code == 409


def test_review_decline_service_checks_the_reason(panel, expert_user):
    from experts.services.reviews import review_decline

    with pytest.raises(InvalidInput):
        review_decline(review=panel["chair"], by=expert_user, reason="  ")


# --- Who may see what ---------------------------------------------------------------------------------

OUTSIDERS = ["other_expert_user", "other_official", "enterprise_user"]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("action", ["detail", "submit", "amend", "decline"])
def test_outsiders_get_404(client, request, panel, who, action):
    user = request.getfixturevalue(who)
    if who == "enterprise_user":
        # The application's own enterprise: it never sees reviews.
        user.enterprise = panel["draw"].application.enterprise
        user.save(update_fields=["enterprise"])
    if who == "other_expert_user":
        sign_pledge(user)  # the pledge opens nothing that is not theirs
    base = f"/api/v1/reviews/{panel['chair'].pk}/"
    c = api(client, user)
    response = (
        c.get(base)
        if action == "detail"
        else post(c, base + f"{action}/", {"scores": TECH_IN_BAND, "reason": "x"})
    )
    assert response.status_code == 404
    assert Review.objects.get(pk=panel["chair"].pk).status == ReviewStatus.ASSIGNED


@pytest.mark.parametrize("action", ["", "detail", "submit", "amend", "decline"])
def test_anonymous_gets_401(client, panel, action):
    base = "/api/v1/reviews/" + (f"{panel['chair'].pk}/" if action else "")
    c = api(client, None)
    response = c.get(base) if action in ("", "detail") else post(c, base + f"{action}/", {})
    assert response.status_code == 401


def test_list_for_outsiders(client, panel, other_expert_user, other_official, enterprise_user):
    assert api(client, other_expert_user).get("/api/v1/reviews/").json()["count"] == 0
    assert api(client, other_official).get("/api/v1/reviews/").json()["count"] == 0
    assert api(client, enterprise_user).get("/api/v1/reviews/").status_code == 403


def test_district_official_reads_its_reviews_and_scores(client, panel, official, application):
    other_app = ApplicationFactory(status="under_review")
    add_review(make_draw(other_app, official))
    c = api(client, official)
    assert c.get("/api/v1/reviews/").json()["count"] == 6
    data = c.get(f"/api/v1/reviews/?application={application.pk}").json()
    assert data["count"] == 5 and {r["application"] for r in data["results"]} == {application.pk}
    submit_all(panel, skip=[panel["chair"]])
    detail = c.get(f"/api/v1/reviews/{panel['financial'].pk}/").json()
    assert detail["scores"] == {"growth": "10.0"}
    # The district sees names and every submitted score, even before the panel is complete.
    members = detail["panel"]
    assert all("expert_name" in m for m in members)
    assert sum(1 for m in members if "scores" in m) == 4
    # …but it cannot score in an expert's place through the expert's endpoint.
    assert (
        post(c, f"/api/v1/reviews/{panel['chair'].pk}/submit/", {"scores": TECH_IN_BAND}).status_code == 403
    )


def test_municipal_office_sees_all(client, panel, municipal_user):
    assert api(client, municipal_user).get("/api/v1/reviews/").json()["count"] == 5
    assert client.get(f"/api/v1/reviews/{panel['chair'].pk}/").status_code == 200


# --- Query counts ---------------------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_rows(
    client, application, official, expert_user, django_assert_max_num_queries
):
    for _ in range(6):
        app = ApplicationFactory(status="under_review", field=application.field)
        add_review(make_draw(app, official), expert_user)
    c = api(client, expert_user)
    with django_assert_max_num_queries(4):  # token + user, pledge, count, page
        response = c.get("/api/v1/reviews/")
    assert response.json()["count"] == 6


def test_detail_query_count_is_pinned(client, panel, expert_user, official, django_assert_max_num_queries):
    submit_all(panel)
    for points in ("25.0", "26.0", "27.0"):
        reopen_and_resubmit(panel["chair"], official, {**TECH_IN_BAND, "ip": points})
    c = api(client, expert_user)
    # token + user, review (visibility), expert, pledge, review with joins, six prefetches, panel.
    with django_assert_max_num_queries(12):
        response = c.get(f"/api/v1/reviews/{panel['chair'].pk}/")
    assert response.status_code == 200


# --- The district's view of the result and the paper score sheet -----------------------------------------


def test_panel_result_for_the_district(panel, application, expert_user, official):
    from experts.review_result import panel_result

    result = panel_result(application)
    assert result["complete"] is False and result["composite"] is None and result["submitted"] == 0
    assert result["expected"] == 5 and result["threshold"] == Decimal("60") and result["strict"] is True
    assert all(row["total"] is None for row in result["experts"])

    submit_all(panel, skip=[panel["technical"][3]])
    _submit_with_reasons(panel["technical"][3], {"ip": "30.0", "conversion": "30.0", "rd_management": "20.0"})
    reopen_and_resubmit(panel["chair"], official, {**TECH_IN_BAND, "ip": "26.0"})
    result = panel_result(application)
    assert result["complete"] is True and result["submitted"] == 5
    chair = result["experts"][0]
    assert chair["chair"] is True and chair["name"] == expert_user.expert.name and chair["source"] == "online"
    assert chair["points"] == {
        "ip": Decimal("26.0"),
        "conversion": Decimal("24.0"),
        "rd_management": Decimal("16.0"),
    }
    assert chair["total"] == Decimal("66.0") and chair["submitted_at"] is not None
    assert chair["amendments"][0]["old_points"] == Decimal("24.0")
    # Technical totals 66, 64, 64, 80 → 68.5; growth 10.0 → 78.50.
    assert result["averages"]["technical_total"] == Decimal("68.50")
    assert result["averages"]["ip"] == Decimal("26.00") and result["averages"]["growth"] == Decimal("10.00")
    assert (
        result["composite"] == Decimal("78.50")
        and result["passed"] is True
        and result["spread_flag"] is False
    )
    application.refresh_from_db()
    assert application.composite_score == result["composite"]


def test_paper_score_sheet_is_entered_by_the_district(panel, official, other_official):
    from django.core.exceptions import PermissionDenied

    from experts.services.reviews import review_submit

    review = panel["technical"][1]
    with pytest.raises(PermissionDenied):
        review_submit(review=review, by=other_official, scores=TECH_IN_BAND, source="sheet")
    with pytest.raises(PermissionDenied):
        # Online submission is the expert's own.
        review_submit(review=review, by=official, scores=TECH_IN_BAND)
    review_submit(review=review, by=official, scores=TECH_IN_BAND, source="sheet")
    review.refresh_from_db()
    assert (
        review.status == ReviewStatus.SUBMITTED and review.source == "sheet" and review.entered_by == official
    )
