"""Browser pages for the materials of 第十条（2）: the enterprise's upload page, deletion, and downloads."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from certification.applications import services
from certification.applications.permissions import (
    applications_editable_by,
    applications_visible_to,
    require_material_access,
)
from certification.applications.selectors import documents_for
from certification.models import REQUIRED_DOCUMENT_KINDS, Application, Document, DocumentKind
from core.uploads import DocumentError, display_name, format_limit, stored_pdf_response
from core.web import domain_errors, flash_errors


# Kept beside its only view: the page has one small form (shape only; the service decides the rest).
class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("材料类别"),
        choices=DocumentKind.choices,
        error_messages={
            "required": gettext_lazy("请选择材料类别。"),
            "invalid_choice": gettext_lazy("未知的材料类别：%(value)s。"),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("PDF 文件"),
        allow_empty_file=True,  # an empty file gets the service's own message
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": gettext_lazy("请选择要上传的 PDF 文件。")},
    )


def _own_application(request: HttpRequest, pk: int) -> Application:
    # The upload page belongs to the enterprise's own users; anyone else gets a 404, never a hint.
    return get_object_or_404(applications_editable_by(request.user).select_related("enterprise"), pk=pk)


def document_rows(documents: list[Document]) -> list[dict]:
    """One row per kind of material of 第十条（2）, with its uploaded documents (also the check page's)."""
    by_kind: dict[str, list[Document]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    return [
        {
            "code": kind.value,
            "label": kind.label,
            "required": kind in REQUIRED_DOCUMENT_KINDS,
            "documents": by_kind.get(kind.value, []),
        }
        for kind in DocumentKind
    ]


def _render_page(
    request: HttpRequest,
    application: Application,
    *,
    error_kind: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = list(documents_for(application))
    rows = document_rows(documents)
    missing = [row["label"] for row in rows if row["required"] and not row["documents"]]
    return render(
        request,
        "certification/documents.html",
        {
            "application": application,
            "rows": rows,
            "missing": missing,
            "editable": application.is_editable,
            "error_kind": error_kind,
            "errors": errors or [],
            "limit": format_limit(settings.UPLOAD_MAX_BYTES),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    if request.method == "GET":
        return _render_page(request, application)
    form = DocumentUploadForm(request.POST, request.FILES)
    kind = request.POST.get("kind", "")
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _render_page(request, application, error_kind=kind, errors=errors, status=400)
    try:
        with domain_errors() as failed:
            document = services.document_upload(
                application=application,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                by=request.user,
                # The name as sent (core.uploads): "../../x.pdf" is refused here as in the API.
                original_name=getattr(form.cleaned_data["file"], "client_name", None),
            )
            messages.success(
                request,
                _("已上传“%(name)s”（%(kind)s）。")
                % {"name": document.original_name, "kind": document.get_kind_display()},
            )
            return redirect("certification:application_documents", pk=application.pk)
    except DocumentError as exc:
        return _render_page(request, application, error_kind=kind, errors=[exc.message], status=400)
    application.refresh_from_db()
    problems = [failed.message] if failed.message else [m for ms in failed.errors.values() for m in ms]
    return _render_page(request, application, error_kind=kind, errors=problems, status=failed.status)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    application = _own_application(request, pk)
    document = get_object_or_404(documents_for(application), pk=doc_id)
    if not application.is_editable:
        messages.error(
            request,
            _("申请当前状态为“%(status)s”，不能删除材料。") % {"status": application.get_status_display()},
        )
        return redirect("certification:application_documents", pk=application.pk)
    if request.method == "GET":
        return render(
            request,
            "certification/document_confirm_delete.html",
            {"application": application, "document": document},
        )
    with flash_errors(request):
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("已删除“%(name)s”。") % {"name": document.original_name})
    return redirect("certification:application_documents", pk=application.pk)


def _token_user(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Let API clients follow `download_url` with `Authorization: Token …` as well as a session."""
    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    try:
        result = TokenAuthentication().authenticate(request)  # reads only the header
    except AuthenticationFailed:
        return None
    return result[0] if result else None


@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, doc_id: int) -> HttpResponse:
    user = request.user if request.user.is_authenticated else _token_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    document = get_object_or_404(
        Document.objects.select_related("application"),
        pk=doc_id,
        application__in=applications_visible_to(user),
    )
    require_material_access(user)  # 第十三条: an expert opens material only after signing the pledge
    return stored_pdf_response(document.file, display_name(document.original_name))
