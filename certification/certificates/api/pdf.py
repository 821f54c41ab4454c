"""``GET /api/v1/certificates/{number}/pdf/``: the certificate as ``application/pdf``."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.applications.api.pdf import PDFRenderer
from certification.certificates.pdf import certificate_download
from core.pdf import PDF_CONTENT_TYPE

_ERROR = inline_serializer("CertificatePdfError", {"detail": serializers.CharField()})


class CertificatePdfView(APIView):
    # JSON first so that `Accept: */*` errors read as docs/api.md's `{"detail": ...}`.
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="下载证书（PDF）",
        description=(
            "天津市市级高新技术企业证书，A4 横版，盖区人民政府印章，附证书核验二维码。可见范围：企业用户看本企业的证书，"
            "区县工作小组看本区的证书，市工作小组办公室看全部证书；看不到的证书一律 404。"
            "`version` 取换发前的旧版本，旧版本带“已作废”水印；已撤销的证书带“已撤销”水印。"
        ),
        parameters=[
            OpenApiParameter("format", exclude=True),
            OpenApiParameter(
                "version",
                int,
                OpenApiParameter.QUERY,
                required=False,
                description="证书版本号（默认现行版本）",
            ),
        ],
        responses={
            (200, PDF_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="证书 PDF（Content-Disposition: attachment）"
            ),
            (401, "application/json"): OpenApiResponse(response=_ERROR, description="未提供身份凭证"),
            (404, "application/json"): OpenApiResponse(response=_ERROR, description="证书不存在或无权查看"),
        },
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        return certificate_download(request.user, number, request.query_params.get("version"))

    def handle_exception(self, exc: Exception) -> Response:
        # Whatever the client accepts, an error is JSON (docs/api.md), never an empty "PDF".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
