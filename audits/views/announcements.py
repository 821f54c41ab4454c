"""The home page (办事指南 and the office's notices), the public list of notices, and the office's pages
that publish, edit and withdraw them; the districts' contact phones the guide lists.

The root URL is wired here in config/urls.py as ``home`` (accounts keeps where a signed-in user lands)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from accounts.views import signed_in_redirect
from audits.forms.announcements import AnnouncementForm
from audits.models import Announcement, AnnouncementStatus
from audits.services import announcements as services
from certification.models import DocumentKind
from core.web import flash_errors, form_errors
from districts.models import District
from districts.services import district_set_phone

HOME_NOTICES = 5
LIST_PAGE_SIZE = 20
office_only = role_required(Role.MUNICIPAL)


def _published():
    return Announcement.objects.filter(status=AnnouncementStatus.PUBLISHED)


@require_safe
def portal_home(request: HttpRequest) -> HttpResponse:
    """Signed-in users land on their role's page; everyone else sees the guide and the notices."""
    landing = signed_in_redirect(request)
    if landing is not None:
        return landing
    notices = list(_published()[: HOME_NOTICES + 1])
    return render(
        request,
        "public/index.html",
        {
            "notices": notices[:HOME_NOTICES],
            "more_notices": len(notices) > HOME_NOTICES,
            "district_phones": District.objects.exclude(phone="").order_by("code"),
            "document_kinds": DocumentKind.choices,
        },
    )


@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_published(), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/notices.html", {"page": page})


@require_safe
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "public/notice.html", {"notice": get_object_or_404(_published(), pk=pk)})


# --- The office -----------------------------------------------------------------------------------


@office_only
@require_http_methods(["GET", "POST"])
def office_announcements(request: HttpRequest) -> HttpResponse:
    """Every notice (withdrawn ones too) and the form for a new one."""
    form = AnnouncementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form) as failed:
                services.announcement_create(by=request.user, **form.cleaned_data)
                messages.success(request, _("通知公告已发布，显示在门户首页。"))
                return redirect("audits:announcements")
            status = failed.status
        else:
            status = 400
    page = Paginator(Announcement.objects.select_related("created_by"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "audits/announcements.html", {"form": form, "page": page}, status=status)


@office_only
@require_http_methods(["GET", "POST"])
def office_announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=pk)
    form = AnnouncementForm(
        request.POST or None, initial={"title": announcement.title, "body": announcement.body}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form) as failed:
                services.announcement_update(announcement=announcement, by=request.user, **form.cleaned_data)
                messages.success(request, _("通知公告已修改。"))
                return redirect("audits:announcements")
            status = failed.status
        else:
            status = 400
    history = announcement.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "audits/announcement_edit.html",
        {"form": form, "announcement": announcement, "history": history},
        status=status,
    )


@require_POST
@office_only
def office_announcement_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw (or publish again) after the confirmation box is ticked."""
    announcement = get_object_or_404(Announcement, pk=pk)
    publish = request.POST.get("publish") == "1"
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再操作。"))
        return redirect("audits:announcement_edit", pk=pk)
    with flash_errors(request):
        services.announcement_set_published(announcement=announcement, by=request.user, published=publish)
        messages.success(
            request,
            _("“%(title)s”已重新发布。") % {"title": announcement.title}
            if publish
            else _("“%(title)s”已撤下，不再在门户显示。") % {"title": announcement.title},
        )
    return redirect("audits:announcements")


@office_only
@require_http_methods(["GET", "POST"])
def office_district_phones(request: HttpRequest) -> HttpResponse:
    """Each district working group's contact phone (shown in the guide and on its publicity notices)."""
    if request.method == "POST":
        district = District.objects.filter(code=request.POST.get("district", "")).first()
        if district is None:
            messages.error(request, _("请选择区。"))
            return redirect("audits:district_phones")
        with flash_errors(request):
            district_set_phone(district=district, by=request.user, phone=request.POST.get("phone", ""))
            messages.success(request, _("已保存%(name)s的联系电话。") % {"name": district.name})
        return redirect("audits:district_phones")
    return render(request, "audits/district_phones.html", {"districts": District.objects.order_by("code")})
