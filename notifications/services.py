"""Every write of the notifications app: notify, deliver, digest, read, preferences, retry.

Other apps send through ``notify``. Delivery is at least once for email (an SMTP server may take a
message and the worker die before the row says so) and exactly once for the inbox row, which is
written in the same transaction as the deadline step that caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from notifications import emails
from notifications.models import (
    Channel,
    Deadline,
    DeliveryMode,
    FailedTask,
    Language,
    Notification,
    NotificationPreference,
    Outcome,
)

logger = logging.getLogger(__name__)

DEADLINE_TASK = "notifications.deadline"  # FailedTask.task_name of a deadline step that gave up
MAX_DELIVERY_ATTEMPTS = 8
STALLED_AFTER = dt.timedelta(minutes=10)  # an immediate email not sent by then is enqueued again
RESULT_SENT = "sent"
RESULT_DIGEST = "sent in digest"
RESULT_INBOX_ONLY = "inbox only: no email address or inactive user"


# --- Preferences --------------------------------------------------------------------------------


def preferences_for(user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(mode, language) per user; no row means immediate, in Chinese."""
    ids = list(user_ids)
    found = {
        user_id: (mode, language)
        for user_id, mode, language in NotificationPreference.objects.filter(user_id__in=ids).values_list(
            "user_id", "mode", "language"
        )
    }
    return {pk: found.get(pk, (DeliveryMode.IMMEDIATE, Language.CHINESE)) for pk in ids}


def language_of(user_id: int) -> str:
    return preferences_for([user_id])[user_id][1]


def preference_update(*, user: User, mode: str, language: str) -> NotificationPreference:
    if mode not in DeliveryMode.values or language not in Language.values:
        raise InvalidInput({"mode": [_("请选择有效的通知方式和语言。")]})
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        preference.mode, preference.language = mode, language
        preference.save()
        if mode == DeliveryMode.IMMEDIATE:
            # Anything waiting for a digest goes out now rather than never.
            waiting = list(
                Notification.objects.filter(
                    user=user, digest=True, delivered_at__isnull=True, channel=Channel.EMAIL
                ).values_list("pk", flat=True)
            )
            if waiting:
                Notification.objects.filter(pk__in=waiting).update(digest=False, enqueued_at=timezone.now())
                transaction.on_commit(lambda: enqueue_deliveries(waiting))
    return preference


# --- Sending ---------------------------------------------------------------------------------------


def notify(*, users: Sequence[User], kind: str, **options: Any) -> list[Notification]:
    """An inbox row per person; their email at once (after the commit) or in tomorrow's digest.

    ``options`` are :func:`build_notifications`' (url, context, subject, body, deadline, now).
    ``subject``/``body`` are rendered from ``templates/notifications/email/<kind>.*`` in each
    person's language unless given. Call inside the caller's transaction: nothing is sent if it
    rolls back. With ``deadline``, a person gets one row per deadline step (unique constraint).
    """
    return save_notifications(build_notifications(users=users, kind=kind, **options))


def build_notifications(
    *,
    users: Sequence[User],
    kind: str,
    url: str = "",
    context: dict[str, Any] | None = None,
    subject: str | None = None,
    body: str | None = None,
    deadline: Deadline | None = None,
    now: dt.datetime | None = None,
    preferences: dict[int, tuple[str, str]] | None = None,
) -> list[Notification]:
    """The unsaved rows of ``notify`` (the sweep saves a whole batch's rows in one INSERT)."""
    now = now or timezone.now()
    context = context or {}
    people = list({u.pk: u for u in users if u.is_active}.values())
    if not people:
        return []
    if preferences is None or any(u.pk not in preferences for u in people):
        preferences = preferences_for(u.pk for u in people)
    rendered: dict[str, emails.Rendered] = {}
    stored_context = context if subject is None else {**context, "_subject": subject, "_body": body or ""}
    rows = []
    for user in people:
        mode, language = preferences[user.pk]
        if language not in rendered:
            rendered[language] = emails.render(
                kind, context, language, url=url, subject=subject, body=body, html=False
            )
        message = rendered[language]
        channel = Channel.EMAIL if user.email else Channel.INBOX
        immediate = channel == Channel.EMAIL and mode == DeliveryMode.IMMEDIATE
        rows.append(
            Notification(
                user=user,
                kind=kind,
                subject=message.subject,
                body=message.text,
                url=url,
                context=stored_context,
                deadline=deadline,
                created_at=now,
                channel=channel,
                digest=channel == Channel.EMAIL and mode == DeliveryMode.DIGEST,
                enqueued_at=now if immediate else None,
                delivered_at=None if channel == Channel.EMAIL else now,
                delivery_result="" if channel == Channel.EMAIL else RESULT_INBOX_ONLY,
            )
        )
    return rows


