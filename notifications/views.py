"""Browser pages: the inbox, the preferences, and the municipal office's operations page (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from core.web import flash_errors, form_errors
from notifications import selectors, services
from notifications.forms import PreferenceForm
from notifications.models import DeliveryMode, FailedTask, Language, NotificationPreference

PAGE_SIZE = 20


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_of(request.user), PAGE_SIZE).get_page(_page_number(request))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of one's own notifications read; with ``open`` go on to the page it links to."""
    notification = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
    services.mark_read(user=request.user, notification_id=notification.pk)
    if (
        request.POST.get("open")
        and notification.url
        and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(notification.url)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications:inbox")


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("notifications:inbox")
    return f"{url}?page={page}" if page.isdigit() else url


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = NotificationPreference.objects.filter(user=request.user).first()
    initial = {
        "mode": current.mode if current else DeliveryMode.IMMEDIATE,
        "language": current.language if current else Language.CHINESE,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # The service's complaint is about the pair of choices: a non-field error.
        with form_errors(form, field_map={"mode": None, "language": None}):
            services.preference_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form, "has_email": bool(request.user.email)}
    )


@role_required(Role.MUNICIPAL)
@require_safe
def operations(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/operations.html", {"status": selectors.operations_status()})


@role_required(Role.MUNICIPAL)
@require_POST
def failed_task_retry(request: HttpRequest, pk: int) -> HttpResponse:
    failed = get_object_or_404(FailedTask, pk=pk)
    with flash_errors(request):  # the service names one problem at a time: one message
        services.failed_task_retry(failed=failed, by=request.user)
        messages.success(request, _("任务 %(name)s 已重新排队。") % {"name": failed.task_name})
    return redirect("notifications:operations")
