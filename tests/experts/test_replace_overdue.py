"""The district replaces an overdue online expert from the draw's alternates (service, API, page, draw
record), and the expert whose score the district reopens gets an in-app notice as well as the email."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from certification.applications.permissions import applications_visible_to
from core.errors import ApplicationStateError, InvalidInput
from experts.models import DeclineCause, Draw, Pledge, Review, ReviewStatus
from experts.selectors import reviews_visible_to
from experts.services.draws import draw_experts
from experts.services.pool import current_year
from experts.services.reviews import review_replace_overdue
from notifications.models import Notification
from tests.experts.draw_factories import accepted_application, pool

pytestmark = pytest.mark.django_db

DRAW_DAY = "2026-09-28 10:00 +08:00"  # a Monday; 10 working days → due 2026-10-15
DUE = dt.date(2026, 10, 15)
OVERDUE_DAY = "2026-10-16 10:00 +08:00"
REASON = "评分期限已过，多次联系未果"


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def drawn(official, time_machine) -> Draw:  # type: ignore[no-untyped-def]
    """An online draw (panel 4 technical + 1 financial; alternates 2 technical + 1 financial), overdue."""
    time_machine.move_to(DRAW_DAY)
    pool(6, 2)
    draw = draw_experts(application=accepted_application(), by=official)
    assert set(Review.objects.filter(draw=draw).values_list("due_on", flat=True)) == {DUE}
    time_machine.move_to(OVERDUE_DAY)
    return draw


def late_technical(draw: Draw) -> Review:
    return Review.objects.filter(draw=draw, kind="technical", chair=False).order_by("pk").first()


def api(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
    return client


# --- The service ------------------------------------------------------------------------------------


def test_the_overdue_expert_is_replaced_told_and_loses_access(drawn, official, client):
    late = late_technical(drawn)
    late_user = late.expert.user
    Pledge.objects.get_or_create(expert=late.expert, year=current_year())
    assert applications_visible_to(late_user).filter(pk=drawn.application_id).exists()
    first_alternate = next(a["expert_id"] for a in drawn.alternates if a["kind"] == "technical")

    replacement = review_replace_overdue(review=late, by=official, reason=REASON)

    assert replacement.expert_id == first_alternate and replacement.status == ReviewStatus.ASSIGNED
    assert replacement.due_on == dt.date(2026, 10, 29)  # 10 working days from the replacement day
    late.refresh_from_db()
    assert late.status == ReviewStatus.DECLINED and late.replaced_by == replacement
    assert (late.decline_cause, late.declined_reason, late.declined_by) == (
        DeclineCause.OVERDUE,
        REASON,
        official,
    )
    assert late.declined_at is not None
    assert late.history.first().history_user == official
    # The alternate is told: an in-app notice, and its email (the notice's email channel).
    notice = Notification.objects.get(user=replacement.expert.user, kind="review_assigned")
    assert drawn.application.enterprise.name in notice.subject + notice.body
    assert notice.url == f"/expert/reviews/{replacement.pk}/"
    assert notice.channel == "email" and notice.enqueued_at is not None
    # The replaced expert's access ends: no review, no material (the reader rule), no submission.
    assert not reviews_visible_to(late_user).filter(pk=late.pk).exists()
    assert not applications_visible_to(late_user).filter(pk=drawn.application_id).exists()
    assert api(client, late_user).get(f"/api/v1/reviews/{late.pk}/").status_code == 404
    submit = api(client, late_user).post(
        f"/api/v1/reviews/{late.pk}/submit/", {"scores": {"ip": "24"}}, content_type="application/json"
    )
    assert submit.status_code == 404
    assert client.get(f"/api/v1/applications/{drawn.application_id}/").status_code == 404


def _unchanged(draw: Draw, review: Review) -> None:
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED and review.replaced_by is None and not review.decline_cause
    assert Review.objects.filter(draw=draw).count() == 5
    assert not Notification.objects.filter(kind="review_assigned").exists()


def test_not_before_the_due_date_passes(drawn, official, time_machine):
    time_machine.move_to("2026-10-15 18:00 +08:00")  # the last day is still in time
    late = late_technical(drawn)
    with pytest.raises(ApplicationStateError, match="尚未届满"):
        review_replace_overdue(review=late, by=official, reason=REASON)
    _unchanged(drawn, late)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_reason_is_required(drawn, official, reason):
    late = late_technical(drawn)
    with pytest.raises(InvalidInput) as error:
        review_replace_overdue(review=late, by=official, reason=reason)
    assert "reason" in error.value.errors
    _unchanged(drawn, late)


def test_only_the_applications_district(drawn, other_official, expert_user):
    late = late_technical(drawn)
    for person in (other_official, expert_user, late.expert.user):
        with pytest.raises(PermissionDenied):
            review_replace_overdue(review=late, by=person, reason=REASON)
    _unchanged(drawn, late)


def test_no_alternate_left_is_409_and_the_expert_stays(drawn, official):
    Draw.objects.filter(pk=drawn.pk).update(alternates=[])
    late = late_technical(drawn)
    with pytest.raises(ApplicationStateError, match="候补专家已用完"):
        review_replace_overdue(review=late, by=official, reason=REASON)
    _unchanged(drawn, late)


def test_a_submitted_score_is_not_replaced(drawn, official):
    from experts.services.reviews import review_submit

    late = late_technical(drawn)
    review_submit(
        review=late, by=late.expert.user, scores={"ip": "0", "conversion": "0", "rd_management": "0"}
    )
    with pytest.raises(ApplicationStateError):
        review_replace_overdue(review=late, by=official, reason=REASON)
    late.refresh_from_db()
    assert late.status == ReviewStatus.SUBMITTED


def test_a_meeting_draw_uses_the_absence_instead(official, time_machine):
    time_machine.move_to(DRAW_DAY)
    pool(6, 2)
    draw = draw_experts(
        application=accepted_application(),
        by=official,
        mode="meeting",
        meeting_date=dt.date(2026, 10, 9),
        meeting_place="滨海新区科技局",
    )
    time_machine.move_to(OVERDUE_DAY)
    late = late_technical(draw)
    with pytest.raises(ApplicationStateError, match="未到会"):
        review_replace_overdue(review=late, by=official, reason=REASON)
    _unchanged(draw, late)


# --- The API --------------------------------------------------------------------------------------------


def test_api_replace(client, drawn, official, other_official, municipal_user):
    late = late_technical(drawn)
    url = f"/api/v1/reviews/{late.pk}/replace/"

    def post(user, body):  # type: ignore[no-untyped-def]
        return api(client, user).post(url, body, content_type="application/json")

    assert post(late.expert.user, {"reason": REASON}).status_code == 403
    assert post(municipal_user, {"reason": REASON}).status_code == 403
    assert post(other_official, {"reason": REASON}).status_code == 404
    blank = post(official, {"reason": ""})
    assert blank.status_code == 400 and "reason" in blank.json()
    assert post(official, {"reason": "x" * 301}).status_code == 400
    _unchanged(drawn, late)
    answer = post(official, {"reason": REASON})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["replaced"]["id"] == late.pk and body["replaced"]["status"] == "declined"
    assert body["replaced"]["declined_reason"] == REASON
    assert (
        body["replacement"]["status"] == "assigned"
        and body["replacement"]["id"] == body["replaced"]["replaced_by"]
    )


def test_api_replace_twice_is_409(client, drawn, official):
    late = late_technical(drawn)
    url = f"/api/v1/reviews/{late.pk}/replace/"
    assert (
        api(client, official).post(url, {"reason": REASON}, content_type="application/json").status_code
        == 200
    )
    again = api(client, official).post(url, {"reason": REASON}, content_type="application/json")
    assert again.status_code == 409 and again.json()["status"] == "declined"


def test_api_not_overdue_is_409(client, drawn, official, time_machine):
    time_machine.move_to("2026-10-14 10:00 +08:00")
    late = late_technical(drawn)
    answer = api(client, official).post(
        f"/api/v1/reviews/{late.pk}/replace/", {"reason": REASON}, content_type="application/json"
    )
    assert answer.status_code == 409 and "尚未届满" in answer.json()["detail"]


# --- The page and the draw record -------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_page_replaces_with_confirmation_and_the_record_shows_it(client, drawn, official):
    late = late_technical(drawn)
    client.force_login(official)
    detail = f"/district/applications/{drawn.application_id}/"
    page = client.get(detail).content.decode()
    assert f'data-testid="replace-{late.pk}"' in page  # every unscored review is overdue here
    url = f"/district/applications/{drawn.application_id}/reviews/{late.pk}/replace/"
    form = client.get(url)
    assert form.status_code == 200 and late.expert.name in form.content.decode()
    unconfirmed = client.post(url, {"reason": REASON})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    blank = client.post(url, {"reason": "", "confirm": "1"})
    assert blank.status_code == 400 and "请填写更换理由" in blank.content.decode()
    _unchanged(drawn, late)
    done = client.post(url, {"reason": REASON, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == detail
    late.refresh_from_db()
    replacement = late.replaced_by
    page = client.get(detail).content.decode()
    assert 'data-testid="replacements"' in page
    assert REASON in page and "逾期未评分，区县更换" in page and replacement.expert.name in page
    assert f'data-testid="replace-{late.pk}"' not in page
    pdf = api(client, official).get(f"/api/v1/draws/{drawn.pk}/pdf/")
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    text = "".join(text.split())  # table cells wrap
    assert "专家更换记录" in text and REASON in text and replacement.expert.name in text
    assert "逾期未评分，区县更换" in text


def test_no_replace_link_before_the_due_date(client, drawn, official, time_machine):
    time_machine.move_to("2026-10-15 10:00 +08:00")
    client.force_login(official)
    page = client.get(f"/district/applications/{drawn.application_id}/").content.decode()
    assert 'data-testid="replace-' not in page


def test_another_district_gets_404_on_the_page(client, drawn, other_official):
    late = late_technical(drawn)
    client.force_login(other_official)
    url = f"/district/applications/{drawn.application_id}/reviews/{late.pk}/replace/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON, "confirm": "1"}).status_code == 404
    _unchanged(drawn, late)


# --- Reopening a score: the in-app notice too ------------------------------------------------------------


def test_a_reopened_score_tells_the_expert_in_the_app(official):
    from experts.services.reviews import review_reopen, review_submit
    from tests.experts.test_reviews_api import FIN_IN_BAND, TECH_IN_BAND, make_application, make_panel
    from tests.factories import ExpertFactory

    application = make_application()
    chair_user = ExpertFactory().user
    panel = make_panel(application, official, chair_user)
    for review in [*panel["technical"], panel["financial"]]:
        scores = FIN_IN_BAND if review.kind == "financial" else TECH_IN_BAND
        review_submit(review=review, by=review.expert.user, scores=scores)
    review_reopen(review=panel["chair"], by=official, reason="专利证书核对有误")
    notice = Notification.objects.get(user=chair_user, kind="review_reopened")
    assert "专利证书核对有误" in notice.body and application.enterprise.name in notice.subject
    assert notice.url == f"/expert/reviews/{panel['chair'].pk}/"
    assert notice.channel == "email"  # the email goes out with the notice (notifications.deliver)
