"""The draw through the service and the API: reviews, status, replay, nothing saved when impossible,
who may draw and who may see a draw record (the people of docs/domain.md), the PDF, the snapshot's query count,
and the replacement of a declining expert from the alternates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from certification.models import Application, ApplicationStatus, ApplicationTransition, Field
from core.errors import ApplicationStateError, DomainPermissionDenied
from experts.draw import (
    REASON_INACTIVE,
    REASON_INTERMEDIARY,
    REASON_LAST_YEAR,
    REASON_OVER_CAP,
    REASON_RELATION,
    REASON_SAME_EMPLOYER,
    panel_meets_rules,
)
from experts.draw import draw as pure_draw
from experts.models import Draw, ExpertKind, ExpertRelation, Review, ReviewStatus
from experts.selectors import draw_request_for, draw_snapshot, pool_snapshot
from experts.services.draws import DrawError, draw_experts, replace_from_alternates, replay_draw
from tests.experts.draw_factories import (
    accepted_application,
    field,
    financial_experts,
    past_review,
    pool,
    technical_experts,
)
from tests.factories import ApplicationFactory, ExpertFactory

pytestmark = pytest.mark.django_db

DRAW_DAY = "2026-09-28 10:00 +08:00"  # a Monday; 10 working days → 2026-10-15 (after the National Day week)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Every expert is a user; the default PBKDF2 hashing would make each pool cost seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(client, user):
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def post_draw(client, user, application, body=None):
    return api(client, user).post(
        f"/api/v1/applications/{application.pk}/draw-experts/", body or {}, content_type="application/json"
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() or "" for page in reader.pages).replace("\n", "")


# --- The draw ----------------------------------------------------------------------------------------


def test_a_draw_assigns_five_reviews_and_moves_the_application_to_under_review(
    client, official, time_machine
):
    time_machine.move_to(DRAW_DAY)
    technical, financial = pool(6, 3)
    application = accepted_application()

    response = post_draw(client, official, application)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"draw_id", "seed", "panel", "alternates"}
    assert len(body["seed"]) == 32 and int(body["seed"], 16) >= 0
    draw = Draw.objects.get()
    assert body["draw_id"] == draw.pk and body["seed"] == draw.seed
    assert [p["kind"] for p in body["panel"]] == ["technical"] * 4 + ["financial"]
    assert [p["chair"] for p in body["panel"]] == [True, False, False, False, False]
    assert sorted(p["kind"] for p in body["alternates"]) == ["financial", "technical", "technical"]
    panel_ids = {p["expert_id"] for p in body["panel"]}
    assert not panel_ids & {p["expert_id"] for p in body["alternates"]}
    assert panel_ids <= {e.pk for e in technical + financial}

    reviews = list(Review.objects.filter(draw=draw))
    assert len(reviews) == 5
    assert {r.expert_id for r in reviews} == panel_ids
    assert all(r.status == ReviewStatus.ASSIGNED and r.application_id == application.pk for r in reviews)
    assert all(r.due_on == dt.date(2026, 10, 15) for r in reviews)
    chair = [r for r in reviews if r.chair]
    assert len(chair) == 1 and chair[0].kind == ExpertKind.TECHNICAL
    assert chair[0].expert_id == body["panel"][0]["expert_id"]

    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    transition = ApplicationTransition.objects.filter(application=application).latest("id")
    assert (transition.from_status, transition.to_status) == ("accepted", "under_review")
    assert transition.by == official
    assert str(draw.pk) in transition.note
    assert transition.data["draw_id"] == draw.pk
    assert draw.created_by == official and draw.algorithm_version == "draw-1"


def test_the_record_keeps_eligible_ids_and_every_excluded_candidate_with_its_reason(client, official):
    application = accepted_application()
    enterprise = application.enterprise
    technical, financial = pool(6, 3)
    related, same_employer, intermediary, last_year, inactive, over_cap = technical_experts(6, field())
    ExpertRelation.objects.create(expert=related, uscc=enterprise.uscc)
    same_employer.employer_uscc = enterprise.uscc
    same_employer.save()
    intermediary.employer_uscc = application.audit_firm_uscc
    intermediary.save()
    past_review(last_year, year=2025, enterprise=enterprise)
    past_review(last_year, year=2025, enterprise=enterprise, status=ReviewStatus.DECLINED)
    inactive.active = False
    inactive.save()
    over_cap.yearly_cap = 2
    over_cap.save()
    past_review(over_cap, year=2026)
    past_review(over_cap, year=2026)
    declined_only = technical_experts(1, field())[0]  # a declined review does not count toward the cap
    declined_only.yearly_cap = 1
    declined_only.save()
    past_review(declined_only, year=2026, status=ReviewStatus.DECLINED)
    other_field = technical_experts(2, field("0201"))  # not candidates: counted, not listed
    top_level = technical_experts(1, field("01"))[0]  # a top-level expert covers sub-field 0101

    draw_id = post_draw(client, official, application).json()["draw_id"]
    record = api(client, official).get(f"/api/v1/draws/{draw_id}/").json()

    eligible = {e.pk for e in technical + financial + [declined_only, top_level]}
    assert record["eligible_ids"] == sorted(eligible)
    assert {e["id"]: e["kind"] for e in record["eligible"]} == {
        e.pk: e.kind for e in technical + financial + [declined_only, top_level]
    }
    assert {e["id"]: e["reason"] for e in record["excluded"]} == {
        related.pk: REASON_RELATION,
        same_employer.pk: REASON_SAME_EMPLOYER,
        intermediary.pk: REASON_INTERMEDIARY,
        last_year.pk: REASON_LAST_YEAR,
        inactive.pk: REASON_INACTIVE,
        over_cap.pk: REASON_OVER_CAP,
    }
    assert not {e.pk for e in other_field} & {e["id"] for e in record["excluded"]}
    assert record["rules"]["pool"]["off_field_technical"] == 2
    assert record["rules"]["request"]["rules"] == {
        "min_panel": 5,
        "min_technical_share": "0.6",
        "min_financial": 1,
        "alternates_technical": 2,
        "alternates_financial": 1,
    }
    assert record["rules"]["request"]["application_field_code"] == "0101"
    assert record["rules"]["request"]["field_parent_code"] == "01"
    assert record["seed"] and record["algorithm_version"] == "draw-1"
    assert record["created_by"]["id"] == official.pk and record["created_at"]
    assert len(record["panel"]) == 5 and len(record["alternates"]) == 3
    assert {p["expert_id"] for p in record["panel"] + record["alternates"]} <= eligible


def test_replay_answers_identical(client, official, municipal_user):
    pool(7, 3)
    application = accepted_application()
    created = post_draw(client, official, application).json()

    for user in (official, municipal_user):
        response = api(client, user).post(f"/api/v1/draws/{created['draw_id']}/replay/")
        assert response.status_code == 200
        body = response.json()
        assert body["identical"] is True
        assert body["panel"] == created["panel"] and body["alternates"] == created["alternates"]


def test_replay_notices_a_tampered_record(official):
    pool(7, 3)
    draw = draw_experts(application=accepted_application(), by=official)
    draw.panel = list(reversed(draw.panel))
    draw.save()
    answer = replay_draw(draw)
    assert answer["identical"] is False
    draw.refresh_from_db()
    assert answer["panel"] == list(reversed(draw.panel))


def test_replay_uses_the_stored_snapshot_not_todays_pool(official):
    technical, _ = pool(6, 3)
    draw = draw_experts(application=accepted_application(), by=official)
    for expert in technical:  # the pool changes after the draw
        expert.active = False
        expert.save()
    assert replay_draw(draw)["identical"] is True


def test_an_impossible_draw_saves_nothing_and_names_the_rule(client, official):
    pool(2, 5)
    application = accepted_application()
    transitions = ApplicationTransition.objects.count()

    response = post_draw(client, official, application)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "技术专家不足：本领域可抽取的技术专家 2 名，规则要求至少 3 名"
        "（评审组至少 5 人，技术专家占比不低于 60%），还差 1 名"
    }
    assert not Draw.objects.exists() and not Review.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert ApplicationTransition.objects.count() == transitions


def test_with_few_technical_experts_the_panel_takes_more_financial_ones(official):
    pool(3, 5)
    draw = draw_experts(application=accepted_application(), by=official)
    assert [p["kind"] for p in draw.panel] == ["technical"] * 3 + ["financial"] * 2
    assert draw.alternates == [draw.alternates[0]] and draw.alternates[0]["kind"] == "financial"


def test_an_impossible_draw_raises_drawerror_from_the_service(official):
    pool(6, 0)
    with pytest.raises(DrawError) as info:
        draw_experts(application=accepted_application(), by=official)
    assert info.value.rule == "financial"
    assert "财务专家不足" in str(info.value)


def test_a_draw_from_a_wrong_status_is_409(client, official):
    pool(6, 3)
    submitted = accepted_application(status="submitted")
    response = post_draw(client, official, submitted)
    assert response.status_code == 409
    assert response.json()["status"] == "submitted" and response.json()["detail"]

    application = accepted_application()
    assert post_draw(client, official, application).status_code == 201
    again = post_draw(client, official, application)
    assert again.status_code == 409
    assert again.json()["status"] == "under_review"
    assert Draw.objects.count() == 1


def test_a_draft_cannot_be_drawn(client, official):
    pool(6, 3)
    draft = accepted_application(status="draft")
    assert post_draw(client, official, draft).status_code == 404  # a district never sees drafts
    with pytest.raises(ApplicationStateError) as info:
        draw_experts(application=draft, by=official)
    assert info.value.status == "draft"


def test_a_meeting_needs_its_date_and_place(client, official):
    pool(6, 3)
    application = accepted_application()
    response = post_draw(client, official, application, {"mode": "meeting"})
    assert response.status_code == 400
    assert set(response.json()) == {"meeting_date", "meeting_place"}
    response = post_draw(
        client,
        official,
        application,
        {"mode": "meeting", "meeting_date": "2026-10-09", "meeting_place": "区政务中心"},
    )
    assert response.status_code == 201
    draw = Draw.objects.get()
    assert (draw.mode, draw.meeting_date, draw.meeting_place) == (
        "meeting",
        dt.date(2026, 10, 9),
        "区政务中心",
    )


# --- Who may draw, who may see a draw ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("enterprise_user", 403),
        ("expert_user", 403),
        ("municipal_user", 403),
        ("other_official", 404),
        ("anonymous", 401),
        ("official", 201),
    ],
)
def test_only_the_districts_official_may_draw(client, request, enterprise_user, person, expected):
    pool(6, 3)
    application = accepted_application(enterprise=enterprise_user.enterprise)
    user = request.getfixturevalue(person)
    response = post_draw(client, user, application)
    assert response.status_code == expected, response.content
    assert Draw.objects.exists() == (expected == 201)


@pytest.fixture
def drawn(official, enterprise_user, expert_user):
    """A draw on the enterprise user's application whose panel holds ``expert_user`` for sure."""
    expert_user.expert.fields.add(field())
    technical_experts(3, field())
    financial_experts(1)
    draw = draw_experts(application=accepted_application(enterprise=enterprise_user.enterprise), by=official)
    assert expert_user.expert.pk in {p["expert_id"] for p in draw.panel}
    return draw


