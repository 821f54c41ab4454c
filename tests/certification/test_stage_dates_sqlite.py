"""The stage-date rebuild on the embedded default (SQLite): its vendor branch.

On PostgreSQL `stage_dates.rebuild` writes each batch with one ``UPDATE … FROM (VALUES …)``, which
SQLite does not have; there it falls back to ``bulk_update`` (one CASE per column). Same columns, same
values: the rebuild repairs corrupted columns and leaves an application without transitions empty."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
import datetime as dt

import time_machine

from certification.applications import stage_dates
from certification.models import Application, ApplicationTransition
from certification.workflow import _record
from tests.certification.test_stage_dates import BJ, PATH, WANT
from tests.factories import ApplicationFactory, UserFactory

official = UserFactory(official=True)
walked = [ApplicationFactory(status="draft") for _ in range(3)]
for application in walked:
    for status, when in PATH:
        with time_machine.travel(dt.datetime.fromisoformat(when).replace(tzinfo=BJ), tick=False):
            _record(application, status, by=official)
other = ApplicationFactory(status="submitted")
other.transitions.all().delete()  # a row loaded without its history
Application.objects.update(acceptance_days=99, filing_ended_on=dt.date(2000, 1, 1))
assert stage_dates.rebuild(Application.objects.all(), batch_size=2) == 3
for application in walked:
    application.refresh_from_db()
    assert {name: getattr(application, name) for name in stage_dates.FIELDS} == WANT
other.refresh_from_db()
assert {getattr(other, name) for name in stage_dates.FIELDS} == {None}
print("stage dates ok")
"""


def test_stage_dates_rebuild_on_sqlite(tmp_path):
    assert "stage dates ok" in run_embedded(SCRIPT, tmp_path)
