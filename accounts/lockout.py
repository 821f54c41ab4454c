"""What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): JSON for the API's token
request, the lockout page for the browser; 429 both."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_STATUS = 429


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("登录失败次数过多，账户已临时锁定，请 30 分钟后再试。")}, status=LOCKED_STATUS
        )
    return render(request, "accounts/locked.html", status=LOCKED_STATUS)
