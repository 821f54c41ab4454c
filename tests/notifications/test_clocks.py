"""Each clock fires at its moment and not a minute before, and once however often the sweep runs."""

from __future__ import annotations

import pytest

from certification.models import ApplicationStatus, ApplicationTransition, EntryOutcome
from notifications.models import Clock, Deadline, Notification
from notifications.sweep import sweep
from tests.factories import reach
from tests.notifications.conftest import (
    D,
    accepted_application,
    assigned_review,
    bj,
    issued_certificate,
    open_notice,
    open_objection,
    submitted_application,
    submitted_filing,
)
from workdays.models import CalendarYear

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("created_at", "pk").values_list("kind", flat=True)
    )


def done_steps() -> int:
    # The daily missing-report flag run is a deadline too; these tests count the others.
    return Deadline.objects.filter(outcome="done").exclude(kind=Clock.REPORT_FLAGS).count()


def fire_at(travel, moment: str) -> int:
    """Travel to a Beijing time, sweep, and say how many steps were performed."""
    travel(moment)
    before = done_steps()
    sweep()
    return done_steps() - before


# --- 40-day limit ---------------------------------------------------------------------------------


def test_review_limit_reminders_and_escalation(travel, official, municipal_user):
    travel("2026-03-01 10:00")
    application = accepted_application(D("2026-04-10"))
    assert fire_at(travel, "2026-03-31 08:59") == 0
    assert kinds(official) == []
    assert fire_at(travel, "2026-03-31 09:00") == 1  # 10 days before
    assert kinds(official) == ["review_limit_reminder"]
    note = Notification.objects.get(user=official)
    assert "10" in note.subject and application.enterprise.name in note.subject
    assert note.url == f"/district/applications/{application.pk}/"
    assert fire_at(travel, "2026-03-31 09:05") == 0  # the second sweep is a no-op
    assert fire_at(travel, "2026-04-07 08:59") == 0
    assert fire_at(travel, "2026-04-07 09:00") == 1  # 3 days before
    assert kinds(official) == ["review_limit_reminder", "review_limit_reminder"]
    assert fire_at(travel, "2026-04-10 23:59") == 0  # the limit day is still in time
    assert kinds(municipal_user) == []
    assert fire_at(travel, "2026-04-11 00:00") == 1
    assert kinds(municipal_user) == ["review_limit_passed"]
    assert kinds(official) == ["review_limit_reminder", "review_limit_reminder"]
    assert fire_at(travel, "2026-04-12 00:00") == 0


def test_review_limit_stops_once_filed(travel, official, municipal_user):
    travel("2026-03-01 10:00")
    application = accepted_application(D("2026-04-10"))
    assert fire_at(travel, "2026-03-31 09:00") == 1
    reach(application, ApplicationStatus.FILED)
    travel("2026-04-11 00:00")
    result = sweep()
    assert result.skipped == 2  # d3 and the escalation no longer apply
    assert kinds(municipal_user) == []


# --- Completeness check ---------------------------------------------------------------------------


def test_completeness_due_on_the_fifth_working_day(travel, official):
    # Submitted Friday 2026-11-20: the 5th working day after it is Friday 2026-11-27.
    travel("2026-11-20 15:00")
    submitted_application(bj("2026-11-20 15:00"))
    assert fire_at(travel, "2026-11-27 08:59") == 0
    assert fire_at(travel, "2026-11-27 09:00") == 1
    assert kinds(official) == ["completeness_due"]
    assert fire_at(travel, "2026-11-27 23:59") == 0
    assert fire_at(travel, "2026-11-28 00:00") == 1
    assert kinds(official) == ["completeness_due", "completeness_overdue"]


def test_completeness_skips_holidays(travel, official):
    # Submitted Monday 2026-09-28: 29, 30 September, then the National Day holiday (1–7 October),
    # 8, 9 October and the make-up working day Saturday 10 October → due 10 October.
    travel("2026-09-28 10:00")
    submitted_application(bj("2026-09-28 10:00"))
    assert fire_at(travel, "2026-10-09 09:00") == 0
    assert fire_at(travel, "2026-10-10 08:59") == 0
    assert fire_at(travel, "2026-10-10 09:00") == 1
    assert kinds(official) == ["completeness_due"]


def test_completeness_restarts_on_resubmission(travel, official):
    travel("2026-11-02 10:00")
    application = submitted_application(bj("2026-11-02 10:00"))  # Monday → due Monday 9 November
    sweep()
    reach(application, ApplicationStatus.RETURNED)
    travel("2026-11-04 10:00")
    reach(application, ApplicationStatus.SUBMITTED)
    application.submitted_at = bj("2026-11-04 10:00")  # what the submit service stamps
    application.save(update_fields=["submitted_at"])
    assert fire_at(travel, "2026-11-09 09:00") == 0  # the first submission's clock is cancelled
    assert fire_at(travel, "2026-11-11 09:00") == 1  # Wednesday 4th + 5 working days
    steps = set(Deadline.objects.filter(kind=Clock.COMPLETENESS).values_list("step", "outcome"))
    assert ("last_day@2026-11-02", "cancelled") in steps
    assert ("last_day@2026-11-04", "done") in steps


