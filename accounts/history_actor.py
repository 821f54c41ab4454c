"""Who made a history record, when no signed-in user did.

Every django-simple-history record names its actor. A write inside a request names the signed-in
user (``HistoryRequestMiddleware``) or the user a service passes as ``_history_user``. Two actors
are not users, and their records say so in ``history_change_reason`` (``history_user`` stays empty):

- ``system:<what>`` — the scheduler and the Celery worker (the sweep closing a notice, a batch job).
  ``system_actor("sweep")`` marks every record written inside it; every Celery task runs inside
  ``system_actor("celery:<task name>")`` (the task_prerun / task_postrun signals below).
- a user's own record changed before anyone is signed in (a sign-in's ``last_login``, a password reset
  by token) names that user.
- ``public:<path>`` — a visitor without an account (a real-name objection, a report), written in an
  anonymous request: the page it came through.

A reason a service gave is kept after the marker (``system:sweep 公示期满自动结束``), cut at the
column's 100 characters. ``actor_of(record)`` reads the convention back.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

SYSTEM = "system:"
PUBLIC = "public:"
REASON_MAX = 100

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("history_system_actor", default=None)


@contextlib.contextmanager
def system_actor(what: str) -> Iterator[None]:
    """Mark the history records written inside as made by the system (``system:<what>``)."""
    token = _actor.set(SYSTEM + what)
    try:
        yield
    finally:
        _actor.reset(token)


def _current_request() -> Any:
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def mark_history_record(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """``pre_create_historical_record``: a record without a user gets the system or public marker."""
    if getattr(history_instance, "history_user_id", None) is not None:
        return
    marker = _actor.get()
    instance = kwargs.get("instance")
    if marker is None and history_instance.history_type == "~" and _is_user(instance):
        # A user's own record changed with nobody signed in yet: a sign-in (last_login), a password
        # reset by e-mailed token. The actor is that user.
        history_instance.history_user_id = instance.pk
        return
    if marker is None:
        request = _current_request()
        user = getattr(request, "user", None)
        if request is not None and not getattr(user, "is_authenticated", False):
            marker = PUBLIC + request.path
    if marker is None:
        return
    reason = history_instance.history_change_reason
    history_instance.history_change_reason = (f"{marker} {reason}" if reason else marker)[:REASON_MAX]


def _is_user(instance: Any) -> bool:
    from django.contrib.auth import get_user_model

    return isinstance(instance, get_user_model())


def actor_of(record: Any) -> str | None:
    """The user's name, ``system:…`` or ``public:…``; None when the record names nobody (a bug)."""
    if record.history_user_id is not None:
        return str(record.history_user_id)
    reason = record.history_change_reason or ""
    if reason.startswith((SYSTEM, PUBLIC)):
        return reason.split(" ", 1)[0]
    return None


_tokens: dict[str, contextvars.Token] = {}


def _task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is not None:
        _tokens[task_id] = _actor.set(SYSTEM + "celery:" + getattr(task, "name", "task"))


def _task_finished(task_id: str | None = None, **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        with contextlib.suppress(ValueError):  # reset in another context (eager tasks nest)
            _actor.reset(token)


def connect() -> None:
    from celery.signals import task_postrun, task_prerun
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(mark_history_record, dispatch_uid="accounts.history_actor")
    task_prerun.connect(_task_started, dispatch_uid="accounts.history_actor.prerun", weak=False)
    task_postrun.connect(_task_finished, dispatch_uid="accounts.history_actor.postrun", weak=False)
