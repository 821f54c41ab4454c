from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_STARTED_KEY = "portal_login_at"
SESSION_RENEWED_KEY = "portal_renewed_at"


def start_session_clocks(sender, request, user, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """On sign-in (``user_logged_in``): the absolute limit counts from now, and the sign-in's own save
    of the session is its first renewal."""
    if hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_RENEWED_KEY] = now


class SessionLimitsMiddleware:
    """The two limits of a signed-in session.

    - Idle: the session (and its cookie) lives ``SESSION_COOKIE_AGE`` (30 minutes) from its last save.
      A signed-in request renews it when the last renewal is ``SESSION_RENEW_SECONDS`` (60 s) old or
      older, so a session ends 29–30 minutes after the last request, and a burst of requests writes
      it once a minute, not on every request (``SESSION_SAVE_EVERY_REQUEST`` would).
    - Absolute: the session ends 12 hours after sign-in however active it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("登录已超过 12 小时，请重新登录。"))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            renewed = request.session.get(SESSION_RENEWED_KEY)
            if renewed is None or now - float(renewed) >= settings.SESSION_RENEW_SECONDS:
                request.session[SESSION_RENEWED_KEY] = now  # modified: SessionMiddleware saves it
        return self.get_response(request)
