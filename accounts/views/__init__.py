from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.permissions import HOME_URL_NAMES


def signed_in_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in user lands from the site's root: their role's page (None: show the public page).

    The root page itself (the guide and the office's notices) is audits.views.public.portal_home, wired
    in config/urls.py as ``home``."""
    user = request.user
    if user.is_authenticated:
        if user.role in HOME_URL_NAMES:
            return redirect(HOME_URL_NAMES[user.role])
        if user.is_superuser:
            return redirect("admin:index")
    return None


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A service's refusal (core.errors.DomainPermissionDenied) carries a message for the
    # user; read it by attribute so accounts does not import the domain apps.
    reason = getattr(exception, "message", "")
    return render(
        request, "errors/403.html", {"reason": reason if isinstance(reason, str) else ""}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)
