"""Certification's clocks (registered with notifications in ``CertificationConfig.ready()``).

The rules of each, once (notifications/clocks.py explains the kinds of step):

- completeness check (第十条（3）): due on the 5th working day after submission; the district is
  reminded at 09:00 that day and told again at 00:00 the next day if the application is still unchecked;
- the 40-day limit: the district's officials at 10 and 3 days before ``review_deadline``, the
  municipal office when it passes (the clock stops once the application is filed, or ends);
- publicity: the day after ``end`` the notice is closed through ``certification.publicity.services.notice_close``;
- objection findings: the district is reminded on the 5th working day after an objection was
  filed while it is still open;
- certificates: the enterprise's users at 90 and 30 days before ``valid_until``;
- monitoring reports: the enterprise's users at 30 and 7 days before each report the certificate
  owes (31 July half-year, 31 January annual) while it is not filed;
- missing-report flags: once a day at 02:00 the flags of ``certification.lifecycle`` are recomputed
  (the beat entry this replaces ran daily too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from certification import workflow
from certification.lifecycle.services import periods_within_validity
from certification.lifecycle.tasks import flag_missing_reports
from certification.models import (
    Application,
    ApplicationStatus,
    Certificate,
    EntryOutcome,
    MonitoringReport,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicityNotice,
)
from certification.publicity.services import notice_close
from notifications.clocks import (
    DAY,
    FLAG_TIME,
    SHANGHAI,
    START_OF_DAY,
    Action,
    ClockSpec,
    Context,
    Step,
    SystemClock,
    at,
    date_sql,
    iso,
    link,
    local_date,
    local_day_sql,
    send,
)
from notifications.models import Clock, Deadline
from workdays.arithmetic import Calendar, working_days_after

COMPLETENESS_WORKING_DAYS = 5  # 第十条（3）: the completeness check
REVIEW_LIMIT_REMINDERS = (10, 3)  # days before the 40-day limit
OBJECTION_REMINDER_WORKING_DAYS = 5
CERTIFICATE_REMINDERS = (90, 30)
MONITORING_REMINDERS = (30, 7)


# --- The steps of each clock (pure) --------------------------------------------------------------


def completeness_steps(submitted_on: dt.date, calendar: Calendar) -> list[Step]:
    last_day = working_days_after(calendar, submitted_on, COMPLETENESS_WORKING_DAYS)
    return [
        Step(f"last_day@{submitted_on}", at(last_day), Action.REMIND, last_day),
        Step(f"overdue@{submitted_on}", at(last_day + DAY, START_OF_DAY), Action.ESCALATE, last_day),
    ]


def review_limit_steps(review_deadline: dt.date) -> list[Step]:
    steps = [
        Step(
            f"d{days}@{review_deadline}",
            at(review_deadline - dt.timedelta(days=days)),
            Action.REMIND,
            review_deadline,
        )
        for days in REVIEW_LIMIT_REMINDERS
    ]
    steps.append(
        Step(
            f"passed@{review_deadline}",
            at(review_deadline + DAY, START_OF_DAY),
            Action.ESCALATE,
            review_deadline,
        )
    )
    return steps


def publicity_steps(end: dt.date) -> list[Step]:
    return [Step(f"close@{end}", at(end + DAY, START_OF_DAY), Action.CLOSE, end)]


def objection_steps(filed_on: dt.date, calendar: Calendar) -> list[Step]:
    day = working_days_after(calendar, filed_on, OBJECTION_REMINDER_WORKING_DAYS)
    return [Step(f"remind@{filed_on}", at(day), Action.ESCALATE, day)]


def certificate_expiry_steps(valid_until: dt.date) -> list[Step]:
    return [
        Step(f"d{days}@{valid_until}", at(valid_until - dt.timedelta(days=days)), Action.REMIND, valid_until)
        for days in CERTIFICATE_REMINDERS
    ]


def monitoring_steps(
    issued_on: dt.date, valid_until: dt.date, filed: Iterable[tuple[str, str]]
) -> list[Step]:
    """Reminders of every report the certificate owes and has not filed (certification.lifecycle)."""
    done = set(filed)
    return [
        Step(
            f"{p.kind}:{p.period}:d{days}@{valid_until}",
            at(p.due_on - dt.timedelta(days=days)),
            Action.REMIND,
            p.due_on,
        )
        for p in periods_within_validity(issued_on, valid_until)
        if (p.kind, p.period) not in done
        for days in MONITORING_REMINDERS
    ]


def report_flag_steps(day: dt.date) -> list[Step]:
    return [Step(f"flag@{day}", at(day, FLAG_TIME), Action.FLAG, day)]


# --- The clocks bound to the data -------------------------------------------------------------------


class ApplicationClock(ClockSpec):
    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Application.objects.select_related("enterprise__district").in_bulk(list(ids))

    def _context(self, application: Any, **extra: Any) -> dict:
        return {
            "application_id": application.pk,
            "enterprise": application.enterprise.name,
            "year": application.year,
            "district": application.enterprise.district.name,
            **extra,
        }


class CompletenessClock(ApplicationClock):
    kind = Clock.COMPLETENESS
    notification_kinds = ("completeness_due", "completeness_overdue")
    model = Application

    def candidates(self, today: dt.date) -> QuerySet:
        return Application.objects.filter(status=ApplicationStatus.SUBMITTED, submitted_at__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ApplicationStatus.SUBMITTED and obj.submitted_at is not None

    def anchor(self, obj: Any) -> str:
        return iso(local_date(obj.submitted_at))

    def anchor_sql(self) -> Any:
        return local_day_sql("submitted_at")

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return completeness_steps(local_date(obj.submitted_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        kind = "completeness_due" if step.action == Action.REMIND else "completeness_overdue"
        return send(
            ctx,
            users=ctx.recipients.district_officials(obj.enterprise.district_id),
            kind=kind,
            url=link("districts:application_detail", obj.pk),
            context=self._context(obj, last_day=iso(step.target), submitted_on=self.anchor(obj)),
            deadline=deadline,
        )


REVIEW_LIMIT_STATUSES = workflow.CLOCK_STATUSES  # 受理 → 报备, stopped by a refusal


class ReviewLimitClock(ApplicationClock):
    """第十条: 40 calendar days from 受理 for review, publicity and filing; filing (or an end) stops it."""

    kind = Clock.REVIEW_LIMIT
    notification_kinds = ("review_limit_reminder", "review_limit_passed")
    model = Application

    def candidates(self, today: dt.date) -> QuerySet:
        return Application.objects.filter(status__in=REVIEW_LIMIT_STATUSES, review_deadline__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status in REVIEW_LIMIT_STATUSES and obj.review_deadline is not None

    def anchor(self, obj: Any) -> str:
        return iso(obj.review_deadline)

    def anchor_sql(self) -> Any:
        return date_sql("review_deadline")

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return review_limit_steps(obj.review_deadline)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        days_left = (step.target - step.due_at.astimezone(SHANGHAI).date()).days
        context = self._context(obj, review_deadline=iso(obj.review_deadline), days_left=days_left)
        if step.action == Action.REMIND:
            return send(
                ctx,
                users=ctx.recipients.district_officials(obj.enterprise.district_id),
                kind="review_limit_reminder",
                url=link("districts:application_detail", obj.pk),
                context=context,
                deadline=deadline,
            )
        return send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="review_limit_passed",
            url=link("audits:home"),
            context=context,
            deadline=deadline,
        )


class PublicityEndClock(ClockSpec):
    kind = Clock.PUBLICITY_END
    notification_kinds = ("publicity_closed",)
    writes = True
    model = PublicityNotice

    def candidates(self, today: dt.date) -> QuerySet:
        return PublicityNotice.objects.filter(status=NoticeStatus.OPEN)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == NoticeStatus.OPEN

    def anchor(self, obj: Any) -> str:
        return iso(obj.end)

    def anchor_sql(self) -> Any:
        return date_sql("end")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return PublicityNotice.objects.select_related("district").in_bulk(list(ids))

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return publicity_steps(obj.end)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        # The owning service locks the notice, passes its entries and writes the transitions.
        notice, closed = notice_close(notice=obj, by=None, today=ctx.today)
        if not closed:
            return "already closed"
        outcomes = list(notice.entries.values_list("outcome", flat=True))
        return "closed; " + send(
            ctx,
            users=ctx.recipients.district_officials(notice.district_id),
            kind="publicity_closed",
            url=link("districts:notice_detail", notice.pk),
            context={
                "notice_id": notice.pk,
                "title": notice.title,
                "end": iso(notice.end),
                "passed": outcomes.count(EntryOutcome.PASSED),
                "awaiting": outcomes.count(EntryOutcome.AWAITING_FINDING),
            },
            deadline=deadline,
        )


class ObjectionFindingClock(ClockSpec):
    kind = Clock.OBJECTION_FINDING
    notification_kinds = ("objection_finding_reminder",)
    model = Objection

    def candidates(self, today: dt.date) -> QuerySet:
        return Objection.objects.filter(status=ObjectionStatus.OPEN)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ObjectionStatus.OPEN

    def anchor(self, obj: Any) -> str:
        return iso(local_date(obj.created_at))

    def anchor_sql(self) -> Any:
        return local_day_sql("created_at")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Objection.objects.select_related("entry__notice", "entry__application__enterprise").in_bulk(
            list(ids)
        )

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return objection_steps(local_date(obj.created_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        notice = obj.entry.notice
        return send(
            ctx,
            users=ctx.recipients.district_officials(notice.district_id),
            kind="objection_finding_reminder",
            url=link("districts:notice_detail", notice.pk),
            context={
                "tracking_number": obj.tracking_number,
                "enterprise": obj.entry.application.enterprise.name,
                "notice_id": notice.pk,
                "filed_on": self.anchor(obj),
            },
            deadline=deadline,
        )


class CertificateClock(ClockSpec):
    model = Certificate

    def candidates(self, today: dt.date) -> QuerySet:
        return Certificate.objects.filter(revoked_at__isnull=True, valid_until__gte=today)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.revoked_at is None and obj.valid_until >= today

    def anchor(self, obj: Any) -> str:
        return iso(obj.valid_until)

    def anchor_sql(self) -> Any:
        return date_sql("valid_until")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Certificate.objects.select_related("enterprise").in_bulk(list(ids))

    def _context(self, obj: Any, **extra: Any) -> dict:
        return {
            "certificate_id": obj.pk,
            "number": obj.number,
            "enterprise": obj.enterprise_name,
            "valid_until": iso(obj.valid_until),
            **extra,
        }


class CertificateExpiryClock(CertificateClock):
    kind = Clock.CERTIFICATE_EXPIRY
    notification_kinds = ("certificate_expiry",)

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return certificate_expiry_steps(obj.valid_until)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        days_left = (step.target - step.due_at.astimezone(SHANGHAI).date()).days
        return send(
            ctx,
            users=ctx.recipients.enterprise_users(obj.enterprise_id),
            kind="certificate_expiry",
            url=link("certification:certificates"),
            context=self._context(obj, days_left=days_left),
            deadline=deadline,
        )


class MonitoringReportClock(CertificateClock):
    kind = Clock.MONITORING_REPORT
    notification_kinds = ("monitoring_report_due",)

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        certificates = super().load(ids)
        filed: dict[int, set[tuple[str, str]]] = {pk: set() for pk in certificates}
        for certificate_id, kind, period in MonitoringReport.objects.filter(
            certificate_id__in=list(certificates)
        ).values_list("certificate_id", "kind", "period"):
            filed[certificate_id].add((kind, period))
        for pk, certificate in certificates.items():
            certificate.filed_reports = filed[pk]
        return certificates

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return monitoring_steps(obj.issued_on, obj.valid_until, getattr(obj, "filed_reports", ()))

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        kind, period, _rest = step.name.split(":", 2)
        days_left = (step.target - step.due_at.astimezone(SHANGHAI).date()).days
        return send(
            ctx,
            users=ctx.recipients.enterprise_users(obj.enterprise_id),
            kind="monitoring_report_due",
            url=link("certification:monitoring_file", obj.pk),
            context=self._context(
                obj,
                report_kind=kind,
                period=period,
                period_year=period[:4],
                due_on=iso(step.target),
                days_left=days_left,
            ),
            deadline=deadline,
        )


class ReportFlagsClock(SystemClock):
    kind = Clock.REPORT_FLAGS

    def object_id(self, obj: Any) -> int:
        return obj.year * 10000 + obj.month * 100 + obj.day

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return {i: dt.date(i // 10000, i // 100 % 100, i % 100) for i in ids}

    def applies(self, obj: Any, today: dt.date) -> bool:
        return True

    def anchor(self, obj: Any) -> str:
        return obj.isoformat()

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return report_flag_steps(obj)

    def due_objects(self, today: dt.date) -> list[Any]:
        return [today]

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        # A scan of every valid certificate: its own task (acks_late, retried), not inside the
        # sweep's short transaction. It recomputes the flags from the data, so a lost run is made
        # good by the next day's.
        transaction.on_commit(flag_missing_reports.delay)
        return "flag task enqueued"


# In the order of notifications.models.Clock (the registry keeps that order whatever registers first).
CLOCKS = (
    CompletenessClock(),
    ReviewLimitClock(),
    PublicityEndClock(),
    ObjectionFindingClock(),
    CertificateExpiryClock(),
    MonitoringReportClock(),
    ReportFlagsClock(),
)
