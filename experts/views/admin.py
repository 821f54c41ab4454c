"""The municipal office's pages for the expert pool (专家库): list, add, edit, (de)activate, import, export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.eligibility.rules import field_codes_in_force
from core.web import form_errors
from experts.forms import DATA_TO_FORM, ExpertFilterForm, ExpertForm, ImportForm, ToggleActiveForm
from experts.importing import XLSX_CONTENT_TYPE, SheetError, export_experts, import_experts, parse_sheet
from experts.models import Expert
from experts.services.pool import (
    expert_activate,
    expert_create,
    expert_deactivate,
    expert_update,
    filter_experts,
    pool_counts,
    with_expert_details,
)

PAGE_SIZE = 25
office_only = role_required(Role.MUNICIPAL)


def _filtered(request: HttpRequest) -> tuple[ExpertFilterForm, QuerySet[Expert]]:
    form = ExpertFilterForm(request.GET or None)
    return form, filter_experts(Expert.objects.all(), **form.filters())


@office_only
@require_safe
def expert_list(request: HttpRequest) -> HttpResponse:
    form, experts = _filtered(request)
    page = Paginator(with_expert_details(experts).order_by("name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "experts/admin/list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "counts": pool_counts(),
        },
    )


@office_only
@require_http_methods(["GET", "POST"])
def expert_new(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, field_map=DATA_TO_FORM):
            expert = expert_create(by=request.user, data=form.expert_data())
            messages.success(
                request,
                _("已添加专家“%(name)s”，登录用户名 %(username)s。专家可通过“忘记密码”设置密码。")
                % {"name": expert.name, "username": expert.user.username},
            )
            return redirect("experts_admin:list")
    return render(request, "experts/admin/form.html", {"form": form, "expert": None})


@office_only
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(with_expert_details(Expert.objects.all()), pk=pk)
    form = ExpertForm(request.POST if request.method == "POST" else None, instance=expert)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, field_map=DATA_TO_FORM):
            expert, changed = expert_update(expert=expert, by=request.user, data=form.expert_data())
            messages.success(
                request,
                (_("已保存专家“%(name)s”的修改。") if changed else _("专家“%(name)s”的信息没有变化。"))
                % {"name": expert.name},
            )
            return redirect("experts_admin:list")
    history = expert.history.select_related("history_user").order_by("-history_date")[:10]
    return render(request, "experts/admin/form.html", {"form": form, "expert": expert, "history": history})


@office_only
@require_http_methods(["GET", "POST"])
def expert_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; the POST deactivates an active expert (reason required) or reactivates."""
    expert = get_object_or_404(Expert.objects.select_related("user"), pk=pk)
    deactivating = expert.active
    form = ToggleActiveForm(request.POST if request.method == "POST" else None, deactivating=deactivating)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        with form_errors(form):  # the services complain about the reason only
            if deactivating:
                expert_deactivate(expert=expert, by=request.user, reason=reason)
            else:
                expert_activate(expert=expert, by=request.user, reason=reason)
            messages.success(
                request,
                (
                    _("已停用专家“%(name)s”，其不再参加抽取。")
                    if deactivating
                    else _("已重新启用专家“%(name)s”。")
                )
                % {"name": expert.name},
            )
            return redirect("experts_admin:list")
    return render(
        request,
        "experts/admin/toggle_active.html",
        {"form": form, "expert": expert, "deactivating": deactivating},
    )


@office_only
@require_http_methods(["GET", "POST"])
def expert_import(request: HttpRequest) -> HttpResponse:
    """Upload an .xlsx: the good rows are applied at once and every row is reported."""
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = parse_sheet(upload.read(), field_codes=field_codes_in_force())
        except SheetError as exc:
            form.add_error("file", exc.message)
        else:
            report = import_experts(by=request.user, rows=rows)
            counts = report.counts
            messages.info(
                request,
                _(
                    "导入完成：新增 %(created)s 名，更新 %(updated)s 名，无变化 %(unchanged)s 名，未导入 %(refused)s 行。"
                )
                % counts,
            )
    return render(request, "experts/admin/import.html", {"form": form, "report": report})


@office_only
@require_safe
def expert_export(request: HttpRequest) -> HttpResponse:
    """The current filter as .xlsx (`?template=1`: the empty sheet with its headers and notes)."""
    if request.GET.get("template"):
        experts = Expert.objects.none()
        name = "expert-pool-template.xlsx"
    else:
        _form, experts = _filtered(request)
        name = f"expert-pool-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(export_experts(experts), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
