"""Keeps a signed-in user who still owes the second factor on the 2FA pages.

django-otp's OTPMiddleware (installed before this one) marks `request.user.is_verified()`; a session
becomes verified only in accounts.views.two_factor, after a valid code. Whether a user needs the second
factor at all is accounts.two_factor.requires_two_factor (reads settings.OTP_REQUIRED per request).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication

from accounts.models import User
from accounts.two_factor import has_authenticator, requires_two_factor

# Pages an unverified user may still open: the 2FA pages themselves, signing in and out, password
# reset (it never signs anyone in), language switching and the public pages that need no login.
OPEN_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/reset/",
    "/i18n/",
    "/healthz/",
    "/self-check/",
    "/publicity/",
    "/verify/",
    "/objections/track/",
)
# The API answers for itself (process_view below); its documentation needs no login.
API_PREFIX = "/api/"
API_V1_PREFIX = "/api/v1/"


def is_verified(user: User) -> bool:
    check = getattr(user, "is_verified", None)  # installed by OTPMiddleware; absent means not verified
    return bool(check()) if callable(check) else False


def owes_second_factor(user: User) -> bool:
    return user.is_authenticated and requires_two_factor(user) and not is_verified(user)


def second_step_url(user: User, next_url: str) -> str:
    """The verify page for an enrolled user, the setup page for one who has no authenticator yet."""
    name = "accounts:otp_verify" if has_authenticator(user) else "accounts:otp_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _is_open(path: str) -> bool:
    return path == "/" or path.startswith(OPEN_PREFIXES) or path.startswith(settings.STATIC_URL)


def _uses_token_header(request: HttpRequest) -> bool:
    # DRF's TokenAuthentication then decides alone; the session is never consulted.
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower() == "token"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(API_PREFIX) or _is_open(path):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and owes_second_factor(user):
            return redirect(second_step_url(user, request.get_full_path()))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        """Session-authenticated API calls of an unverified user are refused (tokens need 2FA to be issued)."""
        if not request.path_info.startswith(API_V1_PREFIX) or _uses_token_header(request):
            return None
        view_class = getattr(view_func, "cls", None)
        if view_class is not None:
            initkwargs = getattr(view_func, "initkwargs", {}) or {}
            classes = initkwargs.get("authentication_classes", view_class.authentication_classes)
            if not any(issubclass(cls, SessionAuthentication) for cls in classes):
                return None  # public endpoints that ignore the session (token, register, eligibility …)
        user = getattr(request, "user", None)
        if user is not None and owes_second_factor(user):
            return JsonResponse({"detail": _("需要完成两步验证。")}, status=403)
        return None
