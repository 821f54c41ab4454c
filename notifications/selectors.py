"""Reads: who receives what, the inbox, and the state of the scheduler for the operations page."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from notifications.models import Deadline, FailedTask, Notification, SweepRun

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=5)
CELERY_QUEUE = "celery"


# --- Recipients ---------------------------------------------------------------------------------


@dataclass
class Recipients:
    """Who is told, memoised for one sweep: the district's officials, the office, an enterprise's users."""

    _cache: dict[tuple[str, int], list[User]] = field(default_factory=dict)
    preferences: dict[int, tuple[str, str]] = field(default_factory=dict)

    def _get(self, key: tuple[str, int], **filters: Any) -> list[User]:
        if key not in self._cache:
            self._cache[key] = list(User.objects.filter(is_active=True, **filters).order_by("pk"))
            self.preferences_of(self._cache[key])
        return self._cache[key]

    def preferences_of(self, users: list[User]) -> dict[int, tuple[str, str]]:
        """(mode, language) of these people, read once per sweep."""
        from notifications.services import preferences_for

        missing = [u.pk for u in users if u.pk not in self.preferences]
        if missing:
            self.preferences.update(preferences_for(missing))
        return self.preferences

    def district_officials(self, district_id: int) -> list[User]:
        return self._get(("district", district_id), role=Role.DISTRICT, district_id=district_id)

    def municipal_office(self) -> list[User]:
        return self._get(("municipal", 0), role=Role.MUNICIPAL)

    def enterprise_users(self, enterprise_id: int) -> list[User]:
        return self._get(("enterprise", enterprise_id), role=Role.ENTERPRISE, enterprise_id=enterprise_id)


# --- The inbox ----------------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    """The header's badge: one COUNT on the partial index of unread rows."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox_of(user: Any) -> QuerySet[Notification]:
    """A person's own notifications only, newest first: nobody reads another's inbox."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


# --- Operations ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationsStatus:
    last_run: SweepRun | None
    last_finished: SweepRun | None
    stale: bool
    queue_length: int | None
    queue_source: str  # "broker" (Redis LLEN) or "deadlines" (due and not done)
    due_pending: int
    failed: list[FailedTask]


def broker_queue_length() -> int | None:
    """``LLEN celery`` on the Redis broker; None when the broker is not Redis or does not answer."""
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(CELERY_QUEUE))
    except redis.RedisError:
        logger.warning("broker queue length unavailable", exc_info=True)
        return None


def operations_status(now: dt.datetime | None = None) -> OperationsStatus:
    now = now or timezone.now()
    last_run = SweepRun.objects.order_by("-started_at").first()
    last_finished = SweepRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    stale = last_finished is None or now - last_finished.finished_at > STALE_AFTER  # type: ignore[operator]
    due_pending = Deadline.objects.filter(done_at__isnull=True, due_at__lte=now).count()
    queue_length = broker_queue_length()
    return OperationsStatus(
        last_run=last_run,
        last_finished=last_finished,
        stale=stale,
        queue_length=due_pending if queue_length is None else queue_length,
        queue_source="deadlines" if queue_length is None else "broker",
        due_pending=due_pending,
        failed=list(FailedTask.objects.filter(retried_at__isnull=True).order_by("-failed_at", "-id")[:50]),
    )
