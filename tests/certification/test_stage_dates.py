"""Each application's stage dates follow its status changes, at no extra query, and can be rebuilt."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from certification.applications import stage_dates
from certification.models import Application, ApplicationTransition
from certification.workflow import _record, transition
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")

# A path with a return and resubmission, and a filing the office sent back and the district filed again.
PATH = (
    ("submitted", "2026-03-01 23:30"),
    ("returned", "2026-03-02 10:00"),
    ("submitted", "2026-03-05 00:10"),
    ("accepted", "2026-03-09 08:00"),
    ("under_review", "2026-03-10 09:00"),
    ("reviewed", "2026-03-27 16:00"),
    ("recommended", "2026-03-30 09:00"),
    ("in_publicity", "2026-03-31 09:00"),
    ("publicity_passed", "2026-04-15 09:00"),
    ("filed", "2026-04-16 23:59"),
    ("filing_returned", "2026-04-20 09:00"),
    ("reviewed", "2026-04-21 09:00"),
    ("filed", "2026-04-22 09:00"),
    ("approved", "2026-05-06 00:01"),
    ("certified", "2026-05-08 09:00"),
)
WANT = {
    "acceptance_started_on": dt.date(2026, 3, 5),  # the resubmission restarts the stage
    "acceptance_ended_on": dt.date(2026, 3, 9),
    "acceptance_days": 4,
    "review_started_on": dt.date(2026, 3, 9),
    "review_ended_on": dt.date(2026, 3, 27),
    "review_days": 18,
    "filing_started_on": dt.date(2026, 3, 27),  # the second “reviewed” came after the first filing
    "filing_ended_on": dt.date(2026, 4, 16),  # Beijing date of 23:59, the first filing
    "filing_days": 20,
    "approval_started_on": dt.date(2026, 4, 22),  # the last filing before the approval
    "approval_ended_on": dt.date(2026, 5, 6),
    "approval_days": 14,
}


def _columns(application: Application) -> dict:
    application.refresh_from_db()
    return {name: getattr(application, name) for name in stage_dates.FIELDS}


def _folded(application: Application) -> dict:
    rows = ApplicationTransition.objects.filter(application=application).order_by("at", "id")
    return stage_dates.fold((t.to_status, t.at) for t in rows)


def _walk(time_machine) -> Application:  # type: ignore[no-untyped-def]
    official = UserFactory(official=True)
    application = ApplicationFactory(status="draft")
    for status, when in PATH:
        time_machine.move_to(dt.datetime.fromisoformat(when).replace(tzinfo=BJ), tick=False)
        _record(application, status, by=official)  # the path includes a return no service makes
        # After every change the columns are what the whole history so far folds to.
        assert _columns(application) == _folded(application)
    return application


def test_record_transition_dates_every_stage(time_machine):
    application = _walk(time_machine)
    assert _columns(application) == WANT


def test_record_transition_spends_no_extra_query(time_machine, django_assert_num_queries):
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, tzinfo=BJ), tick=False)
    application = ApplicationFactory(status="draft")
    enterprise_user = UserFactory(enterprise_user=True, enterprise=application.enterprise)
    official = UserFactory(official=True)
    # The transition and its history row, the application's UPDATE and its history row — as before the
    # stage dates; `transition()` adds its row lock (SELECT … FOR UPDATE of the status) in front.
    with django_assert_num_queries(4):
        _record(application, "submitted", by=None)
    application.status = "draft"
    application.save(update_fields=["status"])
    with django_assert_num_queries(1 + 4):
        transition(application, "submit", by=enterprise_user)
    time_machine.move_to(dt.datetime(2026, 3, 4, 9, tzinfo=BJ), tick=False)
    with django_assert_num_queries(1 + 4):
        transition(application, "accept", by=official)
    assert (_columns(application)["acceptance_days"], application.status) == (3, "accepted")


def test_stage_dates_stay_out_of_the_history(time_machine):
    application = _walk(time_machine)
    historical = {f.name for f in Application.history.model._meta.get_fields()}
    assert "status" in historical
    assert not historical & set(stage_dates.FIELDS)
    latest = application.history.first()
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert "status" in changed and not changed & set(stage_dates.FIELDS)


def test_rebuild_recomputes_from_the_transitions(time_machine):
    application = _walk(time_machine)
    other = ApplicationFactory(status="submitted")
    other.transitions.all().delete()  # a row loaded without its history: every column empty
    Application.objects.filter(pk__in=[application.pk, other.pk]).update(
        acceptance_days=99, filing_ended_on=dt.date(2000, 1, 1)
    )
    assert stage_dates.rebuild(Application.objects.filter(pk__in=[application.pk, other.pk])) == 1
    assert _columns(application) == WANT
    assert set(_columns(other).values()) == {None}


def test_rebuild_works_on_the_migration_models(time_machine):
    """The migration that added the columns backfills them with `rebuild` on its historical models."""
    application = _walk(time_machine)
    Application.objects.filter(pk=application.pk).update(**dict.fromkeys(stage_dates.FIELDS))
    state = MigrationExecutor(connection).loader.project_state(("certification", "0011_stage_dates"))
    historical = state.apps.get_model("certification", "Application")
    assert stage_dates.rebuild(historical.objects.all()) == 1
    assert _columns(application) == WANT


def test_rebuild_command_repairs_one_year(time_machine):
    application = _walk(time_machine)
    other_year = ApplicationFactory(status="submitted", year=2025)
    Application.objects.update(acceptance_days=99)
    out = StringIO()
    call_command("rebuild_stage_dates", "--year", "2026", stdout=out)
    assert "1 with status changes" in out.getvalue()
    assert _columns(application) == WANT
    assert _columns(other_year)["acceptance_days"] == 99  # another year: untouched
    with pytest.raises(CommandError):
        call_command("rebuild_stage_dates", "--year", "26")
