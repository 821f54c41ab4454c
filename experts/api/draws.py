"""The draw API: ``POST /api/v1/applications/{id}/draw-experts/``, ``GET /api/v1/draws/{id}/``,
``POST /api/v1/draws/{id}/replay/`` and ``GET /api/v1/draws/{id}/pdf/`` (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
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
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.applications.api.pdf import PDFRenderer
from certification.applications.permissions import applications_visible_to
from core.pdf import PDF_CONTENT_TYPE
from experts.draw_record import draw_record_download
from experts.models import Draw, ReviewMode
from experts.selectors import draws_visible_to, with_draw_details
from experts.services.draws import DrawError, reason_text, replay_draw
from experts.services.meetings import draw_and_notify


class DrawBodySerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ReviewMode.choices, required=False, default=ReviewMode.ONLINE)
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)
    meeting_place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class PickSerializer(serializers.Serializer):
    expert_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["technical", "financial"])
    chair = serializers.BooleanField()


class DrawCreatedSerializer(serializers.Serializer):
    draw_id = serializers.IntegerField()
    seed = serializers.CharField()
    panel = PickSerializer(many=True)
    alternates = PickSerializer(many=True)


class EligibleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()


class ExcludedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField(help_text="排除原因（多项以“；”分隔），按当前语言显示")


class DrawRecordSerializer(serializers.ModelSerializer):
    """The stored record. ``rules.request`` is the draw's input besides the pool (see experts.services.draws)."""

    draw_id = serializers.IntegerField(source="pk")
    application = serializers.IntegerField(source="application_id")
    eligible_ids = serializers.SerializerMethodField()
    eligible = EligibleSerializer(source="eligible_ids", many=True)
    excluded = serializers.SerializerMethodField()
    panel = PickSerializer(many=True)
    alternates = PickSerializer(many=True)
    rules = serializers.JSONField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = [
            "draw_id",
            "application",
            "seed",
            "algorithm_version",
            "rules",
            "eligible_ids",
            "eligible",
            "excluded",
            "panel",
            "alternates",
            "mode",
            "meeting_date",
            "meeting_place",
            "created_by",
            "created_at",
        ]

    def get_eligible_ids(self, draw: Draw) -> list[int]:
        return [e["id"] for e in draw.eligible_ids]

    @extend_schema_field(ExcludedSerializer(many=True))
    def get_excluded(self, draw: Draw) -> list[dict[str, Any]]:
        return [{**e, "reason": reason_text(e["reason"], e.get("details"))} for e in draw.excluded]

    @extend_schema_field(
        inline_serializer(
            "DrawCreatedBy", {"id": serializers.IntegerField(), "name": serializers.CharField()}
        )
    )
    def get_created_by(self, draw: Draw) -> dict[str, Any]:
        return {"id": draw.created_by_id, "name": draw.created_by.display_name}


_ERROR = inline_serializer("DrawError", {"detail": serializers.CharField()})
_CONFLICT = inline_serializer(
    "DrawConflict", {"detail": serializers.CharField(), "status": serializers.CharField()}
)
_REPLAY = inline_serializer(
    "DrawReplay",
    {
        "draw_id": serializers.IntegerField(),
        "identical": serializers.BooleanField(),
        "seed": serializers.CharField(),
        "algorithm_version": serializers.CharField(),
        "panel": PickSerializer(many=True),
        "alternates": PickSerializer(many=True),
        "stored_panel": PickSerializer(many=True),
        "stored_alternates": PickSerializer(many=True),
        "detail": serializers.CharField(required=False),
    },
)


class DrawExpertsView(APIView):
    @extend_schema(
        summary="随机抽取评审专家（区县工作小组）",
        description=(
            "对已受理的申请随机抽取评审组及候补专家，为每名评审组成员生成评审任务（评分期限 10 个工作日），"
            "申请进入“专家评审中”。只有申请所在区的工作小组可以抽取：企业、专家和市工作小组办公室 403；"
            "看不到的申请 404；状态不是“已受理” 409；专家库不能满足抽取规则时 400，"
            "`detail` 说明哪条规则、差几名，且不保存任何内容。"
        ),
        request=DrawBodySerializer,
        responses={
            201: DrawCreatedSerializer,
            400: OpenApiTypes.OBJECT,
            403: _ERROR,
            404: _ERROR,
            409: _CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有申请所在区的工作小组可以抽取评审专家。"))
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        body = DrawBodySerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        try:
            draw = draw_and_notify(application=application, by=request.user, **body.validated_data)
        except DrawError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"draw_id": draw.pk, "seed": draw.seed, "panel": draw.panel, "alternates": draw.alternates},
            status=status.HTTP_201_CREATED,
        )


class DrawDetailView(APIView):
    @extend_schema(
        summary="专家抽取记录",
        description=(
            "存档的抽取记录：随机种子、算法版本、规则（`rules.request` 为抽取输入）、可抽取专家名单、"
            "排除的专家及原因、评审组、候补专家、抽取人和时间。申请所在区的工作小组和市工作小组办公室可见，"
            "其他人一律 404。"
        ),
        responses={200: DrawRecordSerializer, 404: _ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        draw = get_object_or_404(with_draw_details(draws_visible_to(request.user)), pk=pk)
        return Response(DrawRecordSerializer(draw).data)


class DrawReplayView(APIView):
    @extend_schema(
        summary="复现专家抽取",
        description=(
            "以存档的随机种子、可抽取专家名单和抽取输入重新运行同一版本的抽取算法，"
            "回答评审组和候补专家是否与存档完全一致（`identical`）。可见范围同抽取记录。"
        ),
        request=None,
        responses={200: _REPLAY, 404: _ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        draw = get_object_or_404(draws_visible_to(request.user), pk=pk)
        return Response(replay_draw(draw))


class DrawPdfView(APIView):
    # JSON first so that `Accept: */*` errors read as docs/api.md's `{"detail": ...}`.
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="下载专家抽取记录（PDF）",
        description="可打印的抽取记录，含签字栏。可见范围同抽取记录。",
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, PDF_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="抽取记录 PDF"
            ),
            (401, "application/json"): OpenApiResponse(response=_ERROR, description="未提供身份凭证"),
            (404, "application/json"): OpenApiResponse(
                response=_ERROR, description="抽取记录不存在或无权查看"
            ),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        draw = get_object_or_404(draws_visible_to(request.user), pk=pk)
        return draw_record_download(draw)

    def handle_exception(self, exc: Exception) -> Response:
        # Whatever the client accepts, an error is JSON (docs/api.md), never an empty "PDF".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