# --- Experts --------------------------------------------------------------------------------------


def test_expert_reminded_two_working_days_before_and_district_when_passed(travel, official, other_official):
    travel("2026-11-16 10:00")
    review = assigned_review(D("2026-11-30"))  # a Monday: reminded Thursday 26 November
    expert_user = review.expert.user
    assert fire_at(travel, "2026-11-26 08:59") == 0
    assert fire_at(travel, "2026-11-26 09:00") == 1
    assert kinds(expert_user) == ["expert_deadline_reminder"]
    assert Notification.objects.get(user=expert_user).url == f"/expert/reviews/{review.pk}/"
    assert kinds(official) == []
    assert fire_at(travel, "2026-11-30 23:59") == 0
    assert fire_at(travel, "2026-12-01 00:00") == 1
    assert kinds(official) == ["expert_deadline_passed"]
    assert kinds(other_official) == []
    assert kinds(expert_user) == ["expert_deadline_reminder"]


def test_no_reminder_after_the_expert_submitted(travel, official):
    travel("2026-11-16 10:00")
    review = assigned_review(D("2026-11-30"))
    sweep()
    review.status = "submitted"
    review.save()
    assert fire_at(travel, "2026-12-01 00:00") == 0
    assert Notification.objects.count() == 0


# --- Publicity ------------------------------------------------------------------------------------


def test_publicity_closes_the_day_after_its_end(travel, official):
    travel("2026-11-02 09:00")
    notice = open_notice(official, start=D("2026-11-02"), end=D("2026-11-13"))
    assert fire_at(travel, "2026-11-13 23:59") == 0
    notice.refresh_from_db()
    assert notice.status == "open"
    assert fire_at(travel, "2026-11-14 00:00") == 1
    notice.refresh_from_db()
    assert notice.status == "closed" and notice.closed_by is None
    assert set(notice.entries.values_list("outcome", flat=True)) == {EntryOutcome.PASSED}
    assert ApplicationTransition.objects.filter(to_status="publicity_passed").count() == 2
    assert kinds(official) == ["publicity_closed"]
    assert fire_at(travel, "2026-11-14 00:01") == 0
    assert ApplicationTransition.objects.filter(to_status="publicity_passed").count() == 2


def test_publicity_closed_by_hand_is_skipped(travel, official):
    from certification.publicity.services import notice_close

    travel("2026-11-02 09:00")
    notice = open_notice(official, start=D("2026-11-02"), end=D("2026-11-13"))
    sweep()
    travel("2026-11-16 09:00")
    notice_close(notice=notice, by=official)
    assert fire_at(travel, "2026-11-16 09:01") == 0
    assert (
        Deadline.objects.get(kind=Clock.PUBLICITY_END, outcome__in=["skipped", "done"]).outcome == "skipped"
    )
    assert kinds(official) == []


def test_a_moved_end_moves_the_close(travel, official):
    travel("2026-11-02 09:00")
    notice = open_notice(official, start=D("2026-11-02"), end=D("2026-11-13"))
    sweep()
    notice.end = D("2026-11-16")  # e.g. the office entered a calendar that moved it
    notice.save()
    assert fire_at(travel, "2026-11-14 00:00") == 0
    notice.refresh_from_db()
    assert notice.status == "open"
    assert fire_at(travel, "2026-11-17 00:00") == 1


# --- Objections and filings -----------------------------------------------------------------------


def test_objection_reminder_five_working_days_after_filing(travel, official, other_official):
    travel("2026-11-02 09:00")
    notice = open_notice(official, start=D("2026-11-02"), end=D("2026-11-13"))
    travel("2026-11-03 11:00")  # Tuesday: 4, 5, 6, 9, 10 November → reminded Tuesday 10th
    objection = open_objection(notice)
    assert fire_at(travel, "2026-11-10 08:59") == 0
    assert fire_at(travel, "2026-11-10 09:00") == 1
    assert kinds(official) == ["objection_finding_reminder"]
    assert objection.tracking_number in Notification.objects.get(user=official).subject
    assert kinds(other_official) == []


def test_objection_decided_in_time_is_not_reminded(travel, official):
    travel("2026-11-02 09:00")
    notice = open_notice(official, start=D("2026-11-02"), end=D("2026-11-13"))
    travel("2026-11-03 11:00")
    objection = open_objection(notice)
    sweep()
    objection.status = "dismissed"
    objection.save()
    assert fire_at(travel, "2026-11-10 09:00") == 0


