"""The portal's Celery app for a worker *subprocess* of the crash tests (tests/notifications/test_worker_killed.py).

``celery -A tests.worker_app worker`` runs the production app and tasks unchanged, plus two test-only
things read from the environment (nothing here is imported by the portal itself):

- ``KILLTEST_MAIL_DIR``: the email backend ``tests.worker_app.MailDirBackend`` writes each message
  as one file there, so the test process can count what a worker in another process sent.
- ``KILLTEST_HOLD=<point>`` and ``KILLTEST_HOLD_DIR``: at that point of a task (``smtp``: while the
  mail server takes the message, the notification row locked and its transaction open;
  ``transition``: after the sweep closed a publicity notice, before its transaction commits) the
  worker writes ``at-<point>`` in the hold directory and waits there — for the test to SIGKILL it.
- ``KILLTEST_VISIBILITY_TIMEOUT``: the broker's visibility timeout (3600 s in production), so a
  restarted worker takes back the unacknowledged message of the killed one within seconds.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import django
from django.core.mail.backends.base import BaseEmailBackend

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.celery import app  # noqa: E402

HOLD_SECONDS = 120  # a worker nobody kills goes on after this (the test has failed by then)


def hold(point: str) -> None:
    if os.environ.get("KILLTEST_HOLD") != point:
        return
    directory = Path(os.environ["KILLTEST_HOLD_DIR"])
    (directory / f"at-{point}").write_text(str(os.getpid()))
    end = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < end:
        time.sleep(0.05)


class MailDirBackend(BaseEmailBackend):
    """One file per message in ``KILLTEST_MAIL_DIR``, written after the (possibly held) hand-over."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        directory = Path(os.environ["KILLTEST_MAIL_DIR"])
        for message in email_messages:
            hold("smtp")
            name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


def _hold_after_transition() -> None:
    from certification.clocks import PublicityEndClock

    original = PublicityEndClock.fire

    def fire(self, obj, step, deadline, ctx):  # type: ignore[no-untyped-def]
        note = original(self, obj, step, deadline, ctx)
        hold("transition")
        return note

    PublicityEndClock.fire = fire  # type: ignore[method-assign]


if os.environ.get("KILLTEST_HOLD") == "transition":
    _hold_after_transition()
if os.environ.get("KILLTEST_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": int(os.environ["KILLTEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

__all__ = ["app"]
