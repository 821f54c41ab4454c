"""On-site review meetings (现场评审会): sheet entry equals online scoring, the meeting's own rules
(presence, the scanned PDF, absent experts replaced, meeting draws only), who may enter or see
sheets, the audit trail, the blank sheets PDF and the panel's notification.

The application's data gives these computed bands (as in test_reviews_api.py): ip A (24.0–30.0:
one invention patent), conversion A (24.0–30.0: 12 conversions in 2023–2025), rd_management A
(16.0–20.0: all five items), growth B+D (8.0–11.8: assets 30% → B, sales 5% → D). The pool gives
the default panel: four technical experts (one chairs) and one financial expert.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from accounts.tasks import send_email
from certification.models import (
    Application,
    ApplicationStatus,
    RDManagementItem,
)
from core.errors import ApplicationStateError, InvalidInput
from experts.models import Draw, ExpertKind, Review, ReviewStatus, ScoreSource
from experts.review_result import panel_result
from experts.services.draws import DrawError, draw_experts
from experts.services.meetings import (
    ABSENT_REASON,
    ASSIGNMENT_KIND,
    draw_and_notify,
    mark_absent,
    notify_panel,
    sheet_enter,
)
from experts.services.reviews import review_amend, review_submit
from notifications.models import Channel, Notification
from tests.experts.draw_factories import accepted_application, pool
from tests.factories import add_review_data

pytestmark = pytest.mark.django_db

MEETING_DAY = dt.date(2026, 12, 8)
MEETING_PLACE = "滨海新区科技大厦 3 楼会议室"

# The same numbers go through both paths; one technical expert scores outside the band (with a
# reason) and the totals spread 80.0 − 50.0 = 30 > 20, so the spread flag is raised.
TECHNICAL_SCORES = [
    ({"ip": "30", "conversion": "30", "rd_management": "20"}, {}),
    ({"ip": "27.5", "conversion": "26", "rd_management": "18"}, {}),
    ({"ip": "24", "conversion": "24", "rd_management": "16"}, {}),
    ({"ip": "10", "conversion": "24", "rd_management": "16"}, {"ip": "知识产权与主要产品关联度低"}),
]
FINANCIAL_SCORES = ({"growth": "9.5"}, {})
EXPECTED_COMPOSITE = Decimal("75.88")  # (80 + 71.5 + 64 + 50) / 4 + 9.5 = 75.875 → 75.88


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Every expert is a user; the default PBKDF2 hashing would make each pool cost seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def outbox(monkeypatch):
    """What send_email would have sent (the task is queued on commit; here it is recorded)."""
    sent: list[dict] = []
    monkeypatch.setattr(send_email, "delay", lambda **kwargs: sent.append(kwargs))
    return sent


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def pdf_bytes(marker: str = "") -> bytes:
    """A tiny PDF that passes the upload checks; ``marker`` makes its SHA-256 unique."""
    return b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sheet(marker: str = "sheet") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{marker}.pdf", pdf_bytes(marker), content_type="application/pdf")


PNG_AS_PDF = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def scored_application() -> Application:
    application = accepted_application(rd_management=list(RDManagementItem.values))
    add_review_data(application)
    return application


def meeting_draw(official, application: Application | None = None) -> Draw:
    return draw_experts(
        application=application or scored_application(),
        by=official,
        mode="meeting",
        meeting_date=MEETING_DAY,
        meeting_place=MEETING_PLACE,
    )


@pytest.fixture
def experts(db):
    return pool(7, 3)


@pytest.fixture
def draw(official, experts) -> Draw:
    return meeting_draw(official)


def panel(draw: Draw) -> tuple[list[Review], Review]:
    """(technical reviews, chair first; the financial review) of the draw's active panel."""
    reviews = list(
        Review.objects.filter(draw=draw).exclude(status=ReviewStatus.DECLINED).order_by("-chair", "pk")
    )
    technical = [r for r in reviews if r.kind == ExpertKind.TECHNICAL]
    financial = [r for r in reviews if r.kind == ExpertKind.FINANCIAL]
    assert len(technical) == 4 and len(financial) == 1, "the default panel: 4 technical + 1 financial"
    return technical, financial[0]