def save_notifications(rows: list[Notification]) -> list[Notification]:
    """Insert the rows; their immediate emails are enqueued once the transaction commits."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    immediate_ids = [n.pk for n in created if n.channel == Channel.EMAIL and not n.digest]
    if immediate_ids:
        transaction.on_commit(lambda: enqueue_deliveries(immediate_ids))
    return created


def enqueue_deliveries(ids: Iterable[int]) -> None:
    """One ``deliver`` message per notification, published through one broker connection."""
    from config.celery import app
    from notifications.tasks import deliver

    with app.producer_or_acquire() as producer:
        for pk in ids:
            deliver.apply_async((pk,), producer=producer)


def _rendered_for(notification: Notification, language: str) -> emails.Rendered:
    context = dict(notification.context or {})
    subject = context.pop("_subject", None)
    body = context.pop("_body", None)
    return emails.render(
        notification.kind, context, language, url=notification.url, subject=subject, body=body
    )


def deliver_notification(notification_id: int, *, now: dt.datetime | None = None) -> str:
    """Email one notification unless it has been sent; safe to run twice, or twice at once.

    The row is locked while the message is handed to the mail server, so two workers never both
    send it; an error is written on the row and raised again for the task to retry with backoff.
    """
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "missing or being sent"
        if notification.delivered_at is not None:
            return "already delivered"
        if notification.digest:
            return "waits for the digest"
        now = now or timezone.now()
        user = notification.user
        if not user.email or not user.is_active:
            notification.delivered_at, notification.delivery_result = now, RESULT_INBOX_ONLY
            notification.channel = Channel.INBOX
            notification.save(update_fields=["delivered_at", "delivery_result", "channel"])
            return RESULT_INBOX_ONLY
        language = language_of(user.pk)
        message = emails.build_email(
            _rendered_for(notification, language), to=user.email, url=notification.url, language=language
        )
        notification.attempts += 1
        try:
            message.send()
        except Exception as exc:  # the transport's error, kept on the row and retried by the task
            error = exc
            notification.delivery_result = f"failed: {type(exc).__name__}: {exc}"[:300]
            notification.save(update_fields=["attempts", "delivery_result"])
        else:
            notification.delivered_at, notification.delivery_result = now, RESULT_SENT
            notification.save(update_fields=["attempts", "delivered_at", "delivery_result"])
    if error is not None:
        logger.warning("notification %s: delivery failed: %s", notification_id, error)
        raise error
    logger.info("notification %s delivered", notification_id)
    return RESULT_SENT


def digest_users() -> list[int]:
    return list(
        Notification.objects.filter(digest=True, delivered_at__isnull=True, channel=Channel.EMAIL)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def send_digest(user_id: int, *, now: dt.datetime | None = None) -> int:
    """One email with the person's waiting notifications; a second run finds none waiting."""
    error: Exception | None = None
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, digest=True, delivered_at__isnull=True, channel=Channel.EMAIL)
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        now = now or timezone.now()
        user = User.objects.get(pk=user_id)
        ids = [n.pk for n in pending]
        if not user.email or not user.is_active:
            Notification.objects.filter(pk__in=ids).update(
                delivered_at=now, delivery_result=RESULT_INBOX_ONLY
            )
            return 0
        language = language_of(user_id)
        items = [
            {"subject": n.subject, "body": n.body, "url": n.url, "created_at": n.created_at} for n in pending
        ]
        try:
            emails.build_digest(items, to=user.email, language=language).send()
        except Exception as exc:
            error = exc
            Notification.objects.filter(pk__in=ids).update(
                attempts=F("attempts") + 1, delivery_result=f"failed: {type(exc).__name__}: {exc}"[:300]
            )
        else:
            Notification.objects.filter(pk__in=ids).update(
                attempts=F("attempts") + 1, delivered_at=now, delivery_result=RESULT_DIGEST
            )
    if error is not None:
        raise error
    return len(pending)


def requeue_stalled(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Immediate emails whose task was lost (a worker died between commit and enqueue) go out again."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                delivered_at__isnull=True,
                digest=False,
                channel=Channel.EMAIL,
                created_at__lte=now - STALLED_AFTER,
                enqueued_at__lte=now - STALLED_AFTER,
                attempts__lt=MAX_DELIVERY_ATTEMPTS,
            )
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return len(ids)


# --- The inbox -----------------------------------------------------------------------------------


def mark_read(*, user: User, notification_id: int) -> bool:
    """Only the person's own notification; a second call changes nothing."""
    return bool(
        Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Failures ----------------------------------------------------------------------------------


def record_failed_task(
    *, task_name: str, task_id: str = "", args: Sequence[Any] = (), kwargs: dict | None = None, error: str
) -> FailedTask:
    """One row per failing call; the same call failing the same way again (a periodic task during an
    outage) moves the row's time instead of adding rows."""
    fields = {"task_name": task_name[:200], "args": list(args), "kwargs": kwargs or {}, "error": error[:5000]}
    same = FailedTask.objects.filter(retried_at__isnull=True, **fields).order_by("-failed_at").first()
    if same is not None:
        same.failed_at, same.task_id = timezone.now(), (task_id or "")[:64]
        same.save(update_fields=["failed_at", "task_id"])
        return same
    return FailedTask.objects.create(task_id=(task_id or "")[:64], **fields)


def format_error(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def failed_task_retry(*, failed: FailedTask, by: User) -> FailedTask:
    """The operations page's retry button: the task is enqueued again (a deadline step made due again)."""
    from config.celery import app

    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以重新执行任务。"))
    with transaction.atomic():
        failed = FailedTask.objects.select_for_update().get(pk=failed.pk)
        if failed.retried_at is not None:
            raise ApplicationStateError(_("该任务已重试。"), status="retried")
        if failed.task_name == DEADLINE_TASK:
            Deadline.objects.filter(pk__in=failed.args, outcome=Outcome.FAILED).update(
                done_at=None, outcome=Outcome.PENDING, attempts=0, retry_at=None
            )
        elif failed.task_name in app.tasks:
            args, kwargs = list(failed.args), dict(failed.kwargs)
            task = app.tasks[failed.task_name]
            transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
        else:
            raise InvalidInput({"task": [_("未知的任务，无法重试。")]})
        failed.retried_at = timezone.now()
        failed.retried_by = by
        failed.save(update_fields=["retried_at", "retried_by"])
    return failed
