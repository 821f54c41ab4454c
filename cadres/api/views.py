"""The cadre help ledger's API: thin views over cadres.services; what each may see from cadres.permissions."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
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
    CadreEvaluationInputSerializer,
    CadreEvaluationSerializer,
    DevelopmentInputSerializer,
    DevelopmentSerializer,
    HelpGoalInputSerializer,
    HelpGoalSerializer,
    HelpLedgerSerializer,
    HelpListEntrySerializer,
    HelpTrainingInputSerializer,
    HelpTrainingSerializer,
    LedgerDecisionInputSerializer,
    LedgerSubmitInputSerializer,
    NeedsSurveyInputSerializer,
    NeedsSurveySerializer,
    PairingInputSerializer,
    PairingSerializer,
    RecordInputSerializer,
    RecordSerializer,
)
from cadres.models import (
    SURVEY_AREAS,
    Assessment,
    AssessmentSheet,
    Assignment,
    DevelopmentData,
    Evaluation,
    Goal,
    HelpListEntry,
    HelpRecord,
    Ledger,
    LedgerStatus,
    NeedsSurvey,
    Training,
)
from cadres.permissions import assessments_visible_to, entries_visible_to, ledgers_visible_to
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


# --- Pairing, survey, goals, ledgers, training, evaluations ------------------------------------------
# Same people as the pages: who may act is checked (403) before what is wrong with the body (400); an
# entry or a ledger one may not see is a 404 (cadres.permissions).


def _entry(request: Request, pk: int) -> HelpListEntry:
    return get_object_or_404(entries_visible_to(request.user).select_related("enterprise"), pk=pk)


def _user(pk: int, field: str, message: str) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise InvalidInput({field: [message]})
    return user


class PairingList(ListAPIView):
    """An enterprise's pairings (past and current); POST pairs a cadre (the office or an organisation department)."""

    permission_classes = [Readers]
    serializer_class = PairingSerializer

    def get_queryset(self) -> QuerySet[Assignment]:
        entry = _entry(self.request, self.kwargs["pk"])
        return (
            Assignment.objects.filter(entry=entry)
            .select_related("cadre__cadre_profile")
            .order_by("-starts_on", "kind", "pk")
        )

    @extend_schema(request=PairingInputSerializer, responses={201: PairingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        services.require_assigner(request.user, entry)
        data = PairingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cadre = _user(data.validated_data["cadre"], "cadre", _("所选用户不是登记的帮扶干部。"))
        saved = services.assignment_set(
            by=request.user,
            entry=entry,
            cadre=cadre,
            kind=data.validated_data["kind"],
            starts_on=data.validated_data["starts_on"],
        )
        saved = Assignment.objects.select_related("cadre__cadre_profile").get(pk=saved.pk)
        return Response(PairingSerializer(saved).data, status=status.HTTP_201_CREATED)


class SurveyDetail(APIView):
    """The needs survey (需求调查): read by whoever sees the enterprise (empty fields before the first
    answer), changed by its cadre with PATCH (the fields sent replace theirs, the others stay)."""

    permission_classes = [Readers]

    @extend_schema(responses={200: NeedsSurveySerializer})
    def get(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        survey = NeedsSurvey.objects.filter(entry=entry).first() or NeedsSurvey(entry=entry)
        return Response(NeedsSurveySerializer(survey).data)

    @extend_schema(request=NeedsSurveyInputSerializer, responses={200: NeedsSurveySerializer})
    def patch(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        services.require_cadre_of(request.user, entry)
        data = NeedsSurveyInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = NeedsSurvey.objects.filter(entry=entry).first()
        values = {n: getattr(current, n) if current else "" for n in (*SURVEY_AREAS, "bottlenecks")}
        survey = services.survey_save(by=request.user, entry=entry, data={**values, **data.validated_data})
        return Response(NeedsSurveySerializer(survey).data)


class GoalList(ListAPIView):
    """一企一策: the yearly and five-year goals; POST sets one (the cadre)."""

    permission_classes = [Readers]
    serializer_class = HelpGoalSerializer

    def get_queryset(self) -> QuerySet[Goal]:
        entry = _entry(self.request, self.kwargs["pk"])
        return Goal.objects.filter(entry=entry).order_by(F("year").asc(nulls_last=True), "pk")

    @extend_schema(request=HelpGoalInputSerializer, responses={201: HelpGoalSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        services.require_cadre_of(request.user, entry)
        data = HelpGoalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.goal_set(by=request.user, entry=entry, **data.validated_data)
        return Response(HelpGoalSerializer(goal).data, status=status.HTTP_201_CREATED)


def _ledgers() -> QuerySet[Ledger]:
    return Ledger.objects.select_related("entry__enterprise")


class EntryLedgerList(ListAPIView):
    """An enterprise's half-year ledgers; POST submits one (the cadre; a returned one again)."""

    permission_classes = [Readers]
    serializer_class = HelpLedgerSerializer

    def get_queryset(self) -> QuerySet[Ledger]:
        entry = _entry(self.request, self.kwargs["pk"])
        return _ledgers().filter(entry=entry).order_by("-year", "-half", "pk")

    @extend_schema(request=LedgerSubmitInputSerializer, responses={201: HelpLedgerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        services.require_cadre_of(request.user, entry)
        data = LedgerSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ledger = services.ledger_submit(by=request.user, entry=entry, **data.validated_data)
        return Response(
            HelpLedgerSerializer(_ledgers().get(pk=ledger.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema(parameters=[OpenApiParameter("status", str, enum=LedgerStatus.values, required=False)])
class LedgerList(ListAPIView):
    """The half-year ledgers the caller may see, optionally of one status (``?status=confirmed``: the
    district's review queue; ``district_reviewed``: the municipal filing queue)."""

    permission_classes = [Readers]
    serializer_class = HelpLedgerSerializer

    def get_queryset(self) -> QuerySet[Ledger]:
        qs = ledgers_visible_to(self.request.user).select_related("entry__enterprise")
        wanted = self.request.query_params.get("status", "")
        if wanted:
            if wanted not in LedgerStatus.values:
                raise InvalidInput({"status": [_("未知的台账状态。")]})
            qs = qs.filter(status=wanted)
        return qs.order_by("year", "half", "entry__enterprise__name", "pk")


class _LedgerAction(APIView):
    permission_classes = [Readers]

    def _ledger(self, request: Request, pk: int) -> Ledger:
        return get_object_or_404(ledgers_visible_to(request.user).select_related("entry__enterprise"), pk=pk)

    def _decision(self, request: Request) -> tuple[bool, str]:
        data = LedgerDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["decision"] == "pass", data.validated_data["note"]

    def _done(self, ledger: Ledger) -> Response:
        return Response(HelpLedgerSerializer(_ledgers().get(pk=ledger.pk)).data)


class LedgerConfirm(_LedgerAction):
    """企业确认: the enterprise confirms its submitted ledger, or returns it to the cadre (a reason needed)."""

    @extend_schema(request=LedgerDecisionInputSerializer, responses={200: HelpLedgerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ledger = self._ledger(request, pk)
        services.require_confirmer(request.user, ledger)
        approve, note = self._decision(request)
        return self._done(services.ledger_confirm(by=request.user, ledger=ledger, approve=approve, note=note))


class LedgerReview(_LedgerAction):
    """区县审核: the district organisation department passes a confirmed ledger on, or returns it (a reason needed)."""

    @extend_schema(request=LedgerDecisionInputSerializer, responses={200: HelpLedgerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ledger = self._ledger(request, pk)
        services.require_reviewer(request.user, ledger)
        approve, note = self._decision(request)
        return self._done(services.ledger_review(by=request.user, ledger=ledger, approve=approve, note=note))


class LedgerFile(_LedgerAction):
    """市级备案: the municipal office or the municipal organisation department files a reviewed ledger."""

    @extend_schema(request=None, responses={200: HelpLedgerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ledger = self._ledger(request, pk)
        services.require_filer(request.user)
        return self._done(services.ledger_file(by=request.user, ledger=ledger))


@extend_schema(parameters=[OpenApiParameter("year", int, required=False)])
class TrainingList(ListAPIView):
    """Training sessions and lectures (实施方案 二(二)5), optionally of one year; POST records one."""

    permission_classes = [HasRole.of(Role.MUNICIPAL, Role.ORGANISATION)]
    serializer_class = HelpTrainingSerializer

    def get_queryset(self) -> QuerySet[Training]:
        qs = Training.objects.order_by("-held_on", "-pk")
        raw = self.request.query_params.get("year", "")
        if raw:
            if not (raw.isascii() and raw.isdigit() and 2015 <= int(raw) <= 2100):
                raise InvalidInput({"year": [_("年度应在 2015 至 2100 之间。")]})
            qs = qs.filter(held_on__year=int(raw))
        return qs

    @extend_schema(request=HelpTrainingInputSerializer, responses={201: HelpTrainingSerializer})
    def post(self, request: Request) -> Response:
        services.require_training_keeper(request.user)
        data = HelpTrainingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.training_add(by=request.user, data=data.validated_data)
        return Response(HelpTrainingSerializer(done).data, status=status.HTTP_201_CREATED)


class EvaluationList(ListAPIView):
    """The enterprise's evaluations of its cadres; POST adds one (the enterprise, once per cadre and period)."""

    permission_classes = [Readers]
    serializer_class = CadreEvaluationSerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        entry = _entry(self.request, self.kwargs["pk"])
        return Evaluation.objects.filter(entry=entry).select_related("cadre").order_by("-year", "-half", "pk")

    @extend_schema(request=CadreEvaluationInputSerializer, responses={201: CadreEvaluationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk)
        services.require_owner(request.user, entry)
        data = CadreEvaluationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["cadre"] = _user(values["cadre"], "cadre", _("所选干部不是本企业的帮扶干部。"))
        done = services.evaluation_add(by=request.user, entry=entry, **values)
        done = Evaluation.objects.select_related("cadre").get(pk=done.pk)
        return Response(CadreEvaluationSerializer(done).data, status=status.HTTP_201_CREATED)
