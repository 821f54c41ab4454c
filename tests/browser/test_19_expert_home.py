"""#19, point 2, in Chromium: an expert drawn onto a panel finds the task where they look first: the home
page lists the assigned reviews with their due dates, the header links the full list, and the in-app
inbox has the assignment (not only the email)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from experts.models import Pledge, Review
from experts.services.meetings import draw_and_notify
from tests.browser.test_review_flow import login
from tests.experts.draw_factories import accepted_application, pool
from tests.factories import EnterpriseFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENTERPRISE_NAME = "天津专家任务科技有限公司"


def test_expert_sees_assigned_reviews_on_home_header_and_inbox(page, artifacts, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    official = UserFactory(role="district", district=district("120116"), username="home_official")
    technical, financial = pool(6, 3)
    for expert in (*technical, *financial):
        Pledge.objects.create(expert=expert, year=timezone.localdate().year)
    application = accepted_application(
        enterprise=EnterpriseFactory(name=ENTERPRISE_NAME, district=district("120116"))
    )
    draw = draw_and_notify(application=application, by=official)
    review = Review.objects.filter(draw=draw, chair=True).select_related("expert__user").get()
    base = page.base_url

    login(page, review.expert.user.username)
    page.goto(base + reverse("experts:home"))
    page.screenshot(path=str(artifacts / "19-2-home.png"), full_page=True)
    tasks = page.get_by_test_id("home-reviews")
    text = tasks.inner_text()
    assert "目前没有分配给您的评审任务" not in text
    assert ENTERPRISE_NAME in text and review.due_on.isoformat() in text
    assert "组长" in text

    # The header links the full list from every page.
    page.get_by_test_id("expert-reviews-link").click()
    page.wait_for_url("**/expert/reviews/")
    assert ENTERPRISE_NAME in page.get_by_test_id("review-list").inner_text()

    # The in-app inbox has the assignment, with the due date and a link to the review.
    assert page.get_by_test_id("inbox-unread").inner_text().strip() == "1"
    page.get_by_test_id("inbox").click()
    page.wait_for_url("**/notifications/")
    notice = page.get_by_test_id("notification").first
    assert "评审任务" in notice.inner_text() and ENTERPRISE_NAME in notice.inner_text()
    assert review.due_on.isoformat() in notice.inner_text()
    page.screenshot(path=str(artifacts / "19-2-after.png"), full_page=True)
    notice.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/expert/reviews/{review.pk}/")

    # Back on the home page, the task links to the review page.
    page.goto(base + reverse("experts:home"))
    page.get_by_test_id("home-reviews").get_by_role("link", name="查看材料并评分").click()
    page.wait_for_url(f"**/expert/reviews/{review.pk}/")
    page.goto("about:blank")
