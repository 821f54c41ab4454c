"""A district official runs an on-site review meeting in Chromium: prints the blank sheets, enters
five signed sheets with their scans, and reads the composite on the application page."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from experts.models import ExpertKind, Review, ReviewStatus
from experts.services.draws import draw_experts
from tests.experts.draw_factories import pool
from tests.experts.test_meeting import (
    EXPECTED_COMPOSITE,
    FINANCIAL_SCORES,
    MEETING_DAY,
    MEETING_PLACE,
    TECHNICAL_SCORES,
    pdf_bytes,
    scored_application,
)
from tests.factories import PASSWORD, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"meeting-{name}.png"), full_page=True)


def test_print_enter_five_sheets_and_see_the_result(page, artifacts, tmp_path, settings):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    official = UserFactory(
        role="district", district=district("120116"), username="meeting_official", full_name="滨海录入员"
    )
    pool(6, 3)
    application = scored_application()
    draw = draw_experts(
        application=application,
        by=official,
        mode="meeting",
        meeting_date=MEETING_DAY,
        meeting_place=MEETING_PLACE,
    )
    reviews = list(Review.objects.filter(draw=draw).select_related("expert").order_by("-chair", "pk"))
    technical = [r for r in reviews if r.kind == ExpertKind.TECHNICAL]
    financial = [r for r in reviews if r.kind == ExpertKind.FINANCIAL]
    entries = list(zip(technical, TECHNICAL_SCORES, strict=True)) + [(financial[0], FINANCIAL_SCORES)]

    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill("meeting_official")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/district/")

    page.goto(base + reverse("districts:application_detail", args=[application.pk]))
    assert MEETING_PLACE in page.locator("[data-testid=meeting-link]").inner_text()
    page.get_by_role("link", name="打印评分表、录入专家评分表").click()
    page.wait_for_url(f"**/applications/{application.pk}/meeting/")
    assert "已录入 0 / 5" in page.locator("[data-testid=meeting]").inner_text()
    shot(page, artifacts, "01-meeting")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="打印全部空白评分表（PDF）").click()
    target = artifacts / "meeting-blank-sheets.pdf"
    download_info.value.save_as(str(target))
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages) == 5
    assert all(
        r.expert.name in "".join(p.extract_text().split())
        for r, p in zip(reviews, reader.pages, strict=False)
    )

    scan = tmp_path / "signed-sheet.pdf"
    for n, (review, (scores, reasons)) in enumerate(entries, start=1):
        section = page.locator(f'section[data-review="{review.pk}"] form.sheet-entry')
        for code, value in scores.items():
            section.locator(f'[name="points_{code}"]').fill(value)
        for code, value in reasons.items():
            section.locator(f'[name="reason_{code}"]').fill(value)
        section.locator('[name="comment"]').fill("材料真实，同意通过。")
        scan.write_bytes(pdf_bytes(f"signed-{review.pk}"))
        section.locator('input[name="sheet"]').set_input_files(str(scan))
        assert section.locator('input[name="present"]').is_checked()
        section.locator('input[name="confirm"]').check()
        if n == 1:
            shot(page, artifacts, "02-entry-filled")
        section.get_by_role("button", name="录入评分表").click()
        page.wait_for_load_state()
        assert f"已录入 {review.expert.name} 的评分表" in page.locator(".messages").inner_text()
        assert f"已录入 {n} / 5" in page.locator("[data-testid=meeting]").inner_text()

    result = page.locator("[data-testid=meeting-result]").inner_text()
    assert str(EXPECTED_COMPOSITE) in result
    shot(page, artifacts, "03-all-entered")
    page.get_by_role("link", name="查看申请的评审结果").click()
    page.wait_for_url(f"**/applications/{application.pk}/")
    scores = page.locator("[data-testid=scores]").inner_text()
    assert f"综合评分：{EXPECTED_COMPOSITE}" in scores
    assert scores.count("评分表录入") == 5
    shot(page, artifacts, "04-result")
    page.goto("about:blank")  # no request of the page still open while the test database is dropped

    assert set(Review.objects.filter(draw=draw).values_list("status", flat=True)) == {ReviewStatus.SUBMITTED}
    assert set(Review.objects.filter(draw=draw).values_list("entered_by", flat=True)) == {official.pk}
    assert len([p for p in media.rglob("*") if p.is_file()]) == 5
