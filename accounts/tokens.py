"""API tokens with a lifetime, revoked whenever the account's credentials change.

DRF's token never expires and outlives a password change. Here a token lives API_TOKEN_LIFETIME
seconds from its creation (12 hours by default, the same as a browser session's absolute limit); a
request with an expired token is a 401 that says so, and the next token request issues a new key.
Every token of a user is revoked when their password changes (change or reset), when the account is
deactivated and when their two-factor device is removed or replaced. A user lists their tokens and
revokes one through ``/api/v1/auth/tokens/``; a token is named there by a digest, never by its key.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models.signals import post_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.API_TOKEN_LIFETIME)


def expires_at(token: Token) -> dt.datetime:
    return token.created + lifetime()


def is_expired(token: Token, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= expires_at(token)


def token_id(token: Token) -> str:
    """How a token is named in lists and URLs: a digest of the key, which it does not reveal."""
    return hashlib.sha256(token.key.encode()).hexdigest()[:16]


def issue(user) -> Token:  # type: ignore[no-untyped-def]
    """The user's token, a new one if there was none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke_all(user_id: int) -> int:
    return Token.objects.filter(user_id=user_id).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):  # type: ignore[no-untyped-def]
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise AuthenticationFailed(_("API 令牌已过期，请重新获取令牌。"))
        return user, token


# --- Revocation when the credentials change -------------------------------------------------------


def _credentials_changed(sender, instance, update_fields=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login written at every sign-in
    old = type(instance).objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old and (old["password"] != instance.password or (old["is_active"] and not instance.is_active)):
        revoke_all(instance.pk)


def _device_removed(sender, instance, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if instance.user_id:
        revoke_all(instance.user_id)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pre_save.connect(_credentials_changed, sender=get_user_model(), dispatch_uid="tokens-credentials")
    post_delete.connect(_device_removed, sender=TOTPDevice, dispatch_uid="tokens-2fa-device")
