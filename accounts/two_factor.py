"""Two-factor sign-in: one TOTP authenticator per user plus ten single-use recovery codes.

Officials, experts and the municipal office must use it whenever settings.OTP_REQUIRED is on (read at
call time, so tests can switch it per test); enterprise users opt in. Every device write happens here;
the browser views, the token API and the middleware only call these functions.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery-codes"
# Roles whose accounts decide applications: the second factor is mandatory for them.
MANDATORY_ROLES = frozenset({Role.DISTRICT, Role.EXPERT, Role.MUNICIPAL})


class TwoFactorError(Exception):
    """A 2FA action the user may not take, or a code that was not accepted; str() is for the user."""


def enforcement_on() -> bool:
    return bool(getattr(settings, "OTP_REQUIRED", True))


def has_authenticator(user: User) -> bool:
    """The user has a confirmed TOTP device (enrolment finished)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_two_factor(user: User) -> bool:
    """Whether this user must pass the second factor before using the portal or getting a token."""
    if not user.is_authenticated or not enforcement_on():
        return False
    # Staff can open the admin, so they count like superusers.
    if user.role in MANDATORY_ROLES or user.is_superuser or user.is_staff:
        return True
    # Enterprise users (and anyone else) opted in by enrolling.
    return has_authenticator(user)


def is_mandatory(user: User) -> bool:
    """2FA cannot be switched off by the user (role or admin rights), whatever OTP_REQUIRED says."""
    return user.role in MANDATORY_ROLES or user.is_superuser or user.is_staff


def format_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_token(token: str) -> str:
    """Users copy codes with spaces or the dash we print; neither is part of the code."""
    return "".join(token.split()).replace("-", "").lower()


def enroll_start(user: User) -> tuple[TOTPDevice, str]:
    """An unconfirmed TOTP device and its otpauth:// URI (for the QR code).

    A pending device is reused, so reloading the setup page does not invalidate a QR code already
    scanned. Until confirmed, the device does not count for sign-in.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device, device.config_url


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def enroll_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the pending device with a code from the app; returns the recovery codes to show ONCE.

    Any earlier authenticator of the user is replaced (the caller makes sure the user either has none
    or has just passed the second factor).
    """
    accepted = False
    codes: list[str] = []
    with transaction.atomic():
        pending = (
            TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        )
        if pending is None:
            raise TwoFactorError(_("该验证器已失效，请刷新页面重新扫描二维码。"))
        # A failed attempt is committed (throttling), so the error is raised after the block.
        if pending.verify_token(normalize_token(token)):
            accepted = True
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=pending.pk).delete()
            codes = _replace_recovery_codes(user)
    if not accepted:
        raise TwoFactorError(_("验证码不正确，请核对手机时间后输入应用中当前显示的 6 位数字。"))
    device.refresh_from_db()
    return codes


def verify(user: User, token: str) -> Device | None:
    """The device that accepts this code (a 6-digit TOTP or a recovery code), else None.

    A recovery code is consumed. A TOTP code cannot be used twice, and after a wrong code the device
    refuses further codes for 1, 2, 4 … seconds (django-otp's throttling).
    """
    token = normalize_token(token or "")
    if not token:
        return None
    if len(token) == 6 and token.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


def second_factor_problem(user: User, token: str) -> str | None:
    """None when `token` passes the second factor (a recovery code is consumed), else why not."""
    if not has_authenticator(user):
        return _("请先在网页登录并完成两步验证设置。")
    if not (token or "").strip():
        return _("需要动态验证码。")
    if verify(user, token) is None:
        return _("动态验证码错误或已使用。")
    return None


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Returns the codes to show ONCE."""
    with transaction.atomic():
        if not has_authenticator(user):
            raise TwoFactorError(_("请先设置身份验证器。"))
        return _replace_recovery_codes(user)


def disable(*, user: User, token: str) -> None:
    """An enterprise user who opted in switches 2FA off again, confirmed with a current code."""
    if is_mandatory(user) or user.role != Role.ENTERPRISE:
        raise TwoFactorError(_("您的账户必须使用两步验证，不能关闭。"))
    if not has_authenticator(user):
        raise TwoFactorError(_("您尚未开启两步验证。"))
    # Checked outside a transaction of ours, so a failed attempt's throttling is kept.
    if verify(user, token) is None:
        raise TwoFactorError(_("验证码不正确。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