def enter_all(draw: Draw, official) -> None:
    technical, financial = panel(draw)
    for review, (scores, reasons) in zip(technical, TECHNICAL_SCORES, strict=True):
        sheet_enter(
            review=review,
            by=official,
            scores=scores,
            reasons=reasons,
            comment="同意",
            present=True,
            sheet_file=sheet(f"r{review.pk}"),
        )
    scores, reasons = FINANCIAL_SCORES
    sheet_enter(
        review=financial,
        by=official,
        scores=scores,
        reasons=reasons,
        comment="",
        present=True,
        sheet_file=sheet(f"r{financial.pk}"),
    )


# --- Sheets equal online scoring ---------------------------------------------------------------------


def test_five_sheets_give_the_result_of_online_scoring_for_the_same_numbers(official, draw, media):
    online_app = scored_application()  # the twin: the same data, drawn for online scoring
    online_draw = draw_experts(application=online_app, by=official)
    technical, financial = panel(online_draw)
    for review, (scores, reasons) in zip(technical, TECHNICAL_SCORES, strict=True):
        review_submit(review=review, by=review.expert.user, scores=scores, reasons=reasons)
    review_submit(review=financial, by=financial.expert.user, scores=FINANCIAL_SCORES[0])

    enter_all(draw, official)

    sheet_app = Application.objects.get(pk=draw.application_id)
    online_app.refresh_from_db()
    assert sheet_app.status == online_app.status == ApplicationStatus.REVIEWED
    assert sheet_app.composite_score == online_app.composite_score == EXPECTED_COMPOSITE
    assert sheet_app.review_passed is online_app.review_passed is True
    assert sheet_app.score_spread_flag is online_app.score_spread_flag is True

    result = panel_result(sheet_app)
    online_result = panel_result(online_app)
    assert result["composite"] == online_result["composite"] == EXPECTED_COMPOSITE
    assert result["averages"] == online_result["averages"]
    assert {r["source"] for r in result["experts"]} == {ScoreSource.SHEET}
    assert {r["source_label"] for r in result["experts"]} == {"评分表录入"}
    assert {r["entered_by"] for r in result["experts"]} == {official.display_name}
    assert {r["source"] for r in online_result["experts"]} == {ScoreSource.ONLINE}

    for review in Review.objects.filter(draw=draw):
        assert review.status == ReviewStatus.SUBMITTED and review.present is True
        assert review.entered_by == official and review.sheet.name.startswith(f"sheets/{sheet_app.pk}/")
        assert len(review.sheet_sha256) == 64
    assert len(stored_files(media)) == 5
    # The out-of-band reason is kept exactly as online.
    out = Review.objects.get(draw=draw, ip=Decimal("10"))
    assert out.out_of_band_reasons == {"ip": "知识产权与主要产品关联度低"}


def test_each_entry_records_the_official_in_the_history_and_the_expert_on_the_row(official, draw):
    enter_all(draw, official)
    for review in Review.objects.filter(draw=draw).select_related("expert"):
        entry = review.history.filter(status=ReviewStatus.SUBMITTED).order_by("history_date").first()
        assert entry is not None
        assert entry.history_user_id == official.pk  # who entered it
        assert entry.expert_id == review.expert_id  # on whose behalf
        assert entry.entered_by_id == official.pk and entry.source == ScoreSource.SHEET
        assert entry.sheet == review.sheet.name and entry.sheet_sha256 == review.sheet_sha256
        assert entry.present is True
        # One history row for the entry: the scores, the sheet and the presence together.
        assert review.history.count() == 2  # created by the draw, then the entry


def test_a_sheet_entered_score_is_locked_and_amended_with_a_reason(official, draw):
    enter_all(draw, official)
    technical, _financial = panel(draw)
    with pytest.raises(ApplicationStateError):
        sheet_enter(
            review=technical[0],
            by=official,
            scores=TECHNICAL_SCORES[0][0],
            present=True,
            sheet_file=sheet("again"),
        )
    amendment = review_amend(
        review=technical[0], by=official, indicator="ip", points="28", reason="录入时看错了评分表"
    )
    assert amendment.by == official and amendment.old_points == Decimal("30.0")
    application = Application.objects.get(pk=draw.application_id)
    assert application.composite_score == Decimal("75.38")  # (78 + 71.5 + 64 + 50) / 4 + 9.5


# --- What is refused, with nothing stored -------------------------------------------------------------