def test_filing_waiting_ten_working_days_reminds_the_office(
    travel, official, municipal_user, other_municipal
):
    travel("2026-11-02 16:00")  # Monday; 10 working days after it end Monday 16 November
    submitted_filing(official)
    assert fire_at(travel, "2026-11-16 23:59") == 0
    assert fire_at(travel, "2026-11-17 00:00") == 1
    assert kinds(municipal_user) == ["filing_waiting"]
    assert kinds(other_municipal) == ["filing_waiting"]
    assert kinds(official) == []


# --- Certificates and monitoring ------------------------------------------------------------------


def test_certificate_expiry_90_and_30_days_before(travel, official, enterprise_user, other_enterprise_user):
    travel("2026-12-01 10:00")
    certificate = issued_certificate(
        official, issued_on=D("2026-12-01"), enterprise=enterprise_user.enterprise
    )
    assert certificate.valid_until == D("2029-11-30")
    assert fire_at(travel, "2029-09-01 08:59") == 0
    assert fire_at(travel, "2029-09-01 09:00") == 1  # 90 days before 30 November
    assert fire_at(travel, "2029-10-31 08:59") == 0
    assert fire_at(travel, "2029-10-31 09:00") == 1
    # The monitoring reminders of 2027–2029 came due unswept meanwhile: dropped as past, not sent late.
    assert kinds(enterprise_user) == ["certificate_expiry", "certificate_expiry"]
    assert kinds(other_enterprise_user) == []


def test_monitoring_report_30_and_7_days_before(travel, official, enterprise_user):
    travel("2026-12-01 10:00")
    issued_certificate(official, issued_on=D("2026-12-01"), enterprise=enterprise_user.enterprise)
    assert fire_at(travel, "2027-07-01 08:59") == 0
    assert fire_at(travel, "2027-07-01 09:00") == 1  # 2027H1 due 31 July
    note = Notification.objects.get(user=enterprise_user)
    assert note.kind == "monitoring_report_due" and "2027-07-31" in note.subject
    assert fire_at(travel, "2027-07-24 09:00") == 1
    assert fire_at(travel, "2028-01-01 09:00") == 1  # the 2027 annual report, due 31 January
    assert fire_at(travel, "2028-01-24 09:00") == 1


def test_a_filed_report_is_not_reminded(travel, official, enterprise_user):
    from certification.lifecycle import services as lifecycle

    travel("2026-12-01 10:00")
    certificate = issued_certificate(
        official, issued_on=D("2026-12-01"), enterprise=enterprise_user.enterprise
    )
    assert fire_at(travel, "2027-07-01 09:00") == 1
    lifecycle.monitoring_report_file(
        certificate=certificate,
        by=enterprise_user,
        kind="half_year",
        period="2027H1",
        data={"revenue": "100.00", "rd_expense": "10.00", "staff_total": "10", "new_ip_count": "1"},
    )
    assert fire_at(travel, "2027-07-24 09:00") == 0


def test_revoked_certificate_gets_no_reminders(travel, official, enterprise_user):
    travel("2026-12-01 10:00")
    certificate = issued_certificate(
        official, issued_on=D("2026-12-01"), enterprise=enterprise_user.enterprise
    )
    sweep()
    certificate.revoked_at = bj("2027-03-01 10:00")
    certificate.save()
    assert fire_at(travel, "2027-07-01 09:00") == 0
    assert kinds(enterprise_user) == []


# --- The next year's calendar and the daily flags -------------------------------------------------


def test_next_years_calendar_missing_from_1_december(travel, municipal_user, official):
    assert not CalendarYear.objects.filter(year=2027, official=True).exists()
    assert fire_at(travel, "2026-11-30 09:00") == 0
    assert fire_at(travel, "2026-12-01 08:59") == 0
    assert fire_at(travel, "2026-12-01 09:00") == 1
    assert kinds(municipal_user) == ["calendar_missing"]
    assert "2027" in Notification.objects.get(user=municipal_user).subject
    assert kinds(official) == []
    assert fire_at(travel, "2026-12-02 09:00") == 0
    assert fire_at(travel, "2026-12-08 09:00") == 1  # weekly while missing
    CalendarYear.objects.create(year=2027, official=True, source="office")
    assert fire_at(travel, "2026-12-15 09:00") == 0


def test_missing_report_flags_run_daily(travel, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr("certification.lifecycle.tasks.flag_missing_reports.delay", lambda: calls.append(1))
    travel("2027-02-01 01:59")
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert calls == []
    travel("2027-02-01 02:00")
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
        sweep()
    assert calls == [1]
