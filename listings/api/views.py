"""``/api/v1/listings/``: the entries (list, add, detail), their stage events, the targets and the
progress. Thin like the browser views: the same permissions, selectors and services."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from certification.models import Enterprise
from districts.models import District
from listings import selectors, services
from listings.forms import assessment_form
from listings.models import (
    Activity,
    ActivityKind,
    Attendance,
    ListingEntry,
    ListKind,
    Stage,
    StageEvent,
    Target,
)
from listings.permissions import entries_visible_to

LedgerRoles = HasRole.of(Role.MUNICIPAL, Role.DISTRICT)


class StageEventSerializer(serializers.ModelSerializer):
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = StageEvent
        fields = [
            "id",
            "from_stage",
            "to_stage",
            "happened_on",
            "market",
            "reference",
            "has_evidence",
            "recorded_at",
        ]

    def get_has_evidence(self, event: StageEvent) -> bool:
        return bool(event.evidence)


class ListingEntrySerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")
    district = serializers.CharField(source="enterprise.district.code")

    class Meta:
        model = ListingEntry
        fields = ["id", "enterprise_name", "uscc", "district", "list_kind", "stage", "note", "added_at"]


class ListingEntryDetailSerializer(ListingEntrySerializer):
    events = StageEventSerializer(many=True)

    class Meta(ListingEntrySerializer.Meta):
        fields = [*ListingEntrySerializer.Meta.fields, "events"]


class EntryAddSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=18)
    stage = serializers.ChoiceField(choices=[s.value for s in services.ENTRY_STAGES])
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class EventAddSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=[s.value for s in Stage if s != Stage.RESERVE])
    happened_on = serializers.DateField()
    market = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False, allow_null=True, default=None)


@extend_schema_field({"type": "string", "maxLength": 6, "nullable": True})
class DistrictCodeField(serializers.SlugRelatedField):
    """A district by its 6-digit code (a longer text is simply no district: 400)."""


class TargetSerializer(serializers.ModelSerializer):
    district = DistrictCodeField(
        slug_field="code", queryset=District.objects.all(), allow_null=True, required=False, default=None
    )

    class Meta:
        model = Target
        fields = ["year", "district", "reformed", "listed", "merged_domestic", "merged_foreign"]
        validators: list = []  # target_set updates the year's row in place


class ProgressCellSerializer(serializers.Serializer):
    stage = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)


class ProgressRowSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True, help_text="区代码；null 为全市")
    cells = ProgressCellSerializer(many=True)


FILTERS = [
    OpenApiParameter("list", str, enum=ListKind.values),
    OpenApiParameter("stage", str, enum=Stage.values),
    OpenApiParameter("district", str),
    OpenApiParameter("q", str, description="企业名称或统一社会信用代码"),
]


class EntryListView(generics.ListAPIView):
    permission_classes = [LedgerRoles]
    serializer_class = ListingEntrySerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return selectors.entries_for(
            self.request.user,
            list_kind=params.get("list", "") if params.get("list", "") in ListKind.values else "",
            stage=params.get("stage", "") if params.get("stage", "") in Stage.values else "",
            district=params.get("district", "")[:6],
            q=params.get("q", "")[:100],
        )

    @extend_schema(parameters=FILTERS, summary="四单一库企业列表")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=EntryAddSerializer,
        responses={201: ListingEntrySerializer},
        summary="市工作小组办公室列入企业",
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.MUNICIPAL:
            raise PermissionDenied(_("只有市工作小组办公室可以维护四单一库名单和目标。"))
        body = EntryAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enterprise = Enterprise.objects.filter(uscc=body.validated_data["uscc"].strip().upper()).first()
        if enterprise is None:
            raise ValidationError({"uscc": [_("未找到该统一社会信用代码的企业，企业须先在本系统注册。")]})
        entry = services.entry_add(
            enterprise=enterprise,
            stage=body.validated_data["stage"],
            note=body.validated_data["note"],
            by=request.user,
        )
        return Response(ListingEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class EntryDetailView(APIView):
    permission_classes = [LedgerRoles]

    @extend_schema(responses={200: ListingEntryDetailSerializer}, summary="四单一库企业及其阶段记录")
    def get(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(
            entries_visible_to(request.user)
            .select_related("enterprise__district")
            .prefetch_related("events"),
            pk=pk,
        )
        return Response(ListingEntryDetailSerializer(entry).data)


class EventAddView(APIView):
    permission_classes = [LedgerRoles]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=EventAddSerializer, responses={201: StageEventSerializer}, summary="记录阶段")
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
        body = EventAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.event_record(entry=entry, by=request.user, **body.validated_data)
        return Response(StageEventSerializer(event).data, status=status.HTTP_201_CREATED)


class TargetListView(generics.ListAPIView):
    permission_classes = [LedgerRoles]
    serializer_class = TargetSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = Target.objects.select_related("district").order_by("-year", "district__code")
        if self.request.user.role == Role.DISTRICT:
            qs = qs.filter(district_id=self.request.user.district_id) | qs.filter(district__isnull=True)
        return qs

    @extend_schema(
        request=TargetSerializer, responses={200: TargetSerializer}, summary="市工作小组办公室设定目标"
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.MUNICIPAL:
            raise PermissionDenied(_("只有市工作小组办公室可以维护四单一库名单和目标。"))
        body = TargetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = services.target_set(by=request.user, **body.validated_data)
        return Response(TargetSerializer(target).data)


class ProgressView(APIView):
    permission_classes = [LedgerRoles]

    @extend_schema(
        parameters=[OpenApiParameter("year", int)],
        responses={200: ProgressRowSerializer(many=True)},
        summary="各区年度目标进度",
    )
    def get(self, request: Request) -> Response:
        try:
            year = int(request.query_params.get("year", timezone.localdate().year))
        except ValueError:
            raise ValidationError({"year": [_("年度应在 2016 至 2100 之间。")]}) from None
        if not 2016 <= year <= 2100:
            raise ValidationError({"year": [_("年度应在 2016 至 2100 之间。")]})
        districts = District.objects.order_by("code")
        if request.user.role == Role.DISTRICT:
            districts = districts.filter(pk=request.user.district_id)
        rows = selectors.progress(year, districts=districts)
        if request.user.role == Role.DISTRICT:
            rows = rows[:-1]
        return Response(
            [
                {
                    "district": r.district.code if r.district else None,
                    "cells": [{"stage": s, "done": d, "target": t} for s, d, t in r.cells()],
                }
                for r in rows
            ]
        )


class ListingAssessmentCellSerializer(serializers.Serializer):
    stage = serializers.CharField()
    half = serializers.IntegerField(help_text="本半年记录的阶段数")
    cumulative = serializers.IntegerField(help_text="1 月 1 日至期末的阶段数")
    target = serializers.IntegerField(allow_null=True, help_text="年度目标")
    rate = serializers.FloatField(allow_null=True, help_text="完成率（%）")


class ListingAssessmentRowSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True, help_text="区代码；null 为全市")
    cells = ListingAssessmentCellSerializer(many=True)


class ListingPeriodCellSerializer(serializers.Serializer):
    stage = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ListingPeriodSerializer(serializers.Serializer):
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    cells = ListingPeriodCellSerializer(many=True)


class ListingAssessmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    half = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    rows = ListingAssessmentRowSerializer(many=True)
    period = ListingPeriodSerializer(allow_null=True, help_text="全市阶段目标累计进度（仅市工作小组办公室）")


class AssessmentView(APIView):
    """半年考核 as JSON: the same numbers as the page, the PDF and the .xlsx."""

    permission_classes = [LedgerRoles]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度（与 half 一起省略时为本年度的当前半年）"),
            OpenApiParameter("half", int, enum=[1, 2], description="1 上半年，2 下半年"),
        ],
        responses={200: ListingAssessmentSerializer},
        summary="四单一库半年考核",
    )
    def get(self, request: Request) -> Response:
        form = assessment_form(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}
            )
        report = selectors.assessment_for(request.user, form.cleaned_data["year"], form.cleaned_data["half"])
        period = None
        if report.period is not None:
            period = {
                "start_year": report.period.start_year,
                "end_year": report.period.end_year,
                "cells": [
                    {"stage": s, "done": d, "target": t, "rate": r}
                    for s, _label, d, t, r in report.period_cells()
                ],
            }
        return Response(
            {
                "year": report.year,
                "half": report.half,
                "start": report.start,
                "end": report.end,
                "rows": [
                    {
                        "district": r.district.code if r.district else None,
                        "cells": [
                            {
                                "stage": c.stage,
                                "half": c.half,
                                "cumulative": c.cumulative,
                                "target": c.target,
                                "rate": c.rate,
                            }
                            for c in r.cells
                        ],
                    }
                    for r in report.rows
                ],
                "period": period,
            }
        )


class ListingAttendanceSerializer(serializers.ModelSerializer):
    enterprise_uscc = serializers.CharField(source="enterprise.uscc", allow_null=True, default=None)
    enterprise_name = serializers.CharField(source="enterprise.name", allow_null=True, default=None)
    institution_name = serializers.CharField(source="institution.name", allow_null=True, default=None)

    class Meta:
        model = Attendance
        fields = ["enterprise_uscc", "enterprise_name", "institution", "institution_name"]


class ListingActivitySerializer(serializers.ModelSerializer):
    district = serializers.CharField(
        source="district.code", allow_null=True, default=None, help_text="组织区代码；null 为市工作小组办公室"
    )
    speakers = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "held_on",
            "topic",
            "speakers",
            "place",
            "head_count",
            "district",
            "recorded_at",
        ]


class ListingActivityDetailSerializer(ListingActivitySerializer):
    attendances = ListingAttendanceSerializer(many=True)

    class Meta(ListingActivitySerializer.Meta):
        fields = [*ListingActivitySerializer.Meta.fields, "attendances"]


class ListingActivityAddSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.values)
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200)
    head_count = serializers.IntegerField(min_value=1, max_value=100000)
    speakers = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False, default=list
    )
    enterprises = serializers.ListField(
        child=serializers.CharField(max_length=18),
        max_length=500,
        required=False,
        default=list,
        help_text="参加企业的统一社会信用代码",
    )
    institutions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=200,
        required=False,
        default=list,
        help_text="参加的服务机构 id",
    )


def _activity_year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    try:
        year = int(raw) if raw else timezone.localdate().year
    except ValueError:
        raise ValidationError({"year": [_("年度应在 2016 至 2100 之间。")]}) from None
    if not 2016 <= year <= 2100:
        raise ValidationError({"year": [_("年度应在 2016 至 2100 之间。")]})
    return year


class ActivityListView(generics.ListAPIView):
    permission_classes = [LedgerRoles]
    serializer_class = ListingActivitySerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        kind = self.request.query_params.get("kind", "")
        return selectors.activities_for(
            self.request.user,
            year=_activity_year(self.request),
            kind=kind if kind in ActivityKind.values else "",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度（默认今年）"),
            OpenApiParameter("kind", str, enum=ActivityKind.values),
        ],
        summary="培训与路演活动列表",
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ListingActivityAddSerializer,
        responses={201: ListingActivityDetailSerializer},
        summary="记录培训或路演活动及参加单位",
    )
    def post(self, request: Request) -> Response:
        body = ListingActivityAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        activity = services.activity_record(
            by=request.user,
            enterprise_codes=data.pop("enterprises"),
            institution_ids=data.pop("institutions"),
            **data,
        )
        detail = selectors.activity_detail(request.user, activity.pk)
        return Response(ListingActivityDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class ActivityDetailView(APIView):
    permission_classes = [LedgerRoles]

    @extend_schema(responses={200: ListingActivityDetailSerializer}, summary="活动及参加单位")
    def get(self, request: Request, pk: int) -> Response:
        try:
            activity = selectors.activity_detail(request.user, pk)
        except Activity.DoesNotExist:
            raise Http404 from None
        return Response(ListingActivityDetailSerializer(activity).data)
