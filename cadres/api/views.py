"""The cadre help ledger's API: thin views over cadres.services; what each may see from cadres.permissions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.permissions import HasRole
from cadres import selectors, services
from cadres.api.serializers import (
    AssessmentOpenSerializer,
    AssessmentPeriodQuerySerializer,
    AssessmentRankSerializer,
    AssessmentScoresInputSerializer,
    AssessmentSheetSerializer,
    CadreAssessmentDetailSerializer,
    DevelopmentInputSerializer,
    DevelopmentSerializer,
    HelpListEntrySerializer,
    RecordInputSerializer,
    RecordSerializer,
)
from cadres.models import Assessment, AssessmentSheet, Assignment, DevelopmentData, HelpListEntry, HelpRecord
from cadres.permissions import assessments_visible_to, entries_visible_to
from cadres.views import READ_ROLES
from core.errors import DomainPermissionDenied, InvalidInput

Readers = HasRole.of(*READ_ROLES)


def _entries(request: Request) -> QuerySet[HelpListEntry]:
    return (
        entries_visible_to(request.user)
        .select_related("enterprise__district")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("cadre")))
        .order_by("help_list", "enterprise__name", "pk")
    )


class EntryList(ListAPIView):
    """The helped enterprises the caller may see (a cadre: their own), with their cadres."""

    permission_classes = [Readers]
    serializer_class = HelpListEntrySerializer

    def get_queryset(self) -> QuerySet[HelpListEntry]:
        return _entries(self.request)


class EntryDetail(RetrieveAPIView):
    permission_classes = [Readers]
    serializer_class = HelpListEntrySerializer

    def get_queryset(self) -> QuerySet[HelpListEntry]:
        return _entries(self.request)


class RecordList(ListAPIView):
    """An enterprise's help records; POST adds one (its cadre only)."""

    permission_classes = [Readers]
    serializer_class = RecordSerializer

    def get_queryset(self) -> QuerySet[HelpRecord]:
        entry = get_object_or_404(entries_visible_to(self.request.user), pk=self.kwargs["pk"])
        return HelpRecord.objects.filter(entry=entry).order_by("-helped_on", "-pk")

    @extend_schema(request=RecordInputSerializer, responses={201: RecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
        services.require_cadre_of(request.user, entry)  # who may, before what is wrong with the body
        data = RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.record_add(by=request.user, entry=entry, data=data.validated_data)
        return Response(RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class DevelopmentList(ListAPIView):
    """An enterprise's half-year development data; POST enters a period's (the enterprise's users only)."""

    permission_classes = [Readers]
    serializer_class = DevelopmentSerializer

    def get_queryset(self) -> QuerySet[DevelopmentData]:
        entry = get_object_or_404(entries_visible_to(self.request.user), pk=self.kwargs["pk"])
        return DevelopmentData.objects.filter(entry=entry).order_by("year", "half")

    @extend_schema(request=DevelopmentInputSerializer, responses={201: DevelopmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
        services.require_owner(request.user, entry)
        data = DevelopmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k not in ("year", "half")}
        saved = services.development_save(
            by=request.user,
            entry=entry,
            year=data.validated_data["year"],
            half=data.validated_data["half"],
            values=values,
        )
        return Response(DevelopmentSerializer(saved).data, status=status.HTTP_201_CREATED)


# --- The assessment of cadres: read by the office and the organisation departments, written by the latter --

AssessmentReaders = HasRole.of(Role.ORGANISATION, Role.MUNICIPAL)


def _period_params(request: Request) -> tuple[int, str, str]:
    serializer = AssessmentPeriodQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return data["year"], data["half"], data.get("level", "")


class AssessmentList(ListAPIView):
    """The period's ranking (finalised assessments by total, ties share a rank); POST opens a draft
    (organisation department)."""

    permission_classes = [AssessmentReaders]
    serializer_class = AssessmentRankSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        year, half, level = _period_params(self.request)
        return selectors.ranking(assessments_visible_to(self.request.user), year=year, half=half, level=level)

    @extend_schema(parameters=[AssessmentPeriodQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AssessmentOpenSerializer, responses={201: CadreAssessmentDetailSerializer})
    def post(self, request: Request) -> Response:
        if request.user.role != Role.ORGANISATION:
            raise DomainPermissionDenied(_("只有组织部门可以考核帮扶干部。"))
        data = AssessmentOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cadre = User.objects.filter(username=data.validated_data["cadre"]).first()
        if cadre is None:
            raise InvalidInput({"cadre": [_("所选用户不是有结对企业的帮扶干部。")]})
        done = services.assessment_open(
            by=request.user, cadre=cadre, year=data.validated_data["year"], half=data.validated_data["half"]
        )
        detail = selectors.assessment_detail(Assessment.objects.all(), done.pk)
        return Response(CadreAssessmentDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class AssessmentDetail(RetrieveAPIView):
    permission_classes = [AssessmentReaders]
    serializer_class = CadreAssessmentDetailSerializer

    def get_object(self) -> Assessment:
        visible = assessments_visible_to(self.request.user)
        get_object_or_404(visible.values_list("pk", flat=True), pk=self.kwargs["pk"])
        return selectors.assessment_detail(visible, self.kwargs["pk"])


class AssessmentScores(APIView):
    """The organisation department scores a draft's hand-scored indicators (a finalised one: 409)."""

    permission_classes = [AssessmentReaders]

    @extend_schema(request=AssessmentScoresInputSerializer, responses={200: CadreAssessmentDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assessment = get_object_or_404(assessments_visible_to(request.user), pk=pk)
        if request.user.role != Role.ORGANISATION:
            raise DomainPermissionDenied(_("只有组织部门可以考核帮扶干部。"))
        data = AssessmentScoresInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_score(
            by=request.user,
            assessment=assessment,
            scores=data.validated_data["scores"],
            note=data.validated_data["note"],
        )
        detail = selectors.assessment_detail(Assessment.objects.all(), pk)
        return Response(CadreAssessmentDetailSerializer(detail).data)


class AssessmentFinalise(APIView):
    """定稿: every hand-scored indicator must be scored; afterwards the assessment is read-only."""

    permission_classes = [AssessmentReaders]

    @extend_schema(request=None, responses={200: CadreAssessmentDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assessment = get_object_or_404(assessments_visible_to(request.user), pk=pk)
        if request.user.role != Role.ORGANISATION:
            raise DomainPermissionDenied(_("只有组织部门可以考核帮扶干部。"))
        services.assessment_finalise(by=request.user, assessment=assessment)
        detail = selectors.assessment_detail(Assessment.objects.all(), pk)
        return Response(CadreAssessmentDetailSerializer(detail).data)


class AssessmentSheetList(ListAPIView):
    """The years' scoring sheets with their indicators (configured in the browser)."""

    permission_classes = [AssessmentReaders]
    serializer_class = AssessmentSheetSerializer
    queryset = AssessmentSheet.objects.prefetch_related("indicators").order_by("-year")
