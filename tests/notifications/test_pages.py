"""The inbox, the header count, the preferences, and the municipal office's operations page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import FailedTask, Notification, NotificationPreference, SweepRun

pytestmark = pytest.mark.django_db

INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.I)


def send(user, n: int = 1, **kwargs) -> list[Notification]:
    rows = []
    for i in range(n):
        rows += services.notify(
            users=[user],
            kind="custom",
            subject=f"通知{i}",
            body=f"内容{i}",
            url=kwargs.get("url", "/district/"),
        )
    return rows


def unread_badge(html: str) -> str | None:
    match = re.search(r'data-testid="inbox-unread"[^>]*>(\d+)<', html)
    return match.group(1) if match else None


# --- Inbox and header ---------------------------------------------------------------------------


def test_header_shows_the_unread_count(client, official):
    client.force_login(official)
    html = client.get("/district/").content.decode()
    assert 'data-testid="inbox"' in html and unread_badge(html) is None
    send(official, 3)
    html = client.get("/district/").content.decode()
    assert unread_badge(html) == "3"
    client.post("/notifications/read-all/")
    assert unread_badge(client.get("/district/").content.decode()) is None


def test_anonymous_has_no_inbox_and_is_sent_to_login(client):
    assert 'data-testid="inbox"' not in client.get("/").content.decode()
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_lists_ones_own_only_and_paginates(client, official, other_official):
    send(official, 25)
    send(other_official, 1)
    client.force_login(official)
    first = client.get("/notifications/").content.decode()
    assert first.count('data-testid="notification"') == 20
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count('data-testid="notification"') == 5
    assert "通知0" in second and "通知24" in first  # newest first
    assert not INLINE_CODE.search(first)


def test_mark_read_only_ones_own(client, official, other_official):
    mine = send(official)[0]
    theirs = send(other_official)[0]
    client.force_login(official)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(f"/notifications/{mine.pk}/read/", {"page": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_open_marks_read_and_follows_local_links_only(client, official):
    local = send(official, url="/district/applications/1/")[0]
    foreign = send(official, url="https://evil.example/")[0]
    client.force_login(official)
    response = client.post(f"/notifications/{local.pk}/read/", {"open": "1"})
    assert response["Location"] == "/district/applications/1/"
    response = client.post(f"/notifications/{foreign.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_inbox_needs_post_to_change(client, official):
    note = send(official)[0]
    client.force_login(official)
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_are_saved(client, enterprise_user):
    client.force_login(enterprise_user)
    html = client.get("/notifications/preferences/").content.decode()
    assert 'value="digest"' in html and not INLINE_CODE.search(html)
    response = client.post("/notifications/preferences/", {"mode": "digest", "language": "en"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=enterprise_user)
    assert (preference.mode, preference.language) == ("digest", "en")
    assert client.post("/notifications/preferences/", {"mode": "weekly", "language": "en"}).status_code == 200


# --- Operations page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("enterprise_user", 403),
        ("official", 403),
        ("expert_user", 403),
        ("municipal_user", 200),
    ],
)
def test_operations_page_is_the_municipal_offices(client, request, who, status):
    user = request.getfixturevalue(who)
    if user is not None:
        client.force_login(user)
    assert client.get("/municipal/operations/").status_code == status


def test_a_stale_sweep_shows_as_an_alarm(client, municipal_user, travel):
    client.force_login(municipal_user)
    travel("2026-11-27 10:00")
    html = client.get("/municipal/operations/").content.decode()
    assert 'data-testid="stale-alarm"' in html  # never ran
    SweepRun.objects.create(
        started_at=timezone.now() - dt.timedelta(seconds=2), finished_at=timezone.now(), processed=7
    )
    travel("2026-11-27 10:04")
    html = client.get("/municipal/operations/").content.decode()
    assert 'data-testid="stale-alarm"' not in html and 'data-testid="sweep-ok"' in html
    travel("2026-11-27 10:05:01")  # over five minutes since the last finished sweep
    html = client.get("/municipal/operations/").content.decode()
    assert 'data-testid="stale-alarm"' in html and "2026-11-27 10:00:00" in html
    assert not INLINE_CODE.search(html)


def test_a_sweep_that_never_finished_is_stale_too(client, municipal_user, travel):
    client.force_login(municipal_user)
    travel("2026-11-27 10:00")
    SweepRun.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    travel("2026-11-27 10:07")
    SweepRun.objects.create(started_at=timezone.now() - dt.timedelta(minutes=1))  # died mid-way
    html = client.get("/municipal/operations/").content.decode()
    assert 'data-testid="stale-alarm"' in html


def test_queue_length_and_failed_tasks_with_retry(
    client, municipal_user, monkeypatch, travel, django_capture_on_commit_callbacks
):
    from notifications import selectors

    travel("2026-11-27 10:00")
    monkeypatch.setattr(selectors, "broker_queue_length", lambda: 42)
    failed = FailedTask.objects.create(
        task_name="accounts.tasks.clear_expired_sessions", args=[], error="OperationalError: server closed"
    )
    client.force_login(municipal_user)
    html = client.get("/municipal/operations/").content.decode()
    assert re.search(r'data-testid="queue-length">42\b', html)
    assert (
        "OperationalError: server closed" in html
        and f"/municipal/operations/failed/{failed.pk}/retry/" in html
    )

    sent = []
    monkeypatch.setattr(
        "accounts.tasks.clear_expired_sessions.apply_async", lambda args=None, kwargs=None: sent.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/municipal/operations/failed/{failed.pk}/retry/")
    assert response.status_code == 302 and sent == [[]]  # enqueued again, after the commit
    failed.refresh_from_db()
    assert failed.retried_at is not None and failed.retried_by == municipal_user
    assert 'data-testid="failed-tasks"' not in client.get("/municipal/operations/").content.decode()
    # A second press does not enqueue it twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/municipal/operations/failed/{failed.pk}/retry/")
    assert sent == [[]] and FailedTask.objects.get(pk=failed.pk).retried_at == failed.retried_at


def test_queue_length_falls_back_to_due_deadlines(client, municipal_user, monkeypatch, travel):
    from notifications import selectors
    from notifications.models import Deadline

    monkeypatch.setattr(selectors, "broker_queue_length", lambda: None)
    travel("2026-11-27 10:00")
    Deadline.objects.create(
        kind="report_flags", object_id=20261127, step="flag@2026-11-27", due_at=timezone.now()
    )
    client.force_login(municipal_user)
    html = client.get("/municipal/operations/").content.decode()
    assert re.search(r'data-testid="queue-length">1\b', html) and re.search(
        r'data-testid="due-pending">1\b', html
    )


def test_retry_is_for_the_municipal_office_only(client, official):
    failed = FailedTask.objects.create(task_name="notifications.tasks.send_digests", error="x")
    client.force_login(official)
    assert client.post(f"/municipal/operations/failed/{failed.pk}/retry/").status_code == 403
    failed.refresh_from_db()
    assert failed.retried_at is None


def test_operations_page_in_english(client, municipal_user, travel):
    client.force_login(municipal_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    travel("2026-11-27 10:00")
    html = client.get("/municipal/operations/").content.decode()
    assert "Operations" in html and "Alarm: the deadline sweep has never completed" in html
