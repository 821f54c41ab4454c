"""Email: immediate or in the daily digest, in the person's language, logged, idempotent, retried."""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException

import pytest
from celery.exceptions import Retry

from notifications import services
from notifications.models import DeliveryMode, FailedTask, Language, Notification, NotificationPreference
from notifications.sweep import sweep
from notifications.tasks import deliver, send_digests
from tests.factories import UserFactory
from tests.notifications.conftest import D, accepted_application

pytestmark = pytest.mark.django_db


def remind(travel, django_capture_on_commit_callbacks):
    travel("2026-03-01 10:00")
    application = accepted_application(D("2026-04-10"))
    travel("2026-03-31 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    return application


def prefer(user, mode=DeliveryMode.IMMEDIATE, language=Language.CHINESE):
    NotificationPreference.objects.update_or_create(user=user, defaults={"mode": mode, "language": language})


def test_immediate_email_in_chinese_with_html(
    travel, official, eager, mailoutbox, django_capture_on_commit_callbacks
):
    application = remind(travel, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [official.email]
    assert message.subject == f"办理期限还剩 10 天：{application.enterprise.name}"
    assert "2026-04-10" in message.body and f"/district/applications/{application.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<script" not in html and "2026-04-10" in html
    note = Notification.objects.get(user=official)
    assert note.delivered_at is not None and note.delivery_result == "sent" and note.attempts == 1
    assert note.digest is False and note.channel == "email"


def test_english_when_the_person_chose_english(
    travel, official, eager, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(official, language=Language.ENGLISH)
    application = remind(travel, django_capture_on_commit_callbacks)
    message = mailoutbox[0]
    assert message.subject == f"10 days left to process: {application.enterprise.name}"
    assert "must be finished within 40 days of acceptance" in message.body
    assert "View details" in message.alternatives[0][0]
    # The inbox row is in English too.
    assert Notification.objects.get(user=official).subject == message.subject


def test_digest_waits_for_eight_oclock_and_goes_once(
    travel, official, second_official, eager, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(official, mode=DeliveryMode.DIGEST)
    travel("2026-03-01 10:00")
    accepted_application(D("2026-04-10"))
    accepted_application(D("2026-04-10"))
    travel("2026-03-31 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    # The colleague who wants immediate emails has two; the digest reader none yet.
    assert sorted(m.to[0] for m in mailoutbox) == [second_official.email] * 2
    waiting = Notification.objects.filter(user=official)
    assert waiting.count() == 2 and all(n.digest and n.delivered_at is None for n in waiting)

    mailoutbox.clear()
    travel("2026-04-01 08:00")
    assert send_digests.delay().get() == 1
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == [official.email] and digest.subject == "您有 2 条新通知"
    assert digest.body.count("办理期限还剩 10 天") == 2
    assert all(n.delivered_at and n.delivery_result == "sent in digest" for n in waiting.all())
    assert send_digests.delay().get() == 0
    assert len(mailoutbox) == 1


def test_delivering_twice_sends_once(travel, official, mailoutbox, django_capture_on_commit_callbacks):
    remind(travel, django_capture_on_commit_callbacks)  # not eager: the task is not run here
    note = Notification.objects.get(user=official)
    assert services.deliver_notification(note.pk) == "sent"
    assert services.deliver_notification(note.pk) == "already delivered"
    assert len(mailoutbox) == 1


def test_no_email_address_means_inbox_only(travel, eager, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(official=True, username="no_mail", email="")
    remind(travel, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user__username="no_mail")
    assert note.channel == "inbox" and note.delivered_at is not None
    assert note.delivery_result.startswith("inbox only")
    assert mailoutbox == []


def test_smtp_failure_is_logged_retried_and_recorded(
    travel, official, eager, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    remind(travel, django_capture_on_commit_callbacks)  # eager: delivered at once
    note = Notification.objects.get(user=official)
    Notification.objects.filter(pk=note.pk).update(delivered_at=None, delivery_result="", attempts=0)

    def down(self, *args, **kwargs):
        raise SMTPException("relay down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", down)
    with pytest.raises(Retry):
        deliver.delay(note.pk)  # the first failure is retried with backoff
    note.refresh_from_db()
    assert note.delivered_at is None and note.attempts == 1
    assert note.delivery_result == "failed: SMTPException: relay down"
    assert not FailedTask.objects.exists()
    # The last retry fails for good (as a worker runs it: the failure is handled, not raised here).
    result = deliver.apply(args=[note.pk], retries=deliver.max_retries, throw=False)
    assert result.failed() and isinstance(result.result, SMTPException)
    note.refresh_from_db()
    assert note.attempts == 2
    failed = FailedTask.objects.get()
    assert failed.task_name == "notifications.tasks.deliver" and failed.args == [note.pk]
    assert "relay down" in failed.error

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.failed_task_retry(failed=failed, by=UserFactory(municipal=True))
    note.refresh_from_db()
    assert note.delivered_at is not None and note.delivery_result == "sent"


def test_lost_email_task_is_enqueued_again_by_the_sweep(
    travel, official, eager, mailoutbox, django_capture_on_commit_callbacks
):
    travel("2026-03-01 10:00")
    accepted_application(D("2026-04-10"))
    travel("2026-03-31 09:00")
    sweep()  # its on_commit enqueue never runs: as if the worker died right after the commit
    assert mailoutbox == []
    travel("2026-03-31 09:05")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().requeued == 0  # not yet stalled
    travel("2026-03-31 09:11")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().requeued == 1
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().requeued == 0


def test_switching_to_immediate_sends_what_waited(
    travel, official, eager, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(official, mode=DeliveryMode.DIGEST)
    remind(travel, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.preference_update(user=official, mode=DeliveryMode.IMMEDIATE, language=Language.CHINESE)
    assert len(mailoutbox) == 1


def test_other_apps_send_their_own_text(official, eager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(
            users=[official],
            kind="custom",
            subject="临时通知",
            body="请于明日上午参加会议。",
            url="/district/",
        )
    assert created[0].subject == "临时通知" and created[0].body == "请于明日上午参加会议。"
    assert mailoutbox[0].subject == "临时通知" and "请于明日上午参加会议。" in mailoutbox[0].body


def test_every_notification_is_logged_with_its_result(
    travel, official, eager, django_capture_on_commit_callbacks
):
    UserFactory(official=True, username="no_mail_2", email="")
    remind(travel, django_capture_on_commit_callbacks)
    results = dict(Notification.objects.values_list("user__username", "delivery_result"))
    assert results[official.username] == "sent"
    assert results["no_mail_2"].startswith("inbox only")
    assert all(isinstance(n.delivered_at, dt.datetime) for n in Notification.objects.all())
