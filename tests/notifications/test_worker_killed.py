"""A real worker killed with SIGKILL in the middle of a task; a restarted worker completes it exactly once.

The workers are subprocesses (``celery -A tests.worker_app worker``: the portal's app and tasks, with
test-only hooks that hold a task at a chosen point, and an email backend that writes one file per
message), on the Redis broker and the test database. The test waits until the worker is *inside* the
task — the notification row locked while the mail server takes the message, or the publicity notice
closed by the sweep but not committed — kills it with ``kill -9``, starts a new worker and checks that
the email, the delivery record and the transition each exist once.

Production keeps the unacknowledged message for the broker's visibility timeout (an hour) before
another worker takes it; the restarted worker here uses a few seconds (``KILLTEST_VISIBILITY_TIMEOUT``).
When the message is lost altogether, the next sweep finishes the work: ``requeue_stalled`` for an
email, the pending deadline row for a transition.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import signal
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from certification.models import ApplicationTransition, PublicityNotice
from config.celery import app
from notifications import services
from notifications.models import Clock, Deadline, Notification
from notifications.tasks import deliver, sweep
from tests.notifications.conftest import open_notice

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds for a worker to start, reach the hold point or finish


def wait_for(predicate, what: str, timeout: float = WAIT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Workers:
    """Start worker subprocesses against the test database; stop whatever is left at the end."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.mail_dir = base / "mail"
        self.hold_dir = base / "hold"
        self.mail_dir.mkdir()
        self.hold_dir.mkdir()
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def env(self, **extra: str) -> dict[str, str]:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        return {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "EMAIL_BACKEND": "tests.worker_app.MailDirBackend",
            "KILLTEST_MAIL_DIR": str(self.mail_dir),
            "KILLTEST_HOLD_DIR": str(self.hold_dir),
            "PYTHONPATH": str(ROOT),
            **extra,
        }

    def start(self, *, hold: str = "", visibility_timeout: int = 0, wait_ready: bool = True):
        number = len(self.processes) + 1
        log = self.base / f"worker-{number}.log"
        extra = {"KILLTEST_HOLD": hold} if hold else {}
        if visibility_timeout:
            extra["KILLTEST_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.worker_app",
                "worker",
                "--pool",
                "solo",
                "-n",
                f"killtest{number}-{os.getpid()}@%h",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))
        if wait_ready:
            wait_for(lambda: self._ready(process, log), f"worker {number} to start")
        return process

    def _ready(self, process: subprocess.Popen, log: Path) -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{log.read_text(errors='replace')[-3000:]}")
        return b" ready." in log.read_bytes()

    def at(self, point: str) -> bool:
        return (self.hold_dir / f"at-{point}").exists()

    def kill(self, process: subprocess.Popen) -> None:
        os.kill(process.pid, signal.SIGKILL)  # kill -9: no shutdown, no ack, no rollback by the worker
        assert process.wait(timeout=10) == -signal.SIGKILL

    def mails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.eml"))

    def stop_all(self) -> None:
        for process, _log in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _log in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def forget_unacknowledged() -> None:
    """Empty the queue and the broker's record of messages taken but not acknowledged."""
    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def workers(tmp_path):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs the Redis broker"
    forget_unacknowledged()
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        forget_unacknowledged()


def subject(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes())
    return str(make_header(decode_header(message["Subject"])))


def locked(notification_id: int) -> bool:
    """Whether another transaction holds the row's lock (the worker is inside ``deliver``)."""
    with transaction.atomic():
        return (
            not Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).exists()
        )


