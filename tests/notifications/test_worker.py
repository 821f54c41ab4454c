"""``deliver`` and the sweep on a real Celery worker through the Redis broker (not eager mode)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from config.celery import app
from notifications import services
from notifications.models import Notification
from notifications.tasks import deliver, sweep
from tests.notifications.conftest import D, accepted_application

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "this test needs the Redis broker (make test sets it)"
    )
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def delivered(note: Notification, timeout: float = 20) -> Notification:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        note.refresh_from_db()
        if note.delivered_at:
            break
        time.sleep(0.1)
    return note


def test_deliver_runs_on_the_worker_once(worker, official):
    # Outside a transaction the commit is immediate: the worker gets the task at once.
    note = services.notify(users=[official], kind="custom", subject="工作提醒", body="请处理待办事项。")[0]
    assert delivered(note).delivery_result == "sent"
    assert deliver.delay(note.pk).get(timeout=20) == "already delivered"  # a redelivery is a no-op
    assert [m.subject for m in mail.outbox] == ["工作提醒"]


def test_sweep_task_on_the_worker_sends_the_reminder(worker, official, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 10, tzinfo=BJ), tick=False)
    accepted_application(D("2026-04-10"))
    time_machine.move_to(dt.datetime(2026, 3, 31, 9, tzinfo=BJ), tick=False)
    assert sweep.delay().get(timeout=30)["processed"] >= 1
    # The email task was enqueued after the sweep's commit and run by the same worker.
    note = delivered(Notification.objects.get(user=official))
    assert note.delivery_result == "sent" and len(mail.outbox) == 1
