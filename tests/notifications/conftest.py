"""Helpers of the scheduler tests: Beijing time travel, the objects each clock runs for, eager Celery."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from certification.certificates import services as certificates
from certification.models import (
    Application,
    Certificate,
    Objection,
    PublicityEntry,
    PublicityNotice,
)
from config.celery import app as celery_app
from districts.models import Filing
from experts.models import Draw, Review
from tests.factories import ApplicationFactory, EnterpriseFactory, ExpertFactory, UserFactory, district

BJ = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def bj(text: str) -> dt.datetime:
    """ "2026-04-10 09:00" as Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


@pytest.fixture
def travel(time_machine):
    def _travel(text: str) -> dt.datetime:
        moment = bj(text)
        time_machine.move_to(moment, tick=False)
        return moment

    return _travel


@pytest.fixture
def eager():
    """Tasks enqueued on commit run at once in the test process (the worker test uses a real worker)."""
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield celery_app
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.fixture
def second_official(db):
    """Another official of the same district (滨海新区): both are told."""
    return UserFactory(official=True, username="official_binhai_2")


@pytest.fixture
def other_municipal(db):
    return UserFactory(municipal=True, username="municipal_office_2")


def binhai_enterprise(**kwargs):
    return EnterpriseFactory(district=district("120116"), **kwargs)


def submitted_application(submitted_at: dt.datetime, **kwargs) -> Application:
    return ApplicationFactory(
        enterprise=kwargs.pop("enterprise", None) or binhai_enterprise(),
        status="submitted",
        submitted_at=submitted_at,
        **kwargs,
    )


def accepted_application(review_deadline: dt.date, status: str = "accepted", **kwargs) -> Application:
    return ApplicationFactory(
        enterprise=kwargs.pop("enterprise", None) or binhai_enterprise(),
        status=status,
        accepted_at=bj(f"{review_deadline - dt.timedelta(days=40)} 10:00"),
        review_deadline=review_deadline,
        **kwargs,
    )


def assigned_review(due_on: dt.date, *, expert=None, application=None) -> Review:
    application = application or ApplicationFactory(enterprise=binhai_enterprise(), status="under_review")
    expert = expert or ExpertFactory()
    drawer = UserFactory(official=True)
    draw = Draw.objects.create(
        application=application,
        seed="test",
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded=[],
        panel=[],
        alternates=[],
        created_by=drawer,
    )
    return Review.objects.create(
        draw=draw, application=application, expert=expert, kind=expert.kind, status="assigned", due_on=due_on
    )


def open_notice(official, *, start: dt.date, end: dt.date, applications: int = 2) -> PublicityNotice:
    notice = PublicityNotice.objects.create(
        district=official.district, title="滨海新区拟认定名单公示", start=start, end=end, created_by=official
    )
    for _ in range(applications):
        application = ApplicationFactory(enterprise=binhai_enterprise(), status="in_publicity")
        PublicityEntry.objects.create(notice=notice, application=application)
    return notice


def open_objection(notice: PublicityNotice, number: str = "YYTEST000001") -> Objection:
    return Objection.objects.create(
        entry=notice.entries.first(),
        tracking_number=number,
        name="王五",
        phone="13800000000",
        reason="材料不实" * 5,
    )


def submitted_filing(official) -> Filing:
    return Filing.objects.create(district=official.district, created_by=official)


def issued_certificate(official, *, issued_on: dt.date, enterprise=None) -> Certificate:
    enterprise = enterprise or binhai_enterprise()
    application = ApplicationFactory(enterprise=enterprise, status="approved")
    return certificates.certificate_issue(by=official, application_ids=[application.pk], issued_on=issued_on)[
        0
    ]
