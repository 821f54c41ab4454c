"""Tasks executed by a real Celery worker against the Redis broker (not eager mode)."""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts.tasks import clear_expired_sessions, send_email
from config.celery import app

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "this test needs the Redis broker (make test sets it)"
    )
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def test_email_task_runs_on_worker(worker):
    result = send_email.delay(subject="测试", body="正文", to=["a@example.com"], html="<p>正文</p>")
    assert result.get(timeout=20) == 1
    assert mail.outbox[-1].subject == "测试"
    assert mail.outbox[-1].alternatives[0][1] == "text/html"


def test_database_task_runs_on_worker(worker):
    Session.objects.create(
        session_key="old", session_data="x", expire_date=timezone.now() - dt.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=timezone.now() + dt.timedelta(days=1)
    )
    clear_expired_sessions.delay().get(timeout=20)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
