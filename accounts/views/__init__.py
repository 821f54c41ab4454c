from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import EnterpriseRegistrationForm
from accounts.permissions import HOME_URL_NAMES
from accounts.services import RegistrationError, enterprise_register
from config.throttling import REGISTRATION_SCOPE, RegistrationRateThrottle, address_allowed


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users land on their role's page; everyone else sees the public entry page."""
    user = request.user
    if user.is_authenticated:
        if user.role in HOME_URL_NAMES:
            return redirect(HOME_URL_NAMES[user.role])
        if user.is_superuser:
            return redirect("admin:index")
    return render(request, "public/index.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = EnterpriseRegistrationForm(request.POST or None)
    if request.method == "POST" and not address_allowed(
        request, RegistrationRateThrottle, REGISTRATION_SCOPE
    ):
        form.add_error(None, _("来自您所在网络地址的注册过于频繁，请稍后再试。"))
        return render(request, "accounts/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            user = enterprise_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
                enterprise=form.enterprise_data(),
            )
        except RegistrationError as exc:
            for key, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(form.FIELD_FOR_KEY.get(key), problem)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用天津市高新技术企业认定系统。"))
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A service's refusal (core.errors.DomainPermissionDenied) carries a message for the
    # user; read it by attribute so accounts does not import the domain apps.
    reason = getattr(exception, "message", "")
    return render(
        request, "errors/403.html", {"reason": reason if isinstance(reason, str) else ""}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)
