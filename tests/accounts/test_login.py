import time

import pytest
from django.urls import reverse

from accounts.middleware import SESSION_STARTED_KEY

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


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


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
