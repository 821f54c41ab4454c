"""The seal pages: a district's official uploads their district's seal, the municipal office any
district's (districts/seals.py); both see a sample certificate with it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.certificates.pdf import render_preview, seal_for
from core.pdf import pdf_response
from core.uploads import SEAL_MAX_BYTES, SEAL_MAX_SIDE, SEAL_MIN_SIDE, format_limit
from core.web import form_errors
from districts import seals
from districts.models import District


class SealForm(forms.Form):
    seal = forms.FileField(
        label=gettext_lazy("印章图片（透明背景 PNG）"),
        error_messages={"required": gettext_lazy("请选择印章图片（PNG）。")},
        widget=forms.FileInput(attrs={"accept": "image/png,.png"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("确认更换印章：此后颁发和换发的证书均使用新印章（已颁发的证书不变）"),
        error_messages={"required": gettext_lazy("请勾选确认后再上传。")},
    )


@role_required(Role.DISTRICT, Role.MUNICIPAL)
@require_safe
def seal_list(request: HttpRequest) -> HttpResponse:
    """The official goes to their district's page; the municipal office sees every district."""
    if request.user.role == Role.DISTRICT:
        return redirect("districts:seal", code=request.user.district.code)
    return render(request, "districts/seal_list.html", {"districts": District.objects.order_by("code")})


def _district_for(request: HttpRequest, code: str) -> District:
    district = get_object_or_404(District, code=code)
    if not seals.may_change_seal(request.user, district):
        raise PermissionDenied
    return district


def _page(request: HttpRequest, district: District, form: SealForm, status: int = 200) -> HttpResponse:
    seal = seal_for(district)
    return render(
        request,
        "districts/seal.html",
        {
            "district": district,
            "form": form,
            "seal": seal,
            "history": district.history.filter(seal__isnull=False).select_related("history_user")[:10],
            "limits": {
                "size": format_limit(SEAL_MAX_BYTES),
                "min": SEAL_MIN_SIDE,
                "max": SEAL_MAX_SIDE,
            },
        },
        status=status,
    )


@role_required(Role.DISTRICT, Role.MUNICIPAL)
@require_http_methods(["GET", "POST"])
def seal_detail(request: HttpRequest, code: str) -> HttpResponse:
    district = _district_for(request, code)
    if request.method == "GET":
        return _page(request, district, SealForm())
    form = SealForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, district, form, status=400)
    with form_errors(form) as failed:
        seals.seal_upload(district=district, by=request.user, file=form.cleaned_data["seal"])
    if failed:
        return _page(request, district, form, status=failed.status)
    messages.success(request, _("印章已更新。请下载样本证书核对印章效果。"))
    return redirect("districts:seal", code=district.code)


@role_required(Role.DISTRICT, Role.MUNICIPAL)
@require_safe
def seal_preview(request: HttpRequest, code: str) -> HttpResponse:
    district = _district_for(request, code)
    filename = _("%(district)s证书印章样本.pdf") % {"district": district.name}
    return pdf_response(
        render_preview(district), filename, ascii_filename=f"seal-preview-{district.code}.pdf", inline=True
    )
