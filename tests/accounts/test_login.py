import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db


def test_login_lands_on_role_home(client, official, password):
    response = client.post(
        reverse("accounts:login"), {"username": official.username, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("districts:home")


def test_lockout_after_five_failures(client, enterprise_user, password):
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": enterprise_user.username, "password": "wrong-password"})
    # Even the right password is refused while locked.
    response = client.post(url, {"username": enterprise_user.username, "password": password})
    assert response.status_code == 429
    assert "账户已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_success_is_allowed(client, enterprise_user, password):
    url = reverse("accounts:login")
    for _ in range(4):
        client.post(url, {"username": enterprise_user.username, "password": "wrong-password"})
    response = client.post(url, {"username": enterprise_user.username, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(enterprise_user.pk)


def test_api_token_lockout(client, enterprise_user, password):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/",
            {"username": enterprise_user.username, "password": "bad"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": enterprise_user.username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 429
    # The API's lockout is JSON, not the sign-in page's HTML.
    assert response["Content-Type"].startswith("application/json")
    assert "锁定" in response.json()["detail"]


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_RENEW_SECONDS == 60


def _session_writes(client) -> tuple[list[str], object]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("certification:home"))
    assert response.status_code == 200
    return [q["sql"] for q in queries if 'UPDATE "django_session"' in q["sql"]], response


def test_a_request_renews_the_session_once_a_minute(client, enterprise_user):
    client.force_login(enterprise_user)  # the sign-in saves the session: its first renewal
    # Within the minute: neither the session row nor the cookie is written again.
    writes, response = _session_writes(client)
    assert writes == []
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies

    # The last renewal a minute old: the request renews the session and its cookie for 30 minutes.
    session = client.session
    session[SESSION_RENEWED_KEY] = time.time() - 61
    session.save()
    row = Session.objects.filter(session_key=session.session_key)
    row.update(expire_date=row.get().expire_date - dt.timedelta(minutes=10))  # as if 10 minutes idle
    before = row.get().expire_date
    writes, response = _session_writes(client)
    assert len(writes) == 1
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 1800
    assert row.get().expire_date > before


def test_absolute_session_limit_twelve_hours(client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(reverse("certification:home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("certification:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_session_within_limit_survives(client, enterprise_user):
    client.force_login(enterprise_user)
    client.get(reverse("certification:home"))
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 11 * 3600
    session.save()
    assert client.get(reverse("certification:home")).status_code == 200


def test_logout_requires_post(client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_password_change(client, enterprise_user, password):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "Brand-New-Pass-9", "new_password2": "Brand-New-Pass-9"},
    )
    assert response.status_code == 302
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password("Brand-New-Pass-9")


# --- Behind the documented proxy: the lockout counts the client, not the proxy --------------------

PROXY = "10.0.0.2"  # the TLS proxy's own address: every request reaches Django from it


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PROXY_COUNT = 1


def _sign_in(client, username, password, client_address, forged=""):  # type: ignore[no-untyped-def]
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_X_FORWARDED_PROTO="https",
    )


def test_a_lockout_from_one_address_leaves_another_able_to_sign_in(
    client, enterprise_user, password, behind_proxy
):
    for _ in range(5):
        _sign_in(client, enterprise_user.username, "wrong-password", "203.0.113.7")
    locked = _sign_in(client, enterprise_user.username, password, "203.0.113.7")
    assert locked.status_code == 429
    client.cookies.clear()
    other = _sign_in(client, enterprise_user.username, password, "198.51.100.20")
    assert other.status_code == 302, other.status_code
    assert client.session["_auth_user_id"] == str(enterprise_user.pk)


def test_a_forged_forwarded_address_does_not_dodge_the_lockout(
    client, enterprise_user, password, behind_proxy
):
    """The proxy appends the real address; what the client wrote before it is ignored."""
    for i in range(5):
        _sign_in(client, enterprise_user.username, "wrong-password", "203.0.113.7", forged=f"192.0.2.{i}")
    again = _sign_in(client, enterprise_user.username, password, "203.0.113.7", forged="192.0.2.99")
    assert again.status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(client, enterprise_user, password):
    url = reverse("accounts:login")
    for i in range(5):
        client.post(
            url,
            {"username": enterprise_user.username, "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    response = client.post(url, {"username": enterprise_user.username, "password": password})
    assert response.status_code == 429
