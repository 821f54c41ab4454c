"""The API of a major change (docs/api.md › Certificates after issue): the enterprise reports it with
the facts after the change, the engine's answer on them is stored with the change, and the district
decides beside it. Thin views: the services of `certification.lifecycle` do the work and the checks."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.eligibility.api.views import EligibilityResultSerializer
from certification.lifecycle import services as lifecycle
from certification.models import ChangeRequest, MajorChangeKind


class MajorChangeReportSerializer(serializers.Serializer):
    certificate = serializers.CharField(max_length=40, help_text="证书编号")
    kind = serializers.ChoiceField(choices=MajorChangeKind.choices, help_text="重大变化类型")
    description = serializers.CharField(max_length=5000, help_text="变化情况说明（10 至 5000 字）")
    event_date = serializers.DateField(help_text="变更发生日期（不晚于今天）")
    evidence = serializers.FileField(help_text="证明材料（PDF）")
    facts = serializers.JSONField(
        help_text=(
            "变化后的认定条件数据（JSON 文本）：资格检查请求体中的 field_code、staff、fiscal_years、ip、"
            "composite_score（可选）；注册日期和注册地取自企业注册信息，规则集和评估日期由变更发生日期决定"
        )
    )


class ChangeSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.number")
    check_result = EligibilityResultSerializer(
        allow_null=True, help_text="按 facts 于变更发生日期、按当日施行的规则集核验的结果；更名为 null"
    )
    check_failed = serializers.BooleanField(help_text="核验结果有条件不满足（保留资格须写明理由）")
    facts = serializers.JSONField(allow_null=True, help_text="企业填报的变化后数据（含取自企业信息的注册项）")

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "certificate",
            "kind",
            "major_kind",
            "status",
            "old_name",
            "new_name",
            "description",
            "event_date",
            "reported_late",
            "evidence_name",
            "evidence_size",
            "evidence_sha256",
            "facts",
            "check_result",
            "check_failed",
            "note",
            "requested_at",
            "decided_at",
        ]
        read_only_fields = fields


class MajorChangeDecideSerializer(serializers.Serializer):
    keep = serializers.BooleanField(help_text="true：保留资格；false：撤销资格")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="复核意见：撤销时必填；核验结果有条件不满足而保留资格时必填",
    )


def _change(request: Request, pk: int) -> ChangeRequest:
    return get_object_or_404(lifecycle.changes_visible_to(request.user).select_related("certificate"), pk=pk)


class MajorChangeReportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": MajorChangeReportSerializer},
        responses={201: ChangeSerializer},
        summary="报告重大变化（附变化后的认定条件数据，系统按变更发生日期核验）",
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.ENTERPRISE:
            raise PermissionDenied(_("您不是该证书所属企业的用户。"))
        body = MajorChangeReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        certificate = get_object_or_404(
            lifecycle.certificates_visible_to(request.user), number=data["certificate"]
        )
        change = lifecycle.major_change_report(
            certificate=certificate,
            by=request.user,
            kind=data["kind"],
            description=data["description"],
            evidence=data["evidence"],
            event_date=data["event_date"],
            facts=data["facts"],
        )
        return Response(ChangeSerializer(_change(request, change.pk)).data, status=status.HTTP_201_CREATED)


class ChangeDetailView(APIView):
    @extend_schema(responses={200: ChangeSerializer}, summary="变更申请（含重大变化的核验结果）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChangeSerializer(_change(request, pk)).data)


class MajorChangeDecideView(APIView):
    @extend_schema(
        request=MajorChangeDecideSerializer,
        responses={200: ChangeSerializer},
        summary="重大变化复核决定（保留或撤销资格）",
    )
    def post(self, request: Request, pk: int) -> Response:
        change = _change(request, pk)
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))
        body = MajorChangeDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lifecycle.major_change_decide(
            change=change, by=request.user, keep=body.validated_data["keep"], note=body.validated_data["note"]
        )
        return Response(ChangeSerializer(_change(request, pk)).data)
