"""Two-factor sign-in: TOTP + recovery codes, mandatory for officials, experts and the office.

The rest of the suite runs with OTP_REQUIRED=false (pyproject's pytest env); every test here that
needs enforcement switches it on with the `settings` fixture, which the middleware and services read
per request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import two_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True


def code_for(device: TOTPDevice) -> str:
    """What the user's authenticator app shows: computed from the device key with django-otp's TOTP.

    A TOTP code is accepted once (django-otp remembers the last time step), so a second sign-in in the
    same 30 seconds uses the next step's code, which the device's one-step tolerance accepts.
    """
    device.refresh_from_db()
    step_now = int((time.time() - device.t0) // device.step)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + max(step_now, device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device, _uri = two_factor.enroll_start(user)
    codes = two_factor.enroll_confirm(user=user, device=device, token=code_for(device))
    return device, codes


def sign_in(client, user, password, next_url: str | None = None):
    url = reverse("accounts:login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return client.post(url, {"username": user.username, "password": password})


def verify_url(next_url: str = "/") -> str:
    return f"{reverse('accounts:otp_verify')}?{urlencode({'next': next_url})}"


def setup_url(next_url: str = "/") -> str:
    return f"{reverse('accounts:otp_setup')}?{urlencode({'next': next_url})}"


# --- Who needs the second factor ---------------------------------------------------------------


@pytest.mark.parametrize("person", ["official", "expert_user", "municipal_user"])
def test_officials_experts_and_office_always_need_it(request, otp_on, person):
    assert two_factor.requires_two_factor(request.getfixturevalue(person))


def test_superuser_needs_it(otp_on):
    assert two_factor.requires_two_factor(UserFactory(is_superuser=True, is_staff=True))


def test_enterprise_only_after_opting_in(otp_on, enterprise_user):
    assert not two_factor.requires_two_factor(enterprise_user)
    enrol(enterprise_user)
    assert two_factor.requires_two_factor(enterprise_user)


def test_nobody_needs_it_with_enforcement_off(settings, official):
    settings.OTP_REQUIRED = False
    enrol(official)
    assert not two_factor.requires_two_factor(official)


# --- Enrolment ---------------------------------------------------------------------------------


def test_official_without_device_is_sent_to_setup_and_kept_there(client, otp_on, official, password):
    response = sign_in(client, official, password)
    assert response.status_code == 302
    assert response["Location"] == setup_url("/")
    # Signed in with the password, but nothing else opens until the authenticator is enrolled.
    for url in [
        reverse("districts:home"),
        "/",
        reverse("accounts:password_change"),
        reverse("accounts:security"),
    ]:
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_setup")), url
    response = client.get(reverse("districts:home"))
    assert response["Location"] == setup_url(reverse("districts:home"))


def test_setup_page_shows_qr_code_and_secret(client, otp_on, official, password):
    sign_in(client, official, password)
    response = client.get(setup_url())
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=official)
    assert device.confirmed is False
    assert 'src="data:image/svg+xml' in html  # segno renders it inline; no external QR service
    assert two_factor.format_secret(device) in html
    assert 'name="token"' in html
    # Reloading keeps the same pending secret, so a QR code already scanned still works.
    client.get(setup_url())
    assert TOTPDevice.objects.filter(user=official).count() == 1
    # The otpauth URI names the portal as issuer.
    _device, uri = two_factor.enroll_start(official)
    assert uri.startswith("otpauth://totp/")
    assert "issuer=" in uri


def test_enrolment_confirm_then_recovery_codes_once_then_home(
    client, otp_on, official, password, time_machine
):
    sign_in(client, official, password)
    client.get(setup_url())
    device = TOTPDevice.objects.get(user=official)

    response = client.post(setup_url(), {"token": wrong_code(device), "next": "/"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False

    time_machine.move_to(time.time() + 3)  # the wrong code started django-otp's 1-second throttle
    response = client.post(setup_url(), {"token": code_for(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed is True
    assert StaticToken.objects.filter(device__user=official).count() == 10

    response = client.get(response["Location"])
    html = response.content.decode()
    codes = list(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert all(two_factor.format_recovery_code(code) in html for code in codes)
    assert "我已妥善保存" in html

    response = client.post(reverse("accounts:otp_recovery_codes"), {"next": "/"})
    assert response["Location"] == "/"
    # Shown once: afterwards the page only points to regeneration.
    response = client.get(reverse("accounts:otp_recovery_codes"))
    assert response["Location"] == reverse("accounts:security")
    # The session is verified by the enrolment itself.
    assert client.get(reverse("districts:home")).status_code == 200


def test_unverified_user_with_device_cannot_enrol_a_new_one(client, otp_on, official, password):
    enrol(official)
    sign_in(client, official, password)
    response = client.get(setup_url())
    assert response["Location"] == verify_url()
    assert TOTPDevice.objects.filter(user=official).count() == 1


def test_enroll_confirm_replaces_old_authenticator_and_codes(otp_on, official):
    old_device, old_codes = enrol(official)
    new_device, new_codes = enrol(official)
    assert list(TOTPDevice.objects.filter(user=official)) == [new_device]
    assert set(old_codes).isdisjoint(new_codes)
    assert two_factor.verify(official, old_codes[0]) is None


# --- The verify step ---------------------------------------------------------------------------


def test_official_login_asks_for_code_wrong_refused_right_goes_home(
    client, otp_on, official, password, time_machine
):
    device, _codes = enrol(official)
    response = sign_in(client, official, password)
    assert response["Location"] == verify_url("/")
    assert client.get(reverse("districts:home"))["Location"] == verify_url(reverse("districts:home"))

    page = client.get(verify_url("/"))
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()

    response = client.post(verify_url("/"), {"token": wrong_code(device), "next": "/"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("districts:home")).status_code == 302

    # Right after a wrong code even the right one waits (1, 2, 4 … seconds of throttling).
    response = client.post(verify_url("/"), {"token": code_for(device), "next": "/"})
    assert response.status_code == 200

    time_machine.move_to(time.time() + 3)
    response = client.post(verify_url("/"), {"token": code_for(device), "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("districts:home")
    assert response.status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_next_is_kept_through_the_second_step(client, otp_on, official, password):
    device, _codes = enrol(official)
    target = reverse("districts:home") + "?tab=queue"
    response = sign_in(client, official, password, next_url=target)
    assert response["Location"] == verify_url(target)
    response = client.post(verify_url(target), {"token": code_for(device), "next": target})
    assert response["Location"] == target


def test_next_to_another_site_is_ignored(client, otp_on, official, password):
    device, _codes = enrol(official)
    sign_in(client, official, password)
    response = client.post(verify_url(), {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_same_totp_code_is_accepted_once(otp_on, official):
    device, _codes = enrol(official)
    code = code_for(device)
    assert two_factor.verify(official, code) is not None
    assert two_factor.verify(official, code) is None


def test_recovery_code_works_once(client, otp_on, official, password):
    _device, codes = enrol(official)
    sign_in(client, official, password)
    printed = two_factor.format_recovery_code(codes[0]).upper()  # as the user types it from paper
    response = client.post(verify_url(), {"token": printed, "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("districts:home")
    assert "还剩 9 个" in response.content.decode()
    assert two_factor.remaining_recovery_codes(official) == 9

    client.post(reverse("accounts:logout"))
    sign_in(client, official, password)
    response = client.post(verify_url(), {"token": codes[0], "next": "/"})
    assert response.status_code == 200
    assert "验证码不正确或已使用" in response.content.decode()
    assert client.get(reverse("districts:home")).status_code == 302


def test_logout_clears_verification(client, otp_on, official, password):
    device, _codes = enrol(official)
    sign_in(client, official, password)
    client.post(verify_url(), {"token": code_for(device), "next": "/"})
    assert client.get(reverse("districts:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    sign_in(client, official, password)
    assert client.get(reverse("districts:home"))["Location"] == verify_url(reverse("districts:home"))


def test_public_pages_logout_and_language_stay_open_before_the_second_step(
    client, otp_on, official, password
):
    enrol(official)
    sign_in(client, official, password)
    assert client.get(reverse("self_check")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/self-check/"})
    assert response["Location"] == "/self-check/"
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_admin_is_behind_the_second_step(client, otp_on, password):
    admin = UserFactory(is_superuser=True, is_staff=True)
    sign_in(client, admin, password)
    response = client.get("/admin/")
    assert response["Location"] == setup_url("/admin/")


@pytest.mark.parametrize("person", ["expert_user", "municipal_user"])
def test_experts_and_office_are_asked_too(client, request, otp_on, password, person):
    user = request.getfixturevalue(person)
    enrol(user)
    assert sign_in(client, user, password)["Location"] == verify_url("/")


# --- Enterprises -------------------------------------------------------------------------------


def test_enterprise_without_device_logs_in_normally(client, otp_on, enterprise_user, password):
    response = sign_in(client, enterprise_user, password)
    assert response["Location"] == "/"
    assert client.get(reverse("certification:home")).status_code == 200


def test_enterprise_opts_in_then_needs_the_code_then_opts_out(
    client, otp_on, enterprise_user, password, time_machine
):
    sign_in(client, enterprise_user, password)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "开启两步验证" in page
    client.get(setup_url(reverse("accounts:security")))
    device = TOTPDevice.objects.get(user=enterprise_user)
    response = client.post(
        setup_url(reverse("accounts:security")), {"token": code_for(device), "next": "/accounts/security/"}
    )
    assert response.status_code == 302
    client.post(reverse("accounts:otp_recovery_codes"), {"next": "/"})
    client.post(reverse("accounts:logout"))

    response = sign_in(client, enterprise_user, password)
    assert response["Location"] == verify_url("/")
    assert client.get(reverse("certification:home")).status_code == 302
    client.post(verify_url(), {"token": code_for(device), "next": "/"})
    assert client.get(reverse("certification:home")).status_code == 200

    # Opting out needs a current code.
    response = client.post(reverse("accounts:otp_disable"), {"token": "123"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=enterprise_user).exists()
    time_machine.move_to(time.time() + 3)  # the wrong code started the throttle
    response = client.post(reverse("accounts:otp_disable"), {"token": code_for(device)})
    assert response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=enterprise_user).exists()
    assert not StaticDevice.objects.filter(user=enterprise_user).exists()
    client.post(reverse("accounts:logout"))
    assert sign_in(client, enterprise_user, password)["Location"] == "/"


@pytest.mark.parametrize("person", ["official", "expert_user", "municipal_user"])
def test_mandatory_accounts_cannot_switch_it_off(request, client, otp_on, password, person):
    user = request.getfixturevalue(person)
    device, _codes = enrol(user)
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.disable(user=user, token=code_for(device))
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    sign_in(client, user, password)
    client.post(verify_url(), {"token": code_for(device), "next": "/"})
    page = client.get(reverse("accounts:security")).content.decode()
    assert "关闭两步验证" not in page
    assert client.post(reverse("accounts:otp_disable"), {"token": code_for(device)}).status_code == 400


# --- Security page -----------------------------------------------------------------------------


def test_security_page_regenerates_recovery_codes(client, otp_on, official, password):
    device, old_codes = enrol(official)
    sign_in(client, official, password)
    client.post(verify_url(), {"token": code_for(device), "next": "/"})
    page = client.get(reverse("accounts:security")).content.decode()
    assert "已开启" in page
    assert "剩余恢复码" in page
    response = client.post(reverse("accounts:otp_regenerate_recovery_codes"))
    assert response["Location"].startswith(reverse("accounts:otp_recovery_codes"))
    new_codes = set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert len(new_codes) == 10
    assert new_codes.isdisjoint(old_codes)
    html = client.get(response["Location"]).content.decode()
    assert all(two_factor.format_recovery_code(code) in html for code in new_codes)
    assert two_factor.verify(official, old_codes[1]) is None


def test_header_links_to_security_page(client, enterprise_user):
    client.force_login(enterprise_user)
    html = client.get(reverse("certification:home")).content.decode()
    assert f'href="{reverse("accounts:security")}"' in html
    assert "账户安全" in html


def test_security_page_needs_login(client):
    response = client.get(reverse("accounts:security"))
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Password reset never bypasses it ----------------------------------------------------------


def test_password_reset_does_not_sign_in_and_login_still_asks_for_the_code(
    client, otp_on, official, password
):
    device, _codes = enrol(official)
    uid = urlsafe_base64_encode(force_bytes(official.pk))
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(official)},
    )
    assert resolve(link).func.view_initkwargs["post_reset_login"] is False
    response = client.get(link)
    assert response.status_code == 302  # to the set-password URL, the token moved into the session
    new_password = "Reset-Pass-2026x"
    response = client.post(
        response["Location"], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in client.session

    response = sign_in(client, official, new_password)
    assert response["Location"] == verify_url("/")
    assert client.get(reverse("districts:home")).status_code == 302
    response = client.post(verify_url(), {"token": code_for(device), "next": "/"})
    assert client.get(reverse("districts:home")).status_code == 200


# --- Token API ---------------------------------------------------------------------------------


def token_request(client, user, password, **extra):
    return client.post(
        TOKEN_URL, {"username": user.username, "password": password, **extra}, content_type="application/json"
    )


def test_token_api_needs_otp_for_officials(client, otp_on, official, password, time_machine):
    device, codes = enrol(official)
    response = token_request(client, official, password)
    assert response.status_code == 400
    assert response.json() == {"otp": ["需要动态验证码。"]}
    assert token_request(client, official, password, otp="").json() == {"otp": ["需要动态验证码。"]}

    response = token_request(client, official, password, otp=wrong_code(device))
    assert response.status_code == 400
    assert list(response.json()) == ["otp"]
    assert not Token.objects.filter(user=official).exists()

    time_machine.move_to(time.time() + 3)  # past the throttle the wrong code started
    response = token_request(client, official, password, otp=code_for(device))
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=official).key

    # A recovery code works once.
    assert token_request(client, official, password, otp=codes[0]).status_code == 200
    assert token_request(client, official, password, otp=codes[0]).status_code == 400


def test_token_api_wrong_password_is_checked_before_the_code(client, otp_on, official):
    enrol(official)
    response = token_request(client, official, "not-the-password")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_api_official_without_device_is_told_to_enrol(client, otp_on, official, password):
    response = token_request(client, official, password, otp="123456")
    assert response.status_code == 400
    assert "两步验证设置" in response.json()["otp"][0]


def test_token_api_enterprise_without_device_needs_no_otp(client, otp_on, enterprise_user, password):
    response = token_request(client, enterprise_user, password)
    assert response.status_code == 200
    assert "token" in response.json()


def test_token_api_enterprise_that_opted_in_needs_otp(client, otp_on, enterprise_user, password):
    device, _codes = enrol(enterprise_user)
    assert token_request(client, enterprise_user, password).json() == {"otp": ["需要动态验证码。"]}
    assert token_request(client, enterprise_user, password, otp=code_for(device)).status_code == 200


def test_session_api_calls_of_unverified_user_are_refused(client, otp_on, official, password):
    device, _codes = enrol(official)
    sign_in(client, official, password)
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": "需要完成两步验证。"}
    # Endpoints that ignore the session stay usable (the self-check page calls them).
    response = client.get("/api/v1/calendar/working-days/", {"start": "2026-09-28", "count": 10})
    assert response.status_code != 403
    # A token request is DRF's business alone: the token was issued only after the second factor.
    token = Token.objects.create(user=official)
    response = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    # Once verified, the session works for the API too.
    client.post(verify_url(), {"token": code_for(device), "next": "/"})
    assert client.get("/api/v1/auth/me/").status_code == 200


# --- Enforcement off -----------------------------------------------------------------------------


def test_no_prompts_with_otp_required_false(client, settings, official, password):
    settings.OTP_REQUIRED = False
    enrol(official)
    response = sign_in(client, official, password)
    assert response["Location"] == "/"
    assert client.get(reverse("districts:home")).status_code == 200
    assert client.get("/api/v1/auth/me/").status_code == 200
    assert token_request(client, official, password).status_code == 200


def test_settings_enforce_otp_unless_debug():
    def run(extra: dict[str, str]) -> subprocess.CompletedProcess:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "OTP_REQUIRED", "ALLOW_INSECURE_TEST_SETTINGS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        env.update(
            {
                "SECRET_KEY": "k" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
                "ALLOWED_HOSTS": "portal.example.gov.cn",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
        )
        env.update(extra)
        code = "import django; django.setup(); from django.conf import settings; print(settings.OTP_REQUIRED)"
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    refused = run({"DEBUG": "false", "OTP_REQUIRED": "false"})
    assert refused.returncode != 0
    assert "OTP_REQUIRED=false is allowed only with DEBUG=true" in refused.stderr
    production = run({"DEBUG": "false"})
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "True"
    development = run({"DEBUG": "true"})
    assert development.returncode == 0, development.stderr
    assert development.stdout.strip() == "False"
    assert run({"DEBUG": "true", "OTP_REQUIRED": "true"}).stdout.strip() == "True"
