"""``GET /api/v1/applications/{id}/form-pdf/``: the generated 申请书 as ``application/pdf``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.applications.pdf import application_form_download
from certification.applications.permissions import applications_visible_to, require_material_access
from core.pdf import PDF_CONTENT_TYPE


class PDFRenderer(BaseRenderer):
    """Lets content negotiation accept ``Accept: application/pdf``; the view answers the PDF itself.

    Success is an ``HttpResponse`` built by core.pdf (never rendered by DRF); errors are
    always rendered as JSON (see :meth:`ApplicationFormPdfView.handle_exception`), so this renderer
    only ever passes bytes through.
    """

    media_type = PDF_CONTENT_TYPE
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


_ERROR = inline_serializer("ApplicationFormPdfError", {"detail": serializers.CharField()})


class ApplicationFormPdfView(APIView):
    # JSON first so that `Accept: */*` errors read as docs/api.md's `{"detail": ...}`.
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="下载系统生成的认定申请书（PDF）",
        description=(
            "《市级高企认定申请书》（第十条（2）1），由系统按已保存的申请数据生成，供签字盖章后作为 "
            "`application_form` 材料上传。可见范围与申请详情相同：企业用户看本企业的申请，区县工作小组看本区"
            "已提交的申请，市工作小组办公室看全部已提交的申请；看不到的申请一律 404。"
        ),
        # The answer is always the PDF, so `?format=` (offered because of the two renderers) is hidden.
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, PDF_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="申请书 PDF（Content-Disposition: attachment）"
            ),
            (401, "application/json"): OpenApiResponse(response=_ERROR, description="未提供身份凭证"),
            (404, "application/json"): OpenApiResponse(response=_ERROR, description="申请不存在或无权查看"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        require_material_access(
            request.user
        )  # 第十三条: experts sign the confidentiality pledge before any material
        return application_form_download(application)

    def handle_exception(self, exc: Exception) -> Response:
        # Whatever the client accepts, an error is JSON (docs/api.md), never an empty "PDF".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
