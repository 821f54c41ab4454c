"""#19, point 3, in Chromium: the enterprise is told at every stage and sees where its application is.

The district, the office and the enterprise act through the services the pages call (so each status
change sends its row's notices); the enterprise reads, in its browser, the progress stepper (办件进度)
of its application page mid-way (in publicity: the stages done with their dates, the current one with
its legal time limits) and at the end, and its in-app inbox: return, acceptance, publicity, approval and
certificate notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audits.services import filing_decide
from certification import workflow
from certification.applications import services as application_services
from certification.certificates.services import certificate_issue
from certification.models import Application, ApplicationTransition, PublicityNotice
from certification.publicity.services import publicity_publish
from districts import services as district_services
from tests.browser.test_review_flow import login, submitted_application
from tests.factories import UserFactory, district, reach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def stage_dates(application: Application) -> dict[str, str]:
    """Status → the Beijing date it was (last) entered, from the transition records."""
    rows = ApplicationTransition.objects.filter(application=application).order_by("at", "id")
    return {t.to_status: timezone.localdate(t.at).isoformat() for t in rows}


def test_enterprise_inbox_and_progress_stepper(page, artifacts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    application = submitted_application(tmp_path)  # its user is "flow_company"
    enterprise_user = User.objects.get(username="flow_company")
    official = UserFactory(role="district", district=district("120116"), username="progress_official")
    office = UserFactory(municipal=True, username="progress_office")
    base = page.base_url

    district_services.application_return(
        application=application, by=official, reasons=["专项审计报告缺少 2023 年度明细"]
    )
    application_services.application_submit(
        application=Application.objects.get(pk=application.pk), by=enterprise_user, acknowledge_failures=True
    )
    district_services.application_accept(application=Application.objects.get(pk=application.pk), by=official)
    reach(Application.objects.get(pk=application.pk), workflow.to_status("recommend"), by=official)
    publicity_publish(by=official, application_ids=[application.pk], start=timezone.localdate())
    application.refresh_from_db()
    notice = PublicityNotice.objects.get()

    # Mid-way: in publicity. The stepper shows the stages of the table in order, the done ones with
    # their dates, the current one with the 10 working days and the 40-day limit.
    login(page, "flow_company")
    page.goto(base + reverse("certification:application_detail", args=[application.pk]))
    stepper = page.get_by_test_id("progress")
    page.screenshot(path=str(artifacts / "19-3-progress-publicity.png"), full_page=True)
    steps = stepper.locator("[data-step]")
    labels = [s.get_attribute("data-step") for s in steps.all()]
    main = [
        workflow.to_status("create"),
        *(t.target for t in workflow.path(workflow.to_status("create"), "certified")),
    ]
    assert labels == main
    states = {s.get_attribute("data-step"): s.get_attribute("data-state") for s in steps.all()}
    assert states["in_publicity"] == "current"
    assert all(states[s] == "done" for s in main[: main.index("in_publicity")])
    assert all(states[s] == "todo" for s in main[main.index("in_publicity") + 1 :])
    dates = stage_dates(application)
    for status in ("submitted", "accepted", "in_publicity"):
        assert dates[status] in stepper.locator(f'[data-step="{status}"]').inner_text()
    current = stepper.locator('[data-step="in_publicity"]').inner_text()
    assert f"{notice.start.isoformat()} 至 {notice.end.isoformat()}" in current and "10 个工作日" in current
    assert application.review_deadline.isoformat() in current and "40 日" in current
    assert application.review_deadline == dt.date.fromisoformat(dates["accepted"]) + dt.timedelta(days=40)

    # The rest of the way: publicity passed, filed, approved, certified.
    reach(Application.objects.get(pk=application.pk), workflow.to_status("publicity_pass"), by=official)
    filing = district_services.filing_create(by=official, application_ids=[application.pk])
    filing_decide(filing=filing, by=office, decisions=[{"application": application.pk, "approved": True}])
    (certificate,) = certificate_issue(by=official, application_ids=[application.pk])

    page.goto(base + reverse("certification:application_detail", args=[application.pk]))
    stepper = page.get_by_test_id("progress")
    states = {
        s.get_attribute("data-step"): s.get_attribute("data-state")
        for s in stepper.locator("[data-step]").all()
    }
    assert all(states[s] == "done" for s in main)  # certified: every stage done
    assert certificate.number in stepper.locator('[data-step="certified"]').inner_text()
    page.screenshot(path=str(artifacts / "19-3-after.png"), full_page=True)

    page.get_by_test_id("inbox").click()
    page.wait_for_url("**/notifications/")
    inbox = page.get_by_test_id("notifications").inner_text()
    page.screenshot(path=str(artifacts / "19-3-inbox.png"), full_page=True)
    name = application.enterprise.name
    for subject in (
        f"{name} 2026 年度认定申请被退回补正",
        f"{name} 2026 年度认定申请已受理",
        f"{name} 2026 年度认定申请进入公示",
        f"{name} 2026 年度认定申请审核通过",
        f"{name} 已获市级高新技术企业证书",
    ):
        assert subject in inbox, subject
    assert "专项审计报告缺少 2023 年度明细" in inbox and certificate.number in inbox
    page.goto("about:blank")