def test_delivery_killed_while_the_mail_server_takes_it_is_sent_once_by_the_next_worker(workers, official):
    first = workers.start(hold="smtp")
    note = services.notify(users=[official], kind="custom", subject="工作提醒", body="请处理待办事项。")[0]
    wait_for(lambda: workers.at("smtp"), "the worker to reach the mail server")
    assert locked(note.pk), "the worker holds the notification row while it sends"
    workers.kill(first)

    # The killed worker's transaction is rolled back by PostgreSQL: nothing says it was sent or tried.
    note.refresh_from_db()
    assert (note.delivered_at, note.attempts, note.delivery_result) == (None, 0, "")
    assert not locked(note.pk) and workers.mails() == []

    workers.start(visibility_timeout=3)  # takes back the unacknowledged message
    wait_for(lambda: Notification.objects.get(pk=note.pk).delivered_at, "the delivery by the second worker")
    note.refresh_from_db()
    assert (note.delivery_result, note.attempts) == (services.RESULT_SENT, 1)
    assert len(workers.mails()) == 1
    assert subject(workers.mails()[0]) == "工作提醒"
    # A further redelivery of the same task changes nothing.
    assert deliver.delay(note.pk).get(timeout=WAIT) == "already delivered"
    assert len(workers.mails()) == 1
    assert Notification.objects.filter(user=official).count() == 1


def test_a_lost_delivery_message_is_sent_by_the_next_sweep(workers, official):
    note = services.notify(users=[official], kind="custom", subject="工作提醒", body="请处理待办事项。")[0]
    forget_unacknowledged()  # the deliver message is lost (say, the broker lost it)
    # Ten minutes later the email is still not sent: the sweep enqueues it again.
    later = timezone.now() - services.STALLED_AFTER - dt.timedelta(minutes=1)
    Notification.objects.filter(pk=note.pk).update(created_at=later, enqueued_at=later)
    workers.start()
    sweep.delay().get(timeout=WAIT)
    wait_for(lambda: Notification.objects.get(pk=note.pk).delivered_at, "the requeued delivery")
    note.refresh_from_db()
    assert (note.delivery_result, note.attempts) == (services.RESULT_SENT, 1)
    assert len(workers.mails()) == 1
    sweep.delay().get(timeout=WAIT)
    time.sleep(1)
    assert len(workers.mails()) == 1


@pytest.mark.parametrize("message", ["redelivered", "lost"])
def test_sweep_killed_inside_a_transition_closes_the_notice_once(workers, official, message):
    today = timezone.localdate()
    notice = open_notice(official, start=today - dt.timedelta(days=20), end=today - dt.timedelta(days=1))
    first = workers.start(hold="transition")
    sweep.delay()
    wait_for(lambda: workers.at("transition"), "the sweep to close the notice")
    workers.kill(first)

    # Rolled back: the notice is open, its close step pending, nobody told.
    notice.refresh_from_db()
    assert notice.status == "open"
    step = Deadline.objects.get(kind=Clock.PUBLICITY_END, object_id=notice.pk, step=f"close@{notice.end}")
    assert step.done_at is None
    assert ApplicationTransition.objects.filter(to_status="publicity_passed").count() == 0
    assert not Notification.objects.filter(kind="publicity_closed").exists()

    if message == "redelivered":
        workers.start(visibility_timeout=3)  # the killed sweep's message runs again
    else:
        forget_unacknowledged()  # the message is gone: the next beat's sweep does the work
        workers.start()
        sweep.delay().get(timeout=WAIT)
    wait_for(
        lambda: PublicityNotice.objects.filter(pk=notice.pk, status="closed").exists(), "the notice to close"
    )
    wait_for(lambda: workers.mails(), "the email of the closed notice")
    assert sweep.delay().get(timeout=WAIT)["processed"] == 0  # a further sweep finds nothing to do

    step.refresh_from_db()
    assert (step.outcome, step.attempts) == ("done", 0)
    assert ApplicationTransition.objects.filter(to_status="publicity_passed").count() == 2
    assert notice.history.filter(status="closed").count() == 1
    note = Notification.objects.get(kind="publicity_closed")
    assert note.user == official
    # Each application that passed tells the official once, after the commit (certification/workflow.py).
    assert Notification.objects.filter(kind="application_publicity_pass").count() == 2
    wait_for(lambda: not Notification.objects.filter(delivered_at__isnull=True).exists(), "the deliveries")
    assert len(workers.mails()) == 1 + 2
