"""The development data's deadlines (实施方案 二(二)4): reminders before 31 July / 31 January, overdue after."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cadres import services
from cadres.clocks import CLOCKS, development_steps, due_on
from notifications.clocks import SHANGHAI, Action
from notifications.models import Deadline, Notification
from notifications.scheduling import schedule_deadlines_for
from notifications.sweep import sweep
from tests.cadres.test_services import DATA

pytestmark = pytest.mark.django_db


def test_the_deadlines_are_the_end_of_july_and_of_january():
    assert due_on(2026, "h1") == dt.date(2026, 7, 31)
    assert due_on(2026, "year") == dt.date(2027, 1, 31)


def test_filed_periods_have_no_steps():
    steps = development_steps(2026, {(2026, "h1")})
    names = {s.name for s in steps}
    assert "2026-h1:overdue" not in names and "2026-year:overdue" in names
    assert len(steps) == 2 * (2 * 5 - 1)
    overdue = next(s for s in steps if s.name == "2026-year:overdue")
    assert overdue.action == Action.ESCALATE
    assert overdue.due_at == dt.datetime(2027, 2, 1, 0, 0, tzinfo=SHANGHAI)


def test_the_sweep_reminds_and_flags_overdue_and_skips_filed_data(entry, owner, cadre):
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        schedule_deadlines_for(entry)
    assert Deadline.objects.filter(kind="development_data", done_at__isnull=True).count() == 20
    with time_machine.travel(dt.datetime(2026, 7, 24, 9, 30, tzinfo=SHANGHAI), tick=False):
        sweep()
    due = Notification.objects.get(kind="development_data_due")
    assert due.user == owner
    with time_machine.travel(dt.datetime(2026, 8, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        sweep()
    assert set(
        Notification.objects.filter(kind="development_data_overdue").values_list("user", flat=True)
    ) == {
        owner.pk,
        cadre.pk,
    }
    # The whole year's data entered in time: its overdue step is skipped by the sweep.
    services.development_save(by=owner, entry=entry, year=2026, half="year", values=DATA)
    with time_machine.travel(dt.datetime(2027, 2, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        sweep()
    assert Notification.objects.filter(kind="development_data_overdue").count() == 2
    assert CLOCKS[0].kind == "development_data"


def test_the_overdue_notice_goes_to_the_running_pairings_cadre_only(office, entry, owner, cadre, other_cadre):
    """A cadre whose pairing has ended no longer sees the enterprise: no overdue notice either."""
    services.assignment_set(
        by=office, entry=entry, cadre=other_cadre, kind="primary", starts_on=dt.date(2028, 1, 1)
    )
    with time_machine.travel(dt.datetime(2028, 7, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        schedule_deadlines_for(entry)
    with time_machine.travel(dt.datetime(2028, 8, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        sweep()
    assert set(
        Notification.objects.filter(kind="development_data_overdue").values_list("user", flat=True)
    ) == {owner.pk, other_cadre.pk}
