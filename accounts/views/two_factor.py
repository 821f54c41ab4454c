"""The second sign-in step (verify or first-time setup), recovery codes and the account security page.

Flow: the password form (axes-protected LoginView) signs the user in; if they owe the second factor,
the login redirects to the verify page (or setup page when no authenticator is enrolled) and
accounts.middleware.otp keeps them there until a valid code marks the session verified.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import two_factor
from accounts.forms.two_factor import AuthenticatorCodeForm, SecondFactorForm
from accounts.middleware.otp import owes_second_factor, second_step_url
from accounts.models import Role

# The freshly generated recovery codes wait here until the user confirms they saved them.
RECOVERY_CODES_SESSION_KEY = "otp_new_recovery_codes"


class TwoFactorLoginView(LoginView):
    """Django's LoginView; a user who owes the second factor continues to the verify/setup page."""

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if owes_second_factor(user):
            return second_step_url(user, url)
        return url


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request: HttpRequest, device: Device) -> None:
    # A new session key for the now fully signed-in session (as Django's login does for the password).
    request.session.cycle_key()
    otp_login(request, device)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if not owes_second_factor(user):
        return redirect(next_url)
    if not two_factor.has_authenticator(user):
        return redirect(second_step_url(user, next_url))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(user, form.cleaned_data["token"])
        if device is not None:
            _mark_verified(request, device)
            if isinstance(device, StaticDevice):
                remaining = two_factor.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _("您使用了一个恢复码，还剩 %(count)d 个。用完前请在“账户安全”页面重新生成。")
                    % {"count": remaining},
                )
            return redirect(next_url)
        form.add_error("token", _("验证码不正确或已使用。连续输错后需稍等片刻再试。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First-time enrolment, or replacing the authenticator after passing the second factor."""
    user = request.user
    next_url = _next_url(request)
    replacing = two_factor.has_authenticator(user)
    if replacing and owes_second_factor(user):
        # Knowing the password must not be enough to enrol a new authenticator.
        return redirect(_with_next("accounts:otp_verify", next_url))
    device, otpauth_uri = two_factor.enroll_start(user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enroll_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except two_factor.TwoFactorError as exc:
            form.add_error("token", str(exc))
        else:
            _mark_verified(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, _("两步验证已开启。"))
            return redirect(_with_next("accounts:otp_recovery_codes", next_url))
    context = {
        "form": form,
        "next": next_url,
        "replacing": replacing,
        # Inline SVG with a viewBox only, so the <img> scales it (a long URI makes a large symbol).
        "qr_data_uri": segno.make(otpauth_uri, error="m").svg_data_uri(scale=4, omitsize=True),
        "secret": two_factor.format_secret(device),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows the new recovery codes until the user confirms saving them; then they are never shown again."""
    codes = request.session.get(RECOVERY_CODES_SESSION_KEY)
    next_url = _next_url(request)
    if not codes:
        messages.info(request, _("恢复码只显示一次。如已遗失，可在“账户安全”页面重新生成。"))
        return redirect("accounts:security")
    if request.method == "POST":
        del request.session[RECOVERY_CODES_SESSION_KEY]
        return redirect(next_url)
    formatted = [two_factor.format_recovery_code(code) for code in codes]
    return render(request, "accounts/otp_recovery_codes.html", {"codes": formatted, "next": next_url})


def _security_page(request: HttpRequest, disable_form: SecondFactorForm | None = None) -> HttpResponse:
    user = request.user
    enrolled = two_factor.has_authenticator(user)
    context = {
        "enrolled": enrolled,
        "mandatory": two_factor.is_mandatory(user),
        "enforced": two_factor.enforcement_on(),
        "remaining": two_factor.remaining_recovery_codes(user) if enrolled else 0,
        "can_disable": enrolled and user.role == Role.ENTERPRISE and not two_factor.is_mandatory(user),
        "disable_form": disable_form or SecondFactorForm(),
    }
    return render(request, "accounts/security.html", context, status=400 if disable_form else 200)


@never_cache
@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@never_cache
@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.regenerate_recovery_codes(request.user)
    except two_factor.TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:security")
    request.session[RECOVERY_CODES_SESSION_KEY] = codes
    messages.success(request, _("已生成新的恢复码，旧的恢复码已失效。"))
    return redirect(_with_next("accounts:otp_recovery_codes", reverse("accounts:security")))


@never_cache
@login_required
@sensitive_post_parameters("token")
@require_POST
def disable_two_factor(request: HttpRequest) -> HttpResponse:
    form = SecondFactorForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable(user=request.user, token=form.cleaned_data["token"])
        except two_factor.TwoFactorError as exc:
            form.add_error("token", str(exc))
        else:
            messages.success(request, _("两步验证已关闭。"))
            return redirect("accounts:security")
    return _security_page(request, disable_form=form)
