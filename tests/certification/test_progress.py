"""办件进度 (certification/applications/progress.py): the stages come from the table, in order; an
application off the main road shows where it left it."""

from __future__ import annotations

import datetime as dt

import pytest

from certification import workflow
from certification.applications.progress import MAIN, progress
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def states(application):
    steps = progress(application, list(application.transitions.all()))
    return [(s.status, s.state) for s in steps], steps


def test_the_stages_are_the_tables_main_road():
    assert MAIN[0] == workflow.to_status("create") and MAIN[-1] == workflow.to_status("certify")
    assert list(MAIN) == [s for s in workflow.ORDER if s in MAIN]  # in procedure order
    assert "returned" not in MAIN and "not_recommended" not in MAIN


def test_a_returned_application_shows_the_return_before_resubmission():
    application = ApplicationFactory(status="returned")
    pairs, steps = states(application)
    assert pairs[:3] == [("draft", "done"), ("returned", "current"), ("submitted", "todo")]
    assert all(state == "todo" for _s, state in pairs[2:])
    assert next(s for s in steps if s.status == "submitted").on is None  # to be submitted again


def test_a_refusal_stops_the_road_where_it_left_it():
    application = ApplicationFactory(status="not_recommended")
    pairs, _steps = states(application)
    at = [s for s, _state in pairs].index("not_recommended")
    assert pairs[at - 1] == ("reviewed", "done") and pairs[at] == ("not_recommended", "stopped")
    assert all(state == "skipped" for _s, state in pairs[at + 1 :])
    assert all(state == "done" for _s, state in pairs[:at])


def test_under_review_carries_the_40_day_limit():
    application = ApplicationFactory(status="under_review")
    application.review_deadline = application.acceptance_ended_on + dt.timedelta(days=40)
    _pairs, steps = states(application)
    current = next(s for s in steps if s.state == "current")
    assert current.status == "under_review"
    assert any("40 日办理时限" in n and application.review_deadline.isoformat() in n for n in current.notes)
