"""Every clock of the procedure: when each step is due (pure), and what it does when it is.

Times are Beijing time (Asia/Shanghai). Three kinds of step, one rule each:

- a **reminder** before a limit fires at 09:00 on its day, and is dropped once the limit has passed;
- an **escalation** when a limit passes fires at 00:00 the day after the limit (the limit day is
  still in time: a period ends at 24:00 of its last day, 民法典 第203条); a nudge after a wait
  (an objection open 5 working days) is an escalation too: it is never dropped;
- a **transition** (closing a publicity notice) fires at 00:00 the day after the end, like an escalation.

Working-day periods follow docs/domain.md (N working days count from the start day if it is a working
day, else from the next one); "N working days after an event" starts the day after it (the day of
the event is not counted, 民法典 第201条). Choices made here, documented once:

- completeness check (第十条（3）): due on the 5th working day after submission; the district is
  reminded at 09:00 that day and told again at 00:00 the next day if the application is still unchecked;
- the 40-day limit: the district's officials at 10 and 3 days before ``review_deadline``, the
  municipal office when it passes (the clock stops once the application is filed, or ends);
- an expert's scoring deadline: the expert on the 2nd working day before ``due_on``, the district
  when it passes (they may then replace the expert from the alternates);
- publicity: the day after ``end`` the notice is closed through ``certification.publicity.notice_close``;
- objection findings: the district is reminded on the 5th working day after an objection was
  filed while it is still open;
- filing: the municipal office is reminded when a filing has waited 10 working days (00:00 after the 10th);
- certificates: the enterprise's users at 90 and 30 days before ``valid_until``;
- monitoring reports: the enterprise's users at 30 and 7 days before each report the certificate
  owes (31 July half-year, 31 January annual) while it is not filed;
- next year's calendar: the municipal office on 1 December and weekly through December while the
  next year's official schedule is not entered;
- missing-report flags: once a day at 02:00 the flags of ``certification.lifecycle`` are recomputed
  (the beat entry this replaces ran daily too).

Each step's name carries the date it counts from ("d10@2026-04-10"), so when that date changes
(a resubmission, a moved end date) the schedule gets new rows and the old ones are cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.urls import NoReverseMatch, reverse

from certification import workflow
from certification.lifecycle import periods_within_validity
from certification.lifecycle_tasks import flag_missing_reports
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
from certification.publicity import notice_close
from districts.models import Filing, FilingStatus
from experts.models import Review, ReviewStatus
from notifications.models import Clock, Deadline
from workdays.arithmetic import Calendar, add_working_days
from workdays.models import CalendarYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER_TIME = dt.time(9, 0)
START_OF_DAY = dt.time(0, 0)
FLAG_TIME = dt.time(2, 0)
DAY = dt.timedelta(days=1)

COMPLETENESS_WORKING_DAYS = 5  # 第十条（3）: the completeness check
REVIEW_LIMIT_REMINDERS = (10, 3)  # days before the 40-day limit
EXPERT_REMINDER_WORKING_DAYS = 2
OBJECTION_REMINDER_WORKING_DAYS = 5
FILING_WAIT_WORKING_DAYS = 10
CERTIFICATE_REMINDERS = (90, 30)
MONITORING_REMINDERS = (30, 7)
CALENDAR_REMINDER_DAYS = (1, 8, 15, 22, 29)  # December


class Action:
    REMIND = "remind"
    ESCALATE = "escalate"
    CLOSE = "close"
    FLAG = "flag"


@dataclass(frozen=True)
class Step:
    name: str
    due_at: dt.datetime
    action: str
    target: dt.date  # the limit the step counts toward

    def obsolete_on(self, today: dt.date) -> bool:
        """A reminder of a limit that has already passed is no use."""
        return self.action == Action.REMIND and today > self.target


def at(day: dt.date, time: dt.time = REMINDER_TIME) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


# --- The steps of each clock (pure) --------------------------------------------------------------


def working_days_after(calendar: Calendar, event_day: dt.date, count: int) -> dt.date:
    """The Nth working day after the event day (which is not counted)."""
    return add_working_days(calendar, event_day + DAY, count).end


def working_days_before(calendar: Calendar, day: dt.date, count: int) -> dt.date:
    """The working day that lies ``count`` working days before ``day``: due Friday, 2 → Wednesday."""
    seen = 0
    while seen < count:
        day -= DAY
        if calendar.is_working_day(day):
            seen += 1
    return day


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


def expert_steps(due_on: dt.date, calendar: Calendar) -> list[Step]:
    remind_on = working_days_before(calendar, due_on, EXPERT_REMINDER_WORKING_DAYS)
    return [
        Step(f"d{EXPERT_REMINDER_WORKING_DAYS}@{due_on}", at(remind_on), Action.REMIND, due_on),
        Step(f"passed@{due_on}", at(due_on + DAY, START_OF_DAY), Action.ESCALATE, due_on),
    ]


def publicity_steps(end: dt.date) -> list[Step]:
    return [Step(f"close@{end}", at(end + DAY, START_OF_DAY), Action.CLOSE, end)]


def objection_steps(filed_on: dt.date, calendar: Calendar) -> list[Step]:
    day = working_days_after(calendar, filed_on, OBJECTION_REMINDER_WORKING_DAYS)
    return [Step(f"remind@{filed_on}", at(day), Action.ESCALATE, day)]


def filing_steps(filed_on: dt.date, calendar: Calendar) -> list[Step]:
    last = working_days_after(calendar, filed_on, FILING_WAIT_WORKING_DAYS)
    return [Step(f"waiting@{filed_on}", at(last + DAY, START_OF_DAY), Action.ESCALATE, last)]


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


def calendar_steps(year: int) -> list[Step]:
    """Reminders that the official schedule of ``year`` is missing, from 1 December of the year before."""
    last = dt.date(year - 1, 12, 31)
    return [
        Step(f"remind-12-{day:02d}@{year}", at(dt.date(year - 1, 12, day)), Action.REMIND, last)
        for day in CALENDAR_REMINDER_DAYS
    ]


def report_flag_steps(day: dt.date) -> list[Step]:
    return [Step(f"flag@{day}", at(day, FLAG_TIME), Action.FLAG, day)]


def current(steps: Iterable[Step], today: dt.date) -> list[Step]:
    return [s for s in steps if not s.obsolete_on(today)]


# --- The context a sweep or a schedule works in ---------------------------------------------------


@dataclass
class Context:
    now: dt.datetime
    calendar: Calendar
    recipients: Any = None  # notifications.selectors.Recipients, memoised per sweep
    # While the sweep runs a batch, the inbox rows its steps build (saved in one INSERT).
    outbox: list[Any] | None = None

    @property
    def today(self) -> dt.date:
        return local_date(self.now)


def link(name: str, *args: Any) -> str:
    """A path inside the portal, or "" when the page is not wired (the notification still goes out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _local_day_sql(field_name: str) -> Any:
    return Cast(TruncDate(field_name, tzinfo=SHANGHAI), CharField())


def _date_sql(field_name: str) -> Any:
    return Cast(field_name, CharField())


# --- The clocks bound to the data -------------------------------------------------------------------


class ClockSpec:
    """One clock: which objects run it, how its steps follow from their data, what each step does."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model] | None] = None
    writes: ClassVar[bool] = False  # performs a transition through another app's service

    # Scheduling -------------------------------------------------------------------------------------
    def content_type(self) -> ContentType | None:
        return ContentType.objects.get_for_model(self.model) if self.model else None

    def object_id(self, obj: Any) -> int:
        return int(obj.pk)

    def candidates(self, today: dt.date) -> QuerySet:
        """The objects this clock runs for today (indexed filters)."""
        raise NotImplementedError

    def applies(self, obj: Any, today: dt.date) -> bool:
        """The same condition as ``candidates``, on a loaded object."""
        raise NotImplementedError

    def anchor(self, obj: Any) -> str:
        """The data the steps count from, as text; ``anchor_sql`` says the same in SQL."""
        raise NotImplementedError

    def anchor_sql(self) -> Any:
        raise NotImplementedError

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        raise NotImplementedError

    def steps(self, obj: Any, ctx: Context) -> list[Step]:
        """The steps still to come for this object as it is now ([] once the clock has stopped)."""
        if obj is None or not self.applies(obj, ctx.today):
            return []
        return current(self.raw_steps(obj, ctx), ctx.today)

    def missing(self, today: dt.date) -> QuerySet:
        """Candidates with no schedule for their current data: no ``set@<anchor>`` marker row."""
        markers = Deadline.objects.filter(
            kind=self.kind,
            content_type=self.content_type(),
            object_id=OuterRef("pk"),
            step=Concat(Value("set@"), OuterRef("_anchor"), output_field=CharField()),
        )
        return (
            self.candidates(today).annotate(_anchor=self.anchor_sql()).filter(~Exists(markers)).order_by("pk")
        )

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        assert self.model is not None
        return self.model._default_manager.in_bulk(list(ids))  # type: ignore[attr-defined]

    # Firing -----------------------------------------------------------------------------------------
    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        raise NotImplementedError


def _send(ctx: Context, *, users: list, kind: str, url: str, context: dict, deadline: Deadline) -> str:
    from notifications.services import build_notifications, save_notifications

    rows = build_notifications(
        users=users,
        kind=kind,
        url=url,
        context=context,
        deadline=deadline,
        now=ctx.now,
        preferences=ctx.recipients.preferences_of(users) if ctx.recipients else None,
    )
    if ctx.outbox is not None:
        ctx.outbox.extend(rows)
    else:
        save_notifications(rows)
    return f"notified {len(rows)}"


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
    model = Application

    def candidates(self, today: dt.date) -> QuerySet:
        return Application.objects.filter(status=ApplicationStatus.SUBMITTED, submitted_at__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ApplicationStatus.SUBMITTED and obj.submitted_at is not None

    def anchor(self, obj: Any) -> str:
        return _iso(local_date(obj.submitted_at))

    def anchor_sql(self) -> Any:
        return _local_day_sql("submitted_at")

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return completeness_steps(local_date(obj.submitted_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        kind = "completeness_due" if step.action == Action.REMIND else "completeness_overdue"
        return _send(
            ctx,
            users=ctx.recipients.district_officials(obj.enterprise.district_id),
            kind=kind,
            url=link("districts:application_detail", obj.pk),
            context=self._context(obj, last_day=_iso(step.target), submitted_on=self.anchor(obj)),
            deadline=deadline,
        )


REVIEW_LIMIT_STATUSES = workflow.CLOCK_STATUSES  # 受理 → 报备, stopped by a refusal


class ReviewLimitClock(ApplicationClock):
    """第十条: 40 calendar days from 受理 for review, publicity and filing; filing (or an end) stops it."""

    kind = Clock.REVIEW_LIMIT
    model = Application

    def candidates(self, today: dt.date) -> QuerySet:
        return Application.objects.filter(status__in=REVIEW_LIMIT_STATUSES, review_deadline__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status in REVIEW_LIMIT_STATUSES and obj.review_deadline is not None

    def anchor(self, obj: Any) -> str:
        return _iso(obj.review_deadline)

    def anchor_sql(self) -> Any:
        return _date_sql("review_deadline")

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return review_limit_steps(obj.review_deadline)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        days_left = (step.target - step.due_at.astimezone(SHANGHAI).date()).days
        context = self._context(obj, review_deadline=_iso(obj.review_deadline), days_left=days_left)
        if step.action == Action.REMIND:
            return _send(
                ctx,
                users=ctx.recipients.district_officials(obj.enterprise.district_id),
                kind="review_limit_reminder",
                url=link("districts:application_detail", obj.pk),
                context=context,
                deadline=deadline,
            )
        return _send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="review_limit_passed",
            url=link("audits:home"),
            context=context,
            deadline=deadline,
        )


class ExpertDeadlineClock(ClockSpec):
    kind = Clock.EXPERT_DEADLINE
    model = Review

    def candidates(self, today: dt.date) -> QuerySet:
        return Review.objects.filter(status=ReviewStatus.ASSIGNED, due_on__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ReviewStatus.ASSIGNED and obj.due_on is not None

    def anchor(self, obj: Any) -> str:
        return _iso(obj.due_on)

    def anchor_sql(self) -> Any:
        return _date_sql("due_on")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Review.objects.select_related("expert__user", "application__enterprise__district").in_bulk(
            list(ids)
        )

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return expert_steps(obj.due_on, ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        application = obj.application
        context = {
            "review_id": obj.pk,
            "application_id": application.pk,
            "enterprise": application.enterprise.name,
            "expert": obj.expert.name,
            "due_on": _iso(obj.due_on),
        }
        if step.action == Action.REMIND:
            return _send(
                ctx,
                users=[obj.expert.user],
                kind="expert_deadline_reminder",
                url=link("experts:review_detail", obj.pk),
                context=context,
                deadline=deadline,
            )
        return _send(
            ctx,
            users=ctx.recipients.district_officials(application.enterprise.district_id),
            kind="expert_deadline_passed",
            url=link("districts:application_detail", application.pk),
            context=context,
            deadline=deadline,
        )


class PublicityEndClock(ClockSpec):
    kind = Clock.PUBLICITY_END
    writes = True
    model = PublicityNotice

    def candidates(self, today: dt.date) -> QuerySet:
        return PublicityNotice.objects.filter(status=NoticeStatus.OPEN)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == NoticeStatus.OPEN

    def anchor(self, obj: Any) -> str:
        return _iso(obj.end)

    def anchor_sql(self) -> Any:
        return _date_sql("end")

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
        return "closed; " + _send(
            ctx,
            users=ctx.recipients.district_officials(notice.district_id),
            kind="publicity_closed",
            url=link("districts:notice_detail", notice.pk),
            context={
                "notice_id": notice.pk,
                "title": notice.title,
                "end": _iso(notice.end),
                "passed": outcomes.count(EntryOutcome.PASSED),
                "awaiting": outcomes.count(EntryOutcome.AWAITING_FINDING),
            },
            deadline=deadline,
        )


class ObjectionFindingClock(ClockSpec):
    kind = Clock.OBJECTION_FINDING
    model = Objection

    def candidates(self, today: dt.date) -> QuerySet:
        return Objection.objects.filter(status=ObjectionStatus.OPEN)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ObjectionStatus.OPEN

    def anchor(self, obj: Any) -> str:
        return _iso(local_date(obj.created_at))

    def anchor_sql(self) -> Any:
        return _local_day_sql("created_at")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Objection.objects.select_related("entry__notice", "entry__application__enterprise").in_bulk(
            list(ids)
        )

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return objection_steps(local_date(obj.created_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        notice = obj.entry.notice
        return _send(
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


class FilingClock(ClockSpec):
    kind = Clock.FILING
    model = Filing

    def candidates(self, today: dt.date) -> QuerySet:
        return Filing.objects.filter(status=FilingStatus.SUBMITTED)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == FilingStatus.SUBMITTED

    def anchor(self, obj: Any) -> str:
        return _iso(local_date(obj.created_at))

    def anchor_sql(self) -> Any:
        return _local_day_sql("created_at")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Filing.objects.select_related("district").in_bulk(list(ids))

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return filing_steps(local_date(obj.created_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        return _send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="filing_waiting",
            url=link("audits:filing_detail", obj.pk),
            context={"filing_id": obj.pk, "district": obj.district.name, "filed_on": self.anchor(obj)},
            deadline=deadline,
        )


class CertificateClock(ClockSpec):
    model = Certificate

    def candidates(self, today: dt.date) -> QuerySet:
        return Certificate.objects.filter(revoked_at__isnull=True, valid_until__gte=today)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.revoked_at is None and obj.valid_until >= today

    def anchor(self, obj: Any) -> str:
        return _iso(obj.valid_until)

    def anchor_sql(self) -> Any:
        return _date_sql("valid_until")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Certificate.objects.select_related("enterprise").in_bulk(list(ids))

    def _context(self, obj: Any, **extra: Any) -> dict:
        return {
            "certificate_id": obj.pk,
            "number": obj.number,
            "enterprise": obj.enterprise_name,
            "valid_until": _iso(obj.valid_until),
            **extra,
        }


class CertificateExpiryClock(CertificateClock):
    kind = Clock.CERTIFICATE_EXPIRY

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return certificate_expiry_steps(obj.valid_until)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        days_left = (step.target - step.due_at.astimezone(SHANGHAI).date()).days
        return _send(
            ctx,
            users=ctx.recipients.enterprise_users(obj.enterprise_id),
            kind="certificate_expiry",
            url=link("certification:certificates"),
            context=self._context(obj, days_left=days_left),
            deadline=deadline,
        )


class MonitoringReportClock(CertificateClock):
    kind = Clock.MONITORING_REPORT

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
        return _send(
            ctx,
            users=ctx.recipients.enterprise_users(obj.enterprise_id),
            kind="monitoring_report_due",
            url=link("certification:monitoring_file", obj.pk),
            context=self._context(
                obj,
                report_kind=kind,
                period=period,
                period_year=period[:4],
                due_on=_iso(step.target),
                days_left=days_left,
            ),
            deadline=deadline,
        )


# --- System clocks: no object row, ``object_id`` names the year or the day ---------------------------


@dataclass(frozen=True)
class CalendarCheck:
    year: int
    official: bool


class SystemClock(ClockSpec):
    model = None

    def content_type(self) -> ContentType | None:
        return None

    def due_objects(self, today: dt.date) -> list[Any]:
        """The objects that should have a schedule today (checked in Python: at most one or two)."""
        raise NotImplementedError


class CalendarNextYearClock(SystemClock):
    kind = Clock.CALENDAR_NEXT_YEAR

    def object_id(self, obj: Any) -> int:
        return int(obj.year)

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        years = list(ids)
        official = set(
            CalendarYear.objects.filter(year__in=years, official=True).values_list("year", flat=True)
        )
        return {year: CalendarCheck(year=year, official=year in official) for year in years}

    def applies(self, obj: Any, today: dt.date) -> bool:
        return not obj.official

    def anchor(self, obj: Any) -> str:
        return str(obj.year)

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return calendar_steps(obj.year)

    def due_objects(self, today: dt.date) -> list[Any]:
        if today.month != 12:
            return []
        year = today.year + 1
        return [obj for obj in self.load([year]).values() if self.applies(obj, today)]

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        return _send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="calendar_missing",
            url=link("audits:calendar"),
            context={"year": obj.year},
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


CLOCKS: dict[str, ClockSpec] = {
    clock.kind: clock
    for clock in (
        CompletenessClock(),
        ReviewLimitClock(),
        ExpertDeadlineClock(),
        PublicityEndClock(),
        ObjectionFindingClock(),
        FilingClock(),
        CertificateExpiryClock(),
        MonitoringReportClock(),
        CalendarNextYearClock(),
        ReportFlagsClock(),
    )
}


# The kinds of notification the clocks send (each has its templates/notifications/email/<kind>.*).
NOTIFICATION_KINDS = (
    "completeness_due",
    "completeness_overdue",
    "review_limit_reminder",
    "review_limit_passed",
    "expert_deadline_reminder",
    "expert_deadline_passed",
    "publicity_closed",
    "objection_finding_reminder",
    "filing_waiting",
    "certificate_expiry",
    "monitoring_report_due",
    "calendar_missing",
)


def clocks_for(obj: Any) -> list[ClockSpec]:
    """The clocks an object of this model runs (an application two, a certificate two …)."""
    return [c for c in CLOCKS.values() if c.model is not None and isinstance(obj, c.model)]
