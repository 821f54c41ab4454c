from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.applications.api.pdf import PDFRenderer
from core.pdf import PDF_CONTENT_TYPE
from districts import services
from districts.filing_package import complete, filing_letter_download
from districts.models import Filing
from districts.selectors import filings_visible_to


class DrawSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seed = serializers.CharField()
    algorithm_version = serializers.CharField()
    mode = serializers.CharField()
    created_at = serializers.CharField()
    panel = serializers.ListField(child=serializers.DictField())
    alternates = serializers.IntegerField()
    excluded = serializers.IntegerField()


class ObjectionSnapshotSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    finding = serializers.CharField()
    created_at = serializers.CharField()
    decided_at = serializers.CharField(allow_null=True)
    evidence_sha256 = serializers.CharField()


class DocumentHashSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.CharField()


class AuditReportSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    name = serializers.CharField()
    sha256 = serializers.CharField()
    firm = serializers.CharField()
    number = serializers.CharField()
    date = serializers.CharField(allow_null=True)


class PackageSerializer(serializers.Serializer):
    """The package as filed (districts.filing_package.package_for); the objectors' identity is not in it."""

    composite_score = serializers.CharField(allow_null=True)
    review_passed = serializers.BooleanField(allow_null=True)
    opinion_note = serializers.CharField()
    draws = DrawSnapshotSerializer(many=True)
    publicity = serializers.ListField(child=serializers.DictField())
    objections = ObjectionSnapshotSerializer(many=True)
    audit_reports = AuditReportSerializer(many=True)
    documents = DocumentHashSerializer(many=True)


class FilingEntrySerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    enterprise_name = serializers.CharField(source="application.enterprise.name")
    uscc = serializers.CharField(source="application.enterprise.uscc")
    status = serializers.CharField(source="application.status")
    approved = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    # Added with the filing package (docs/api.md, beyond the contract); the fields above are unchanged.
    composite_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    review_deadline = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()
    package = serializers.SerializerMethodField()

    @extend_schema_field(PackageSerializer)
    def get_package(self, entry: Any) -> dict[str, Any]:
        return PackageSerializer(complete(entry.package)).data


class FilingSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    entries = FilingEntrySerializer(many=True)
    late_count = serializers.SerializerMethodField()
    letter = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = ["id", "district", "status", "created_at", "decided_at", "entries", "late_count", "letter"]

    def get_late_count(self, filing: Filing) -> int:
        return sum(1 for e in filing.entries.all() if e.late)

    def get_letter(self, filing: Filing) -> str:
        """The path of the filing letter PDF (GET /api/v1/filings/{id}/letter/)."""
        return reverse("api-filing-letter", args=[filing.pk])


class FilingCreateSerializer(serializers.Serializer):
    applications = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class FilingListCreateView(ListAPIView):
    serializer_class = FilingSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.request.user.role not in (Role.DISTRICT, Role.MUNICIPAL):
            raise PermissionDenied(_("只有区县工作小组和市工作小组办公室可以查看报备。"))
        qs = filings_visible_to(self.request.user)
        state = self.request.query_params.get("status")
        return qs.filter(status=state) if state else qs

    @extend_schema(
        request=FilingCreateSerializer,
        summary="区县报备公示通过的申请",
        responses={201: inline_serializer("FilingCreated", {"id": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有区县工作小组可以报备。"))
        body = FilingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        filing = services.filing_create(by=request.user, application_ids=body.validated_data["applications"])
        return Response({"id": filing.pk}, status=status.HTTP_201_CREATED)


_ERROR = inline_serializer("FilingLetterError", {"detail": serializers.CharField()})


class FilingLetterView(APIView):
    # JSON first so that `Accept: */*` errors read as docs/api.md's `{"detail": ...}`.
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="下载报备函（PDF）",
        description=(
            "以区人民政府名义的报备函：报备企业名单、综合评分、办理期限（逾期报备注明）、公示异议结论及全部申报材料的"
            " SHA-256。可见范围同报备：区县工作小组看本区的报备，市工作小组办公室看全部；看不到的一律 404。"
        ),
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, PDF_CONTENT_TYPE): OpenApiResponse(response=OpenApiTypes.BINARY, description="报备函 PDF"),
            (401, "application/json"): OpenApiResponse(response=_ERROR, description="未提供身份凭证"),
            (403, "application/json"): OpenApiResponse(response=_ERROR, description="无权查看报备"),
            (404, "application/json"): OpenApiResponse(response=_ERROR, description="报备不存在或无权查看"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        if request.user.role not in (Role.DISTRICT, Role.MUNICIPAL):
            raise PermissionDenied(_("只有区县工作小组和市工作小组办公室可以查看报备。"))
        filing = get_object_or_404(filings_visible_to(request.user).prefetch_related(None), pk=pk)
        return filing_letter_download(filing)

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
