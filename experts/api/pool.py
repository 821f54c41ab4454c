"""``/api/v1/experts/``: the office's pool (list, detail, edit), the expert's pledge and own relations.

Serializers check the shape only; every rule is in `experts.services.pool`. Bad input is a 400 with
field errors in Chinese (`{"field": ["message"]}`), an object the caller may not see a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from certification.models import Field
from experts.models import Expert, ExpertKind, ExpertRelation
from experts.permissions import experts_visible_to, own_relations
from experts.services import pool as services

OfficeOnly = HasRole.of(Role.MUNICIPAL)
ExpertOnly = HasRole.of(Role.EXPERT)


# --- Output -------------------------------------------------------------------------------------------


class RelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertRelation
        fields = ["id", "uscc", "enterprise_name", "note", "declared_at"]


class ExpertSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    phone = serializers.CharField(source="user.phone")
    # Named method: SerializerMethodField's default `get_fields` would shadow Serializer.get_fields.
    fields = serializers.SerializerMethodField(
        method_name="field_codes", help_text="专业领域代码（现行目录）"
    )
    relations = RelationSerializer(many=True)

    class Meta:
        model = Expert
        fields = [
            "id",
            "username",
            "name",
            "kind",
            "title",
            "fields",
            "employer",
            "employer_uscc",
            "relations",
            "active",
            "yearly_cap",
            "email",
            "phone",
        ]

    def field_codes(self, expert: Expert) -> list[str]:
        return sorted(f.code for f in expert.fields.all())


class PledgeSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    signed_at = serializers.DateTimeField()
    text_version = serializers.CharField()


# --- Input shapes -------------------------------------------------------------------------------------


class ExpertPatchBody(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    kind = serializers.ChoiceField(choices=ExpertKind.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=50)
    fields = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, help_text="专业领域代码；技术专家至少一个"
    )
    employer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    employer_uscc = serializers.CharField(required=False, allow_blank=True, max_length=18)
    relations = serializers.ListField(
        child=serializers.CharField(max_length=18),
        required=False,
        help_text="回避企业统一社会信用代码（整体替换）",
    )
    yearly_cap = serializers.IntegerField(required=False)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    active = serializers.BooleanField(required=False, help_text="false 停用（须填 reason），true 启用")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=90, help_text="停用原因")


class RelationBody(serializers.Serializer):
    uscc = serializers.CharField(max_length=18)
    enterprise_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


def bad_request(errors: dict[str, list[str]]) -> Response:
    return Response(errors, status=status.HTTP_400_BAD_REQUEST)


def _own_expert(request: Request) -> Expert:
    expert = Expert.objects.filter(user=request.user).first()
    if expert is None:
        raise PermissionDenied(_("您的账户尚未登记到专家库，请联系市工作小组办公室。"))
    return expert


# --- The office: the pool -----------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名、工作单位、工作单位信用代码或用户名"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=ExpertKind.values, description="专家类别"),
    OpenApiParameter(
        "field", OpenApiTypes.STR, description="专业领域代码：覆盖该领域的技术专家（一级领域含其子领域）"
    ),
    OpenApiParameter("active", OpenApiTypes.BOOL, description="true 在库 / false 已停用"),
]


@extend_schema(parameters=LIST_PARAMETERS, summary="专家库列表（市工作小组办公室）")
class ExpertListView(ListAPIView):
    permission_classes = [OfficeOnly]
    serializer_class = ExpertSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        kind = params.get("kind", "")
        if kind and kind not in ExpertKind.values:
            errors["kind"] = [_("专家类别应为 technical 或 financial。")]
        field_code = params.get("field", "")
        if field_code and not Field.objects.filter(catalogue__in_force=True, code=field_code).exists():
            errors["field"] = [_("专业领域代码“%(code)s”不在现行技术领域目录中。") % {"code": field_code}]
        active_text = params.get("active", "").lower()
        active = {"true": True, "1": True, "false": False, "0": False, "": None}.get(active_text, "bad")
        if active == "bad":
            errors["active"] = [_("active 应为 true 或 false。")]
        if errors:
            raise ValidationError(errors)
        qs = services.filter_experts(
            experts_visible_to(self.request.user),
            query=params.get("q", ""),
            kind=kind,
            field_code=field_code,
            active=active,  # type: ignore[arg-type]
        )
        return services.with_expert_details(qs).order_by("name", "id")


class ExpertDetailView(APIView):
    permission_classes = [OfficeOnly]

    def _expert(self, request: Request, pk: int) -> Expert:
        return get_object_or_404(services.with_expert_details(experts_visible_to(request.user)), pk=pk)

    @extend_schema(responses={200: ExpertSerializer}, summary="专家详情（市工作小组办公室）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ExpertSerializer(self._expert(request, pk)).data)

    @extend_schema(
        request=ExpertPatchBody,
        responses={200: ExpertSerializer},
        summary="修改专家信息；active=false 停用（须填 reason），active=true 启用",
    )
    def patch(self, request: Request, pk: int) -> Response:
        expert = self._expert(request, pk)
        body = ExpertPatchBody(data=request.data)
        if not body.is_valid():
            return bad_request(body.errors)
        data: dict[str, Any] = dict(body.validated_data)
        active = data.pop("active", None)
        reason = data.pop("reason", "")
        with transaction.atomic():  # the edit and the (de)activation stand or fall together
            if data:
                services.expert_update(expert=expert, by=request.user, data=data)
            if active is False:
                services.expert_deactivate(expert=expert, by=request.user, reason=reason)
            elif active is True:
                services.expert_activate(expert=expert, by=request.user, reason=reason)
        return Response(ExpertSerializer(self._expert(request, pk)).data)


# --- The expert: pledge and own relations -------------------------------------------------------------


class PledgeView(APIView):
    permission_classes = [ExpertOnly]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "PledgeStatus",
                {
                    "year": serializers.IntegerField(),
                    "signed": serializers.BooleanField(),
                    "signed_at": serializers.DateTimeField(allow_null=True),
                },
            )
        },
        summary="本年度保密承诺（第十三条）是否已签署",
    )
    def get(self, request: Request) -> Response:
        pledge = services.pledge_for(_own_expert(request))
        return Response(
            {
                "year": services.current_year(),
                "signed": pledge is not None,
                "signed_at": serializers.DateTimeField().to_representation(pledge.signed_at)
                if pledge
                else None,
            }
        )

    @extend_schema(
        request=None,
        responses={201: PledgeSerializer, 200: PledgeSerializer},
        summary="签署本年度保密承诺（第十三条）；已签署时返回原承诺（200）",
    )
    def post(self, request: Request) -> Response:
        pledge, created = services.pledge_sign_or_get(expert=_own_expert(request), by=request.user)
        return Response(
            PledgeSerializer(pledge).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MyRelationListView(APIView):
    permission_classes = [ExpertOnly]

    @extend_schema(responses={200: RelationSerializer(many=True)}, summary="本人申报的回避关系")
    def get(self, request: Request) -> Response:
        _own_expert(request)
        return Response(RelationSerializer(own_relations(request.user).order_by("uscc"), many=True).data)

    @extend_schema(request=RelationBody, responses={201: RelationSerializer}, summary="申报回避关系")
    def post(self, request: Request) -> Response:
        expert = _own_expert(request)
        body = RelationBody(data=request.data)
        if not body.is_valid():
            return bad_request(body.errors)
        relation = services.relation_declare(expert=expert, by=request.user, **body.validated_data)
        return Response(RelationSerializer(relation).data, status=status.HTTP_201_CREATED)


class MyRelationDetailView(APIView):
    permission_classes = [ExpertOnly]

    @extend_schema(responses={204: None}, summary="撤销本人申报的回避关系")
    def delete(self, request: Request, pk: int) -> Response:
        relation = get_object_or_404(own_relations(request.user), pk=pk)
        services.relation_remove(relation=relation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
