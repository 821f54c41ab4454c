"""Celery tasks of the scheduler and the mail: each takes ids, calls a service, is safe to run twice."""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from celery.signals import task_failure
from django.utils.translation import gettext as _

from notifications import services
from notifications import sweep as sweeping

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.sweep", acks_late=True)
def sweep() -> dict[str, Any]:
    """Every minute (beat): set missing clocks, perform due steps. A run that dies is redone by the next."""
    result = sweeping.sweep()
    return {
        "processed": result.processed,
        "skipped": result.skipped,
        "errors": result.errors,
        "scheduled": result.scheduled,
        "max_lock_seconds": round(result.max_lock_seconds, 3),
    }


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=services.MAX_DELIVERY_ATTEMPTS - 1,
)
def deliver(self: Any, notification_id: int) -> str:
    """Email one notification; ``delivered_at`` makes a second run (redelivery, retry) a no-op."""
    return services.deliver_notification(notification_id)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=5
)
def send_digest(self: Any, user_id: int) -> int:
    return services.send_digest(user_id)


@shared_task(acks_late=True)
def send_digests() -> int:
    """Daily at 08:00 Beijing time (beat): one digest task per person with notifications waiting."""
    users = services.digest_users()
    for user_id in users:
        send_digest.delay(user_id)
    return len(users)


@task_failure.connect
def record_failure(
    sender: Any = None,
    task_id: str = "",
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    **extra: Any,
) -> None:
    """Any task of the portal that fails for good (retries used up) shows on the operations page."""
    try:
        services.record_failed_task(
            task_name=getattr(sender, "name", str(sender)),
            task_id=task_id or "",
            args=list(args or []),
            kwargs=dict(kwargs or {}),
            error=services.format_error(exception) if exception else "",
        )
    except Exception:  # the record is a convenience; never let it hide the task's own error
        logger.exception("could not record the failure of task %s", task_id)
    if getattr(sender, "name", "") == EMAIL_TASK and (kwargs or {}).get("district_id"):
        try:
            tell_district_email_failed(kwargs or {})
        except Exception:
            logger.exception("could not tell the district of the failed email %s", task_id)


EMAIL_TASK = "accounts.tasks.send_email"


def tell_district_email_failed(kwargs: dict[str, Any]) -> None:
    """An email about a district's work that could not be sent: its officials learn it in the inbox,
    with the subject and the recipients, so that they can reach those people another way."""
    from accounts.models import Role, User

    officials = list(
        User.objects.filter(role=Role.DISTRICT, district_id=kwargs["district_id"], is_active=True)
    )
    if not officials:
        return
    services.notify(
        users=officials,
        kind="email_failed",
        url=kwargs.get("url", ""),
        subject=_("邮件未能发送：%(subject)s")
        % {"subject": " ".join(str(kwargs.get("subject", "")).split())},
        body=_("发给 %(to)s 的邮件未能发送，请通过电话等其他方式通知对方。")
        % {"to": "、".join(str(a) for a in kwargs.get("to", []))},
    )
