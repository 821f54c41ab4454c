"""The beat schedule: the sweep every minute replaces the two periodic jobs; the digest at 08:00."""

from __future__ import annotations

from celery.schedules import crontab
from django.conf import settings

from config.celery import app


def test_sweep_every_minute_and_digest_at_eight_beijing_time():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-deadlines"] == {"task": "notifications.tasks.sweep", "schedule": 60.0}
    digest = schedule["send-digests"]
    assert digest["task"] == "notifications.tasks.send_digests"
    assert digest["schedule"] == crontab(hour=8, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    # Closing notices and flagging missing reports are clocks of the sweep now.
    tasks = {entry["task"] for entry in schedule.values()}
    assert "certification.tasks.close_due_notices" not in tasks
    assert "certification.lifecycle_tasks.flag_missing_reports" not in tasks
    assert "accounts.tasks.clear_expired_sessions" in tasks


def test_tasks_are_registered_and_late_acknowledged():
    app.loader.import_default_modules()
    for name in (
        "notifications.tasks.sweep",
        "notifications.tasks.deliver",
        "notifications.tasks.send_digests",
    ):
        assert name in app.tasks
        assert app.tasks[name].acks_late is True