PEOPLE = [
    ("official", 200),
    ("municipal_user", 200),
    ("other_official", 404),
    ("enterprise_user", 404),
    ("expert_user", 404),  # on the panel: reviews are blind, the record names the whole panel
    ("other_expert_user", 404),  # off the panel
    ("other_enterprise_user", 404),
    ("anonymous", 401),
]


@pytest.mark.parametrize(("person", "expected"), PEOPLE)
def test_who_sees_the_draw_record(client, request, drawn, person, expected):
    response = api(client, request.getfixturevalue(person)).get(f"/api/v1/draws/{drawn.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["seed"] == drawn.seed


@pytest.mark.parametrize(("person", "expected"), PEOPLE)
def test_who_may_replay(client, request, drawn, person, expected):
    response = api(client, request.getfixturevalue(person)).post(f"/api/v1/draws/{drawn.pk}/replay/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["identical"] is True


@pytest.mark.parametrize(("person", "expected"), [p for p in PEOPLE if p[1] != 200])
def test_who_may_download_the_pdf(client, request, drawn, person, expected):
    response = api(client, request.getfixturevalue(person)).get(f"/api/v1/draws/{drawn.pk}/pdf/")
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")


def test_an_unknown_draw_is_404(client, official):
    assert api(client, official).get("/api/v1/draws/999999/").status_code == 404


# --- The PDF ------------------------------------------------------------------------------------------


def test_the_draw_record_pdf(client, drawn, official, municipal_user):
    for user in (official, municipal_user):
        response = api(client, user).get(f"/api/v1/draws/{drawn.pk}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert f"draw-record-{drawn.pk}.pdf" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert drawn.seed in text
    assert "draw-1" in text
    assert "评审专家随机抽取记录" in text
    assert drawn.application.enterprise.name in text
    chair = Review.objects.get(draw=drawn, chair=True).expert
    assert chair.name in text


# --- The snapshot -------------------------------------------------------------------------------------


def _snapshot_queries(application: Application) -> int:
    application = Application.objects.select_related("enterprise", "field").get(pk=application.pk)
    with CaptureQueriesContext(connection) as queries:
        snapshot = pool_snapshot(application)
    assert snapshot
    return len(queries)


def test_pool_snapshot_takes_three_queries_whatever_the_pool():
    application = accepted_application()
    technical, financial = pool(5, 5)
    assert _snapshot_queries(application) == 3  # experts with their relations, fields, review counts
    more = technical_experts(60, field(), field("01")) + financial_experts(30)
    for expert in more[::3]:
        ExpertRelation.objects.create(expert=expert, uscc=application.enterprise.uscc)
        ExpertRelation.objects.create(expert=expert, uscc="91120116MA00000009")
    for expert in more[:10]:
        past_review(expert, year=2026)
        past_review(expert, year=2025, enterprise=application.enterprise)
    assert len(technical + financial + more) == 100
    assert _snapshot_queries(application) == 3


def test_the_whole_draw_takes_the_same_queries_whatever_the_pool(official):
    """The service's count is pinned (bench/draw.py times it at 10,000 experts): locks, the four of
    the snapshot, the record, the panel's reviews (one statement, and one for their history) and the
    transition. Off-field technical experts cost nothing more."""
    pool(6, 3)
    draw_experts(application=accepted_application(), by=official)  # the working calendar is memoised
    second, third = accepted_application(), accepted_application()
    with CaptureQueriesContext(connection) as small:
        draw_experts(application=second, by=official)
    technical_experts(40, field("0201"), field("02"))  # off the field
    technical_experts(10)
    financial_experts(20)
    with CaptureQueriesContext(connection) as large:
        draw = draw_experts(application=third, by=official)
    assert len(draw.panel) == 5
    assert len(large) == len(small) == 17


def test_the_draw_snapshot_leaves_out_and_counts_the_other_fields():
    """The service's snapshot reads only the experts the draw screens and counts the rest: the record
    (panel, alternates, eligible, excluded, pool size, off-field count) is the one the whole pool gives."""
    application = accepted_application()
    technical, financial = pool(8, 4)
    ExpertRelation.objects.create(expert=technical[0], uscc=application.enterprise.uscc)
    elsewhere = technical_experts(12, field("0201"), field("02"))
    ExpertRelation.objects.create(expert=elsewhere[0], uscc=application.enterprise.uscc)
    application = Application.objects.select_related("enterprise", "field__parent", "rule_set").get(
        pk=application.pk
    )
    request = draw_request_for(application)
    whole = pool_snapshot(application)
    with CaptureQueriesContext(connection) as queries:
        screened, others = draw_snapshot(application)
    assert len(queries) == 4
    assert others == 12 and len(screened) == 12 and len(whole) == 24
    assert {e.id for e in screened} == {e.id for e in technical + financial}
    assert set(screened) <= set(whole)
    full = pure_draw(whole, request, "same-seed")
    short = pure_draw(screened, request, "same-seed", others=others)
    assert short == full
    assert (short.pool_size, short.off_field) == (24, 12)


def test_pool_snapshot_values():
    application = accepted_application()
    expert = technical_experts(1, field(), field("01"))[0]
    old_catalogue_field = Field.objects.get(catalogue__in_force=False, code="01")
    expert.fields.add(old_catalogue_field)
    ExpertRelation.objects.create(expert=expert, uscc="91120116MA00000009")
    past_review(expert, year=2026)
    past_review(expert, year=2026, status=ReviewStatus.DECLINED)
    past_review(expert, year=2025)  # another enterprise last year: not a conflict
    past_review(expert, year=2024, enterprise=application.enterprise)  # two years ago: not a conflict
    application = Application.objects.select_related("enterprise", "field").get(pk=application.pk)

    (snapshot,) = pool_snapshot(application)

    assert snapshot.id == expert.pk and snapshot.kind == "technical"
    assert snapshot.field_codes == {"0101", "01"}  # only the catalogue of the application's field
    assert snapshot.relations == {("", "91120116MA00000009")}
    assert snapshot.employer_name == expert.employer and snapshot.employer_uscc == expert.employer_uscc
    assert snapshot.load == 1  # this year's non-declined reviews (not the declined one, not 2025's)
    assert snapshot.cap == 20 and snapshot.active is True
    assert snapshot.reviewed_enterprise_last_year is False
    past_review(expert, year=2025, enterprise=application.enterprise)
    assert pool_snapshot(application)[0].reviewed_enterprise_last_year is True


def test_draw_request_for_reads_the_rule_set():
    application = accepted_application()
    request = draw_request_for(application)
    assert request.application_field_code == "0101" and request.field_parent_code == "01"
    assert request.enterprise_uscc == application.enterprise.uscc
    assert request.intermediary_uscc == application.audit_firm_uscc
    assert (request.rules.min_panel, str(request.rules.min_technical_share), request.rules.min_financial) == (
        5,
        "0.6",
        1,
    )


def test_the_service_refuses_another_districts_official(other_official):
    pool(6, 3)
    with pytest.raises(DomainPermissionDenied):
        draw_experts(application=accepted_application(), by=other_official)
    assert not Draw.objects.exists()


# --- Replacement from the alternates -------------------------------------------------------------------


def _on_panel(draw: Draw) -> list[Review]:
    return list(Review.objects.filter(draw=draw).exclude(status=ReviewStatus.DECLINED).order_by("id"))


def _assert_rules_hold(draw: Draw) -> None:
    reviews = _on_panel(draw)
    technical = sum(1 for r in reviews if r.kind == ExpertKind.TECHNICAL)
    from experts.draw import DrawRules

    assert panel_meets_rules(
        technical, len(reviews) - technical, DrawRules.from_data(draw.rules["request"]["rules"])
    )
    chairs = [r for r in reviews if r.chair]
    assert len(chairs) == 1 and chairs[0].kind == ExpertKind.TECHNICAL


def test_a_declining_chair_is_replaced_and_the_chair_passes_on(official, time_machine):
    time_machine.move_to(DRAW_DAY)
    pool(6, 2)
    draw = draw_experts(application=accepted_application(), by=official)
    chair = Review.objects.get(draw=draw, chair=True)
    alternates = [a["expert_id"] for a in draw.alternates if a["kind"] == "technical"]
    second_technical = draw.panel[1]["expert_id"]

    time_machine.move_to("2026-09-29 09:00 +08:00")
    replacement = replace_from_alternates(review=chair, by=official, reason="与企业负责人系亲属")

    assert replacement is not None
    assert replacement.expert_id == alternates[0] and replacement.kind == "technical"
    assert replacement.status == ReviewStatus.ASSIGNED and replacement.due_on == dt.date(2026, 10, 16)
    chair.refresh_from_db()
    assert chair.status == ReviewStatus.DECLINED and chair.declined_reason == "与企业负责人系亲属"
    assert chair.replaced_by == replacement and not chair.chair
    assert Review.objects.get(draw=draw, chair=True).expert_id == second_technical
    _assert_rules_hold(draw)


def test_alternates_run_out_keeping_the_rules(official):
    pool(6, 2)  # panel 4 T + 1 F; alternates 2 T + 1 F
    draw = draw_experts(application=accepted_application(), by=official)

    def decline(kind: str) -> Review | None:
        review = next(r for r in _on_panel(draw) if r.kind == kind and not r.chair)
        return replace_from_alternates(review=review, by=official, reason="回避")

    assert decline("technical").kind == "technical"
    assert decline("technical").kind == "technical"
    # No technical alternate left: the financial one keeps the rules (3 T + 2 F is 60% technical).
    assert decline("technical").kind == "financial"
    _assert_rules_hold(draw)
    # Nothing left: the review stays declined and the panel is one short.
    last = next(r for r in _on_panel(draw) if r.kind == "technical" and not r.chair)
    assert replace_from_alternates(review=last, by=official, reason="回避") is None
    last.refresh_from_db()
    assert last.status == ReviewStatus.DECLINED and last.replaced_by is None
    assert len(_on_panel(draw)) == 4


def test_a_technical_alternate_never_replaces_the_only_financial_expert(official):
    pool(7, 1)  # panel 4 T + 1 F; alternates 2 T, no financial one
    draw = draw_experts(application=accepted_application(), by=official)
    financial = Review.objects.get(draw=draw, kind="financial")
    assert replace_from_alternates(review=financial, by=official, reason="回避") is None
    assert Review.objects.filter(draw=draw).count() == 5


def test_an_alternate_who_became_ineligible_is_skipped(official):
    pool(6, 2)
    draw = draw_experts(application=accepted_application(), by=official)
    first, second = [a["expert_id"] for a in draw.alternates if a["kind"] == "technical"]
    ExpertFactory._meta.model.objects.filter(pk=first).update(active=False)
    review = next(r for r in _on_panel(draw) if r.kind == "technical")
    assert replace_from_alternates(review=review, by=official, reason="回避").expert_id == second


def test_only_an_assigned_review_can_be_declined(official):
    pool(6, 2)
    draw = draw_experts(application=accepted_application(), by=official)
    review = _on_panel(draw)[0]
    replace_from_alternates(review=review, by=official, reason="回避")
    with pytest.raises(ApplicationStateError) as info:
        replace_from_alternates(review=review, by=official, reason="回避")
    assert info.value.status == "declined"


def test_the_draw_needs_an_application_with_a_field(official):
    pool(6, 3)
    application = ApplicationFactory(accepted=True, field=None)
    with pytest.raises(DrawError) as info:
        draw_experts(application=application, by=official)
    assert info.value.rule == "field"