def test_points_outside_the_band_without_a_reason_are_refused_and_nothing_is_stored(official, draw, media):
    technical, _financial = panel(draw)
    review = technical[0]
    with pytest.raises(InvalidInput) as info:
        sheet_enter(
            review=review,
            by=official,
            scores={"ip": "10", "conversion": "24", "rd_management": "16"},
            reasons={},
            present=True,
            sheet_file=sheet(),
        )
    assert "须填写理由" in info.value.errors["scores.ip"][0]
    assert stored_files(media) == []
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED and review.ip is None
    assert review.sheet.name == "" and review.sheet_sha256 == "" and review.present is None
    assert review.history.count() == 1


def test_a_png_renamed_pdf_is_refused(official, draw, media):
    technical, _financial = panel(draw)
    fake = SimpleUploadedFile("评分表.pdf", PNG_AS_PDF, content_type="application/pdf")
    with pytest.raises(InvalidInput) as info:
        sheet_enter(
            review=technical[0],
            by=official,
            scores=TECHNICAL_SCORES[0][0],
            present=True,
            sheet_file=fake,
        )
    assert "只接受 PDF 文件" in info.value.errors["sheet"][0]
    assert stored_files(media) == []
    technical[0].refresh_from_db()
    assert technical[0].status == ReviewStatus.ASSIGNED
    assert not Application.objects.get(pk=draw.application_id).composite_score


def test_a_missing_sheet_and_bad_points_are_told_at_once(official, draw):
    technical, _financial = panel(draw)
    with pytest.raises(InvalidInput) as info:
        sheet_enter(
            review=technical[0],
            by=official,
            scores={"ip": "10", "conversion": "24"},
            present=False,
            sheet_file=None,
        )
    assert {"scores.ip", "scores.rd_management", "sheet", "present"} <= set(info.value.errors)


def test_the_last_sheet_refused_leaves_the_panel_incomplete(official, draw, media):
    technical, financial = panel(draw)
    for review, (scores, reasons) in zip(technical, TECHNICAL_SCORES, strict=True):
        sheet_enter(
            review=review, by=official, scores=scores, reasons=reasons, present=True, sheet_file=sheet()
        )
    with pytest.raises(InvalidInput):
        sheet_enter(
            review=financial,
            by=official,
            scores=FINANCIAL_SCORES[0],
            present=True,
            sheet_file=SimpleUploadedFile("x.pdf", PNG_AS_PDF),
        )
    application = Application.objects.get(pk=draw.application_id)
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.composite_score is None
    assert len(stored_files(media)) == 4


# --- Absent experts ----------------------------------------------------------------------------------


def test_an_absent_expert_is_replaced_from_the_alternates_before_entry(
    official, draw, outbox, django_capture_on_commit_callbacks
):
    technical, financial = panel(draw)
    absent = technical[1]
    with pytest.raises(InvalidInput) as info:
        sheet_enter(
            review=absent,
            by=official,
            scores=TECHNICAL_SCORES[1][0],
            present=False,
            sheet_file=sheet(),
        )
    assert "标记未到会" in info.value.errors["present"][0]

    with django_capture_on_commit_callbacks(execute=True):
        replacement = mark_absent(review=absent, by=official)

    assert replacement is not None and replacement.kind == ExpertKind.TECHNICAL
    assert replacement.expert_id == draw.alternates[0]["expert_id"]
    absent.refresh_from_db()
    assert absent.status == ReviewStatus.DECLINED and absent.present is False
    assert absent.declined_reason == ABSENT_REASON and absent.replaced_by_id == replacement.pk
    # The absence is recorded by the official (the declining itself is replace_from_alternates').
    marked = absent.history.filter(present=False).order_by("history_date").first()
    assert marked.history_user_id == official.pk and marked.status == ReviewStatus.ASSIGNED
    # The replacement is told the meeting's date and place (inbox and email), and nobody else is.
    notices = assignment_notices(draw)
    assert list(notices) == [replacement.pk] and outbox == []
    assert MEETING_PLACE in notices[replacement.pk].body and "2026-12-08" in notices[replacement.pk].body
    assert notices[replacement.pk].user_id == replacement.expert.user_id

    # Entering for the absent expert is refused; the replacement's sheet completes the panel.
    with pytest.raises(ApplicationStateError):
        sheet_enter(
            review=absent, by=official, scores=TECHNICAL_SCORES[1][0], present=True, sheet_file=sheet()
        )
    technical, financial = panel(draw)
    assert replacement.pk in {r.pk for r in technical}
    enter_all(draw, official)
    assert Application.objects.get(pk=draw.application_id).composite_score == EXPECTED_COMPOSITE


