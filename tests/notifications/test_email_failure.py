"""An email about a district's work that cannot be sent is on the operations page (a FailedTask) and in
that district's inbox, naming the subject and the recipients."""

from __future__ import annotations

import pytest

from accounts.tasks import send_email
from notifications import tasks as _tasks  # noqa: F401  (connects record_failure, as a worker does)
from notifications.models import FailedTask, Notification

pytestmark = pytest.mark.django_db


def test_a_failed_email_is_recorded_and_told_to_the_district(official, other_official, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = send_email.apply(
        kwargs={
            "subject": "评审任务：某公司",
            "body": "正文",
            "to": ["expert\n@example.com"],  # an address no mail server takes
            "district_id": official.district_id,
            "url": "/district/applications/1/",
        }
    )
    assert result.failed()
    failure = FailedTask.objects.get(task_name="accounts.tasks.send_email")
    assert failure.kwargs["district_id"] == official.district_id
    told = Notification.objects.get(user=official, kind="email_failed")
    assert "评审任务：某公司" in told.subject
    assert "expert" in told.body and told.url == "/district/applications/1/"
    assert not Notification.objects.filter(user=other_official).exists()  # another district: not told


def test_an_email_without_a_district_is_only_recorded(official, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_email.apply(kwargs={"subject": "x", "body": "y", "to": ["bad\n@example.com"]}).failed()
    assert FailedTask.objects.filter(task_name="accounts.tasks.send_email").exists()
    assert not Notification.objects.filter(kind="email_failed").exists()
