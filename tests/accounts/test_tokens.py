"""API tokens expire, are revoked when the credentials change, and their owner lists and revokes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import tokens

pytestmark = pytest.mark.django_db


def get_token(client, user, password) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert "expires_at" in response.json()
    return response.json()["token"]


def me(client, key):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_expires_after_its_lifetime_and_a_new_request_issues_a_new_key(
    client, enterprise_user, password, time_machine, settings
):
    settings.API_TOKEN_LIFETIME = 12 * 3600
    time_machine.move_to(dt.datetime(2026, 10, 12, 8, 0, tzinfo=dt.UTC))
    key = get_token(client, enterprise_user, password)
    assert me(client, key).status_code == 200
    time_machine.move_to(dt.datetime(2026, 10, 12, 19, 55, tzinfo=dt.UTC))
    assert me(client, key).status_code == 200
    assert get_token(client, enterprise_user, password) == key  # still valid: the same key
    time_machine.move_to(dt.datetime(2026, 10, 12, 20, 5, tzinfo=dt.UTC))
    expired = me(client, key)
    assert expired.status_code == 401
    assert "过期" in expired.json()["detail"]
    fresh = get_token(client, enterprise_user, password)
    assert fresh != key
    assert me(client, fresh).status_code == 200


def test_a_password_change_revokes_the_token(client, enterprise_user, password):
    key = get_token(client, enterprise_user, password)
    enterprise_user.set_password("Another-Pass-2026")
    enterprise_user.save()
    assert me(client, key).status_code == 401


def test_a_password_reset_through_the_page_revokes_the_token(client, enterprise_user, password):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    key = get_token(client, enterprise_user, password)
    uid = urlsafe_base64_encode(force_bytes(enterprise_user.pk))
    url = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(enterprise_user)]
    )
    form = client.get(url, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "Reset-Pass-2026x", "new_password2": "Reset-Pass-2026x"}
    )
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password("Reset-Pass-2026x")
    assert me(client, key).status_code == 401


def test_deactivation_revokes_the_token(client, enterprise_user, password):
    key = get_token(client, enterprise_user, password)
    enterprise_user.is_active = False
    enterprise_user.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=key).exists()


def test_removing_the_two_factor_device_revokes_the_token(client, enterprise_user, password):
    key = get_token(client, enterprise_user, password)
    device = TOTPDevice.objects.create(user=enterprise_user, name="phone", confirmed=False)
    device.delete()
    assert me(client, key).status_code == 401


def test_signing_in_again_keeps_the_token(client, enterprise_user, password):
    """The last_login written at each sign-in is not a credential change."""
    key = get_token(client, enterprise_user, password)
    client.post(reverse("accounts:login"), {"username": enterprise_user.username, "password": password})
    assert me(client, key).status_code == 200


def test_the_owner_lists_and_revokes_their_token(client, enterprise_user, official, password):
    key = get_token(client, enterprise_user, password)
    listed = client.get("/api/v1/auth/tokens/", HTTP_AUTHORIZATION=f"Token {key}").json()["results"]
    assert len(listed) == 1
    row = listed[0]
    assert row["current"] is True and key not in str(listed)
    assert row["id"] == tokens.token_id(Token.objects.get(key=key))
    other_key = Token.objects.create(user=official).key
    # Someone else's token id is a 404, and revokes nothing.
    assert (
        client.delete(
            f"/api/v1/auth/tokens/{row['id']}/", HTTP_AUTHORIZATION=f"Token {other_key}"
        ).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/auth/tokens/{row['id']}/", HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 204
    )
    assert me(client, key).status_code == 401