def test_an_expert_whose_sheet_is_in_cannot_be_marked_absent(official, draw):
    technical, _financial = panel(draw)
    scores, reasons = TECHNICAL_SCORES[0]
    sheet_enter(
        review=technical[0], by=official, scores=scores, reasons=reasons, present=True, sheet_file=sheet()
    )
    with pytest.raises(ApplicationStateError):
        mark_absent(review=technical[0], by=official)


# --- Only meeting draws, only the district's official ------------------------------------------------


def test_an_online_draw_refuses_sheet_entry_and_absence(official, experts, media):
    online = draw_experts(application=scored_application(), by=official)
    technical, _financial = panel(online)
    with pytest.raises(ApplicationStateError):
        sheet_enter(
            review=technical[0], by=official, scores=TECHNICAL_SCORES[0][0], present=True, sheet_file=sheet()
        )
    with pytest.raises(ApplicationStateError):
        mark_absent(review=technical[0], by=official)
    assert stored_files(media) == []
    technical[0].refresh_from_db()
    assert technical[0].status == ReviewStatus.ASSIGNED


@pytest.mark.parametrize("person", ["other_official", "expert", "municipal_user", "enterprise_user"])
def test_only_the_districts_official_may_enter_through_the_service(request, person, draw, media):
    technical, _financial = panel(draw)
    user = technical[0].expert.user if person == "expert" else request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        sheet_enter(
            review=technical[0], by=user, scores=TECHNICAL_SCORES[0][0], present=True, sheet_file=sheet()
        )
    with pytest.raises(PermissionDenied):
        mark_absent(review=technical[0], by=user)
    assert stored_files(media) == []


# --- The pages: who may open what --------------------------------------------------------------------


def urls(draw: Draw, review: Review) -> dict[str, str]:
    pk = draw.application_id
    return {
        "meeting": reverse("districts:meeting", args=[pk]),
        "sheets": reverse("districts:meeting_sheets_pdf", args=[pk]),
        "enter": reverse("districts:sheet_enter", args=[pk, review.pk]),
        "absent": reverse("districts:sheet_absent", args=[pk, review.pk]),
        "file": reverse("districts:sheet_file", args=[pk, review.pk]),
    }


def entry_form(review: Review, scores: dict, reasons: dict | None = None, *, upload=None, **extra) -> dict:
    form = {f"points_{k}": v for k, v in scores.items()}
    form.update({f"reason_{k}": v for k, v in (reasons or {}).items()})
    form.update(
        {"comment": "同意", "present": "1", "confirm": "1", "sheet": upload or sheet(f"v{review.pk}")}
    )
    form.update(extra)
    return form


@pytest.fixture
def entered(official, draw) -> tuple[Draw, Review]:
    """The draw with the chair's sheet entered."""
    technical, _financial = panel(draw)
    scores, reasons = TECHNICAL_SCORES[0]
    sheet_enter(
        review=technical[0], by=official, scores=scores, reasons=reasons, present=True, sheet_file=sheet()
    )
    return draw, technical[0]


def test_the_official_opens_the_meeting_page_with_the_panel_and_bands(client, official, draw):
    technical, financial = panel(draw)
    client.force_login(official)
    response = client.get(urls(draw, technical[0])["meeting"])
    assert response.status_code == 200
    html = response.content.decode()
    assert MEETING_PLACE in html and "2026-12-08" in html
    for review in [*technical, financial]:
        assert review.expert.name in html
        assert f'action="{urls(draw, review)["enter"]}"' in html
        assert f'action="{urls(draw, review)["absent"]}"' in html
    assert "建议档次 A：24.0–30.0 分" in html and "建议档次 B+D：8.0–11.8 分" in html
    assert reverse("districts:meeting_sheets_pdf", args=[draw.application_id]) in html


def test_the_application_page_links_the_meeting(client, official, draw):
    client.force_login(official)
    response = client.get(reverse("districts:application_detail", args=[draw.application_id]))
    assert response.status_code == 200
    assert reverse("districts:meeting", args=[draw.application_id]) in response.content.decode()


