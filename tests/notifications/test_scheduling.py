"""The clocks' arithmetic (pure) and the scheduling of Deadline rows (idempotent, bounded, consistent)."""

from __future__ import annotations

import datetime as dt

import pytest

from certification import clocks as certification_clocks
from districts import clocks as district_clocks
from experts import clocks as expert_clocks
from notifications import clocks
from notifications.clocks import CLOCKS, Action, Context
from notifications.models import Clock, Deadline
from notifications.scheduling import schedule_deadlines_for, sync_deadlines
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
from workdays import clocks as calendar_clocks
from workdays.arithmetic import chinesecalendar_calendar

CAL = chinesecalendar_calendar()


def due(steps) -> dict[str, str]:
    return {s.name.split("@")[0]: s.due_at.strftime("%Y-%m-%d %H:%M") for s in steps}


# --- Pure ---------------------------------------------------------------------------------------


def test_review_limit_steps():
    assert due(certification_clocks.review_limit_steps(D("2026-04-10"))) == {
        "d10": "2026-03-31 09:00",
        "d3": "2026-04-07 09:00",
        "passed": "2026-04-11 00:00",
    }


def test_times_are_beijing_time():
    step = certification_clocks.review_limit_steps(D("2026-04-10"))[0]
    assert step.due_at.utcoffset() == dt.timedelta(hours=8)
    assert step.due_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") == "2026-03-31 01:00"


@pytest.mark.parametrize(
    ("due_on", "remind"),
    [
        ("2026-11-27", "2026-11-25"),  # Friday → Wednesday
        ("2026-11-30", "2026-11-26"),  # Monday → Thursday
        ("2026-10-09", "2026-09-30"),  # after National Day: 8 October, then 30 September
        ("2026-10-12", "2026-10-09"),  # Saturday 10 October is a make-up working day
    ],
)
def test_expert_reminded_two_working_days_before(due_on, remind):
    assert due(expert_clocks.expert_steps(D(due_on), CAL)) == {
        "d2": f"{remind} 09:00",
        "passed": f"{D(due_on) + dt.timedelta(days=1)} 00:00",
    }


def test_completeness_five_working_days_after_the_submission_day():
    assert due(certification_clocks.completeness_steps(D("2026-11-20"), CAL)) == {
        "last_day": "2026-11-27 09:00",
        "overdue": "2026-11-28 00:00",
    }


def test_objection_and_filing_counts():
    assert due(certification_clocks.objection_steps(D("2026-11-03"), CAL)) == {"remind": "2026-11-10 09:00"}
    assert due(district_clocks.filing_steps(D("2026-11-02"), CAL)) == {"waiting": "2026-11-17 00:00"}


def test_publicity_closes_the_day_after_the_end():
    assert due(certification_clocks.publicity_steps(D("2026-10-15"))) == {"close": "2026-10-16 00:00"}


def test_certificate_and_monitoring_steps():
    assert due(certification_clocks.certificate_expiry_steps(D("2029-11-30"))) == {
        "d90": "2029-09-01 09:00",
        "d30": "2029-10-31 09:00",
    }
    steps = certification_clocks.monitoring_steps(D("2026-12-01"), D("2029-11-30"), {("half_year", "2027H1")})
    names = [s.name.split("@")[0] for s in steps]
    assert "half_year:2027H1:d30" not in names
    assert names[:4] == ["annual:2027:d30", "annual:2027:d7", "half_year:2028H1:d30", "half_year:2028H1:d7"]
    assert steps[0].due_at == bj("2028-01-01 09:00") and steps[1].due_at == bj("2028-01-24 09:00")


def test_calendar_reminders_through_december():
    assert [s.due_at.strftime("%m-%d %H:%M") for s in calendar_clocks.calendar_steps(2027)] == [
        "12-01 09:00",
        "12-08 09:00",
        "12-15 09:00",
        "12-22 09:00",
        "12-29 09:00",
    ]


def test_a_reminder_of_a_passed_limit_is_dropped_an_escalation_is_not():
    steps = certification_clocks.review_limit_steps(D("2026-04-10"))
    assert [s.name for s in clocks.current(steps, D("2026-04-10"))] == [s.name for s in steps]
    assert [s.action for s in clocks.current(steps, D("2026-04-11"))] == [Action.ESCALATE]


# --- Scheduling ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_clock_s_sql_anchor_matches_its_python_anchor(travel, official, enterprise_user):
    """After scheduling, the periodic sync finds nothing missing: the marker written in Python is
    the one the SQL looks for (a submission at 00:30 Beijing time is still that Beijing day)."""
    travel("2026-11-20 00:30")
    objects = [
        submitted_application(bj("2026-11-20 00:30")),
        accepted_application(D("2026-12-20")),
        assigned_review(D("2026-12-04")),
        issued_certificate(official, issued_on=D("2026-11-20"), enterprise=enterprise_user.enterprise),
        submitted_filing(official),
    ]
    notice = open_notice(official, start=D("2026-11-20"), end=D("2026-12-03"))
    objects += [notice, open_objection(notice)]
    for obj in objects:
        schedule_deadlines_for(obj)
    today = D("2026-11-20")
    for clock in CLOCKS.values():
        if clock.model is not None:
            assert list(clock.missing(today)) == [], clock.kind
    assert Deadline.objects.get(kind=Clock.COMPLETENESS, step__startswith="set@").step == "set@2026-11-20"


@pytest.mark.django_db
def test_sync_works_in_bounded_batches(travel, official):
    travel("2026-11-20 10:00")
    for _ in range(5):
        submitted_application(bj("2026-11-20 10:00"))
    assert sync_deadlines(batch=2) == 4 + 1  # two applications × two steps, and today's flag run
    assert sync_deadlines(batch=2) == 4
    assert sync_deadlines(batch=2) == 2
    assert sync_deadlines(batch=2) == 0


@pytest.mark.django_db
def test_services_may_schedule_directly(travel, official):
    """What a service would do right after ``application_accept``: the clock is set at once."""
    from districts.services import application_accept

    travel("2026-03-01 10:00")
    application = submitted_application(bj("2026-02-27 10:00"))
    application_accept(application=application, by=official)
    assert schedule_deadlines_for(application) == 3
    steps = set(Deadline.objects.filter(object_id=application.pk).values_list("kind", "step", "outcome"))
    assert (Clock.REVIEW_LIMIT, "d10@2026-04-10", "") in steps  # accepted 1 March → due 10 April
    # The completeness clock was never set for it (it is accepted now): nothing is left pending.
    assert not Deadline.objects.filter(kind=Clock.COMPLETENESS, done_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_stopped_clock_cancels_its_pending_steps(travel, official):
    travel("2026-11-20 10:00")
    application = submitted_application(bj("2026-11-20 10:00"))
    schedule_deadlines_for(application)
    reach(application, "returned")
    schedule_deadlines_for(application)
    outcomes = set(Deadline.objects.filter(kind=Clock.COMPLETENESS).values_list("step", "outcome"))
    assert outcomes == {
        ("last_day@2026-11-20", "cancelled"),
        ("overdue@2026-11-20", "cancelled"),
        ("set@2026-11-20", "set"),
    }


def test_context_today_is_the_beijing_date():
    ctx = Context(now=dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC), calendar=CAL)
    assert ctx.today == D("2026-12-01")