def test_the_online_applications_page_has_no_meeting_and_the_meeting_page_is_404(client, official, experts):
    online = draw_experts(application=scored_application(), by=official)
    client.force_login(official)
    page = client.get(reverse("districts:application_detail", args=[online.application_id]))
    assert reverse("districts:meeting", args=[online.application_id]) not in page.content.decode()
    assert client.get(reverse("districts:meeting", args=[online.application_id])).status_code == 404


def test_entry_through_the_page(client, official, draw, media):
    technical, _financial = panel(draw)
    review = technical[3]
    client.force_login(official)
    scores, reasons = TECHNICAL_SCORES[3]
    response = client.post(urls(draw, review)["enter"], entry_form(review, scores, reasons))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/meeting/#review-{review.pk}")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.source == ScoreSource.SHEET
    assert review.ip == Decimal("10") and review.out_of_band_reasons == {"ip": reasons["ip"]}
    page = client.get(urls(draw, review)["meeting"]).content.decode()
    assert "已录入 1 / 5" in page and "由 " in page


def test_the_page_shows_every_problem_and_keeps_what_was_typed(client, official, draw, media):
    technical, _financial = panel(draw)
    review = technical[0]
    client.force_login(official)
    form = entry_form(
        review,
        {"ip": "10", "conversion": "24", "rd_management": "16"},
        upload=SimpleUploadedFile("scan.pdf", PNG_AS_PDF),
    )
    response = client.post(urls(draw, review)["enter"], form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "须填写理由" in html and "只接受 PDF 文件" in html
    assert 'name="points_ip" value="10"' in html
    assert stored_files(media) == []

    unconfirmed = entry_form(review, TECHNICAL_SCORES[0][0])
    del unconfirmed["confirm"]
    assert client.post(urls(draw, review)["enter"], unconfirmed).status_code == 400
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED


def test_marking_absent_through_the_page_needs_the_confirmation(client, official, draw):
    technical, _financial = panel(draw)
    review = technical[2]
    client.force_login(official)
    client.post(urls(draw, review)["absent"], {})
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED
    response = client.post(urls(draw, review)["absent"], {"confirm": "1"}, follow=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DECLINED and review.present is False
    assert "未到会" in response.content.decode()


def test_the_blank_sheets_pdf_has_one_page_per_expert_with_names_and_bands(client, official, draw):
    technical, financial = panel(draw)
    client.force_login(official)
    response = client.get(urls(draw, technical[0])["sheets"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 5
    # Cells wrap their text: compare without the line breaks.
    texts = ["".join(page.extract_text().split()) for page in reader.pages]
    for review, text in zip([*technical, financial], texts, strict=True):
        assert review.expert.name in text
        assert "".join(MEETING_PLACE.split()) in text and "2026-12-08" in text
        if review.kind == ExpertKind.TECHNICAL:
            assert "24.0–30.0" in text and "16.0–20.0" in text and "8.0–11.8" not in text
            assert "核心自主知识产权" in text and "成长性" not in text
        else:
            assert "8.0–11.8" in text and "24.0–30.0" not in text
            assert "总资产增长率" in text

    one = client.get(urls(draw, financial)["sheets"] + f"?review={financial.pk}")
    assert one.status_code == 200
    single = PdfReader(io.BytesIO(one.content))
    assert len(single.pages) == 1 and financial.expert.name in single.pages[0].extract_text()


def test_the_scanned_sheet_downloads_for_the_district_and_the_office(
    client, official, municipal_user, entered
):
    draw, review = entered
    review.refresh_from_db()
    for user in (official, municipal_user):
        client.force_login(user)
        response = client.get(urls(draw, review)["file"])
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes("sheet")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


OUTSIDERS = ["other_official", "expert_on_panel", "other_expert_user", "enterprise", "other_enterprise_user"]


def person(request, name: str, draw: Draw, review: Review):  # type: ignore[no-untyped-def]
    if name == "expert_on_panel":
        return review.expert.user
    if name == "enterprise":
        from tests.factories import UserFactory

        application = Application.objects.get(pk=draw.application_id)
        return UserFactory(role="enterprise", enterprise=application.enterprise, username="meeting_ent")
    return request.getfixturevalue(name)


@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_get_404_on_every_meeting_page(request, client, name, entered, media):
    draw, review = entered
    _technical, financial = panel(draw)
    client.force_login(person(request, name, draw, review))
    pages = urls(draw, review)
    assert client.get(pages["meeting"]).status_code == 404
    assert client.get(pages["sheets"]).status_code == 404
    assert client.get(pages["file"]).status_code == 404
    other = urls(draw, financial)
    assert client.post(other["enter"], entry_form(financial, FINANCIAL_SCORES[0])).status_code == 404
    assert client.post(other["absent"], {"confirm": "1"}).status_code == 404
    financial.refresh_from_db()
    assert financial.status == ReviewStatus.ASSIGNED
    assert len(stored_files(media)) == 1


def test_the_office_may_see_the_sheet_but_not_enter(client, municipal_user, entered):
    draw, review = entered
    _technical, financial = panel(draw)
    client.force_login(municipal_user)
    other = urls(draw, financial)
    assert client.get(other["meeting"]).status_code == 404
    assert client.post(other["enter"], entry_form(financial, FINANCIAL_SCORES[0])).status_code == 404
    assert client.post(other["absent"], {"confirm": "1"}).status_code == 404
    assert client.get(urls(draw, review)["file"]).status_code == 200


def test_anonymous_visitors_go_to_the_login_page(client, entered):
    draw, review = entered
    for url in urls(draw, review).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = client.post(urls(draw, review)["absent"], {"confirm": "1"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Telling the panel -------------------------------------------------------------------------------


def assignment_notices(draw: Draw) -> dict[int, Notification]:
    """The assignment notice of each review of the draw, by review id."""
    notices = Notification.objects.filter(kind=ASSIGNMENT_KIND)
    return {n.context["review_id"]: n for n in notices if n.context.get("review_id")}


def test_a_meeting_draw_tells_each_expert_the_date_place_and_what_to_bring(
    official, experts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        draw = draw_and_notify(
            application=scored_application(),
            by=official,
            mode="meeting",
            meeting_date=MEETING_DAY,
            meeting_place=MEETING_PLACE,
        )
        # The inbox notices are written with the draw; no email leaves before the commit.
        assert not Notification.objects.filter(delivered_at__isnull=False).exists()
    assert callbacks
    reviews = list(Review.objects.filter(draw=draw).select_related("expert__user"))
    notices = assignment_notices(draw)
    assert sorted(notices) == sorted(r.pk for r in reviews)
    for review in reviews:
        notice = notices[review.pk]
        assert notice.user_id == review.expert.user_id and notice.channel == Channel.EMAIL
        assert "现场评审会" in notice.subject
        assert "2026-12-08" in notice.body and MEETING_PLACE in notice.body
        assert "身份证件" in notice.body
        # Blind panel: no expert's notice names another expert.
        assert not any(r.expert.name in notice.body for r in reviews if r.pk != review.pk)


def test_an_online_draw_tells_each_expert_the_link_and_due_date(
    official, experts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        draw = draw_and_notify(application=scored_application(), by=official)
    reviews = list(Review.objects.filter(draw=draw))
    notices = assignment_notices(draw)
    assert len(notices) == len(reviews) == 5
    for review in reviews:
        notice = notices[review.pk]
        link = reverse("experts:review_detail", args=[review.pk])
        assert notice.url == link and link in notice.body
        assert review.due_on.isoformat() in notice.body


def test_a_refused_draw_tells_nobody(official, django_capture_on_commit_callbacks):
    pool(2, 1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DrawError):
        draw_and_notify(application=scored_application(), by=official)
    assert not Notification.objects.filter(kind=ASSIGNMENT_KIND).exists()


def test_an_expert_without_an_email_is_told_in_the_inbox(official, draw, django_capture_on_commit_callbacks):
    technical, _financial = panel(draw)
    user = technical[0].expert.user
    user.email = ""
    user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False):
        assert notify_panel(draw) == 4  # four emails
    notices = assignment_notices(draw)
    assert len(notices) == 5
    assert notices[technical[0].pk].channel == Channel.INBOX


def test_a_long_name_and_place_still_give_one_page_per_expert(official, experts):
    application = scored_application()
    application.enterprise.name = "天津" + "超长名称科技" * 16 + "有限公司"  # 100 characters, the maximum
    application.enterprise.save(update_fields=["name"])
    draw = meeting_draw(official, application)
    Draw.objects.filter(pk=draw.pk).update(meeting_place="会议地点" * 50)  # 200 characters, the maximum
    draw.refresh_from_db()
    from experts.score_sheet import score_sheets_pdf

    reader = PdfReader(io.BytesIO(score_sheets_pdf(draw)))
    assert len(reader.pages) == 5
