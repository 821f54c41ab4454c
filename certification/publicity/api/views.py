from __future__ import annotations

from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.models import NoticeKind, Objection, PublicityNotice
from certification.publicity import selectors
from certification.publicity import services as publicity
from config.throttling import ClientAddressThrottle, rate_from_env
from core.freshness import fingerprint


class ObjectionRateThrottle(ClientAddressThrottle):
    """A few objections per address and hour keep scripted spam out; OBJECTION_RATE overrides."""

    rate = rate_from_env("OBJECTION_RATE", "5/hour")


class ObjectionTrackRateThrottle(ClientAddressThrottle):
    """Looking up a tracking number has its own counter: checking on an objection never uses up
    the allowance for raising one. OBJECTION_TRACK_RATE overrides."""

    rate = rate_from_env("OBJECTION_TRACK_RATE", "60/hour")


class PublicEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    enterprise_name = serializers.CharField(source="application.enterprise.name")
    uscc = serializers.CharField(source="application.enterprise.uscc")
    district = serializers.CharField(source="application.enterprise.district.name")
    field = serializers.CharField(source="application.field.name", default=None)
    outcome = serializers.CharField()
    change = serializers.IntegerField(
        source="change_id", allow_null=True, help_text="更名公示：更名申请的编号；认定公示为 null"
    )
    new_name = serializers.CharField(
        source="change.new_name", default=None, allow_null=True, help_text="更名公示：拟更名的新名称"
    )


class NoticeSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name")
    district_code = serializers.CharField(source="district.code")
    entries = PublicEntrySerializer(many=True)

    class Meta:
        model = PublicityNotice
        fields = [
            "id",
            "title",
            "district",
            "district_code",
            "kind",
            "start",
            "end",
            "end_confirmed",
            "status",
            "entries",
        ]


class PublishSerializer(serializers.Serializer):
    applications = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    start = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class NoticeFieldsSerializer(serializers.ModelSerializer):
    """The notice's fields of the old (unpaginated) shape, without its entries: each entry of a page
    carries its notice."""

    district = serializers.CharField(source="district.name")
    district_code = serializers.CharField(source="district.code")

    class Meta:
        model = PublicityNotice
        fields = [
            "id",
            "title",
            "district",
            "district_code",
            "kind",
            "start",
            "end",
            "end_confirmed",
            "status",
        ]


class OpenEntrySerializer(PublicEntrySerializer):
    """One entry of the public list API: the entry's fields of the old shape and its notice's."""

    notice = NoticeFieldsSerializer()


class PublicityPagination(PageNumberPagination):
    """Page numbers (``page``), 50 entries a page (``page_size`` up to 50); a page that is not a
    positive whole number, or past the last, is a 400 with the reason."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 50

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise serializers.ValidationError(
                {"page_size": [_("每页条数须为 1 至 %(n)s 之间的整数。") % {"n": self.max_page_size}]}
            )
        page = request.query_params.get(self.page_query_param)
        if page is not None and not (page.isdigit() and int(page) >= 1):
            raise serializers.ValidationError({"page": [_("页码须为正整数。")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise serializers.ValidationError({"page": [_("页码超出范围。")]}) from exc


class PublicityFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="企业名称（或拟更名的新名称）或统一社会信用代码开头",
    )
    district = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        allow_blank=True,
        help_text="公示所属区县的代码（6 位）",
        error_messages={"invalid": _lazy("区县代码须为 6 位数字。")},
    )
    kind = serializers.ChoiceField(choices=NoticeKind.choices, required=False, allow_blank=True)


SHARED_PARAMS = frozenset({"page", "page_size", "kind"})  # the list's pages kept in the cache
LIST_CACHE_SECONDS = 600  # a bound on staleness should a change bypass the history


class PublicityView(ListAPIView):
    """GET: the entries of the open notices, newest notice first, 50 a page, each with its notice
    (three queries a page: the count, the page's ids, its rows; whatever the number of entries).
    POST: a district publishes."""

    serializer_class = OpenEntrySerializer
    pagination_class = PublicityPagination

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = PublicityFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.open_entry_ids(
            q=" ".join(data.get("q", "").split()),
            kind=data.get("kind", ""),
            district=data.get("district", ""),
        )

    def paginate_queryset(self, queryset):  # type: ignore[no-untyped-def]
        """The page's ids, then its rows (selectors.open_entry_ids)."""
        ids = super().paginate_queryset(queryset)
        return selectors.entries_by_ids(list(ids))

    @extend_schema(
        summary="公示中的名单（公开，分页：每页最多 50 条）",
        parameters=[PublicityFilter],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        # The same answer for everyone: a page without a search or a district is kept for each state of
        # the rows it shows (core.freshness); searches are not, their keys would be as many as the texts.
        key = None
        if set(request.query_params) <= SHARED_PARAMS:
            params = {name: request.query_params.get(name, "") for name in sorted(SHARED_PARAMS)}
            key = ":".join(
                [
                    "publicity-api:v1",
                    get_language() or "",
                    timezone.localdate().isoformat(),
                    request.build_absolute_uri("/"),  # the page links are absolute
                    urlencode(params),
                    fingerprint(selectors.open_entries_shown_from()),
                ]
            )
            data = cache.get(key)
            if data is not None:
                return Response(data)
        response = super().get(request, *args, **kwargs)
        if key is not None and response.status_code == status.HTTP_200_OK:
            cache.set(key, response.data, LIST_CACHE_SECONDS)
        return response

    @extend_schema(
        request=PublishSerializer,
        summary="区县发布公示（10 个工作日）",
        responses={
            201: inline_serializer(
                "NoticeCreated",
                {
                    "id": serializers.IntegerField(),
                    "start": serializers.DateField(),
                    "end": serializers.DateField(),
                    "end_confirmed": serializers.BooleanField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有区县工作小组可以发布公示。"))
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice = publicity.publicity_publish(
            by=request.user,
            application_ids=body.validated_data["applications"],
            start=body.validated_data["start"],
            title=body.validated_data["title"],
        )
        return Response(
            {
                "id": notice.pk,
                "start": notice.start,
                "end": notice.end,
                "end_confirmed": notice.end_confirmed,
            },
            status=status.HTTP_201_CREATED,
        )


class ObjectionCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=5000)
    evidence = serializers.FileField(required=False)
    website = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="留空（防机器人字段）"
    )


class ObjectionCreateView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ObjectionRateThrottle]
    throttle_scope = "objections"

    @extend_schema(
        request={"multipart/form-data": ObjectionCreateSerializer},
        summary="实名提出异议",
        responses={
            201: inline_serializer(
                "ObjectionCreated",
                {"id": serializers.IntegerField(), "tracking_number": serializers.CharField()},
            )
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        notice = get_object_or_404(PublicityNotice, pk=pk)
        body = ObjectionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("website"):
            # The honeypot field is invisible to people; only scripts fill it. Refuse without detail.
            return Response({"detail": _("提交失败。")}, status=status.HTTP_400_BAD_REQUEST)
        entry = notice.entries.filter(application_id=data["application"]).first()
        if entry is None:
            return Response(
                {"application": [_("该企业不在本次公示名单中。")]}, status=status.HTTP_400_BAD_REQUEST
            )
        objection = publicity.objection_file(
            entry=entry,
            name=data["name"],
            phone=data["phone"],
            reason=data["reason"],
            evidence=data.get("evidence"),
        )
        return Response(
            {"id": objection.pk, "tracking_number": objection.tracking_number}, status=status.HTTP_201_CREATED
        )


class NoticeCloseView(APIView):
    @extend_schema(request=None, summary="结束公示（截止日之后）", responses={200: NoticeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有区县工作小组可以结束公示。"))
        notice = get_object_or_404(PublicityNotice, pk=pk, district_id=request.user.district_id)
        notice, _closed = publicity.notice_close(notice=notice, by=request.user)
        return Response(
            NoticeSerializer(selectors.notices_with_entries(PublicityNotice.objects).get(pk=notice.pk)).data
        )


class ObjectionSerializer(serializers.ModelSerializer):
    notice = serializers.IntegerField(source="entry.notice_id")
    application = serializers.IntegerField(source="entry.application_id")
    enterprise_name = serializers.CharField(source="entry.application.enterprise.name")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "tracking_number",
            "notice",
            "application",
            "enterprise_name",
            "name",
            "phone",
            "reason",
            "status",
            "finding",
            "decided_by",
            "decided_at",
            "created_at",
        ]


def objections_visible_to(user) -> QuerySet[Objection]:  # type: ignore[no-untyped-def]
    qs = Objection.objects.select_related(
        "entry__notice", "entry__application__enterprise", "entry__change", "decided_by"
    )
    if user.role == Role.DISTRICT:
        return qs.filter(entry__notice__district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()


class ObjectionListView(ListAPIView):
    serializer_class = ObjectionSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.request.user.role not in (Role.DISTRICT, Role.MUNICIPAL):
            raise PermissionDenied(_("只有区县工作小组和市工作小组办公室可以查看异议。"))
        qs = objections_visible_to(self.request.user)
        state = self.request.query_params.get("status")
        return qs.filter(status=state) if state else qs


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    finding = serializers.CharField(allow_blank=True, max_length=5000)


class ObjectionResolveView(APIView):
    @extend_schema(request=ResolveSerializer, responses={200: ObjectionSerializer}, summary="区县核实异议")
    def post(self, request: Request, pk: int) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有区县工作小组可以核实异议。"))
        objection = get_object_or_404(objections_visible_to(request.user), pk=pk)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = publicity.objection_resolve(
            objection=objection,
            by=request.user,
            upheld=body.validated_data["upheld"],
            finding=body.validated_data["finding"],
        )
        return Response(ObjectionSerializer(objections_visible_to(request.user).get(pk=objection.pk)).data)


class ObjectionTrackView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ObjectionTrackRateThrottle]
    throttle_scope = "objection-track"

    @extend_schema(
        summary="凭查询编号查看异议处理结果（不含身份信息）",
        responses={
            200: inline_serializer(
                "ObjectionTrack",
                {
                    "tracking_number": serializers.CharField(),
                    "status": serializers.CharField(),
                    "status_label": serializers.CharField(),
                    "finding": serializers.CharField(),
                    "decided_at": serializers.DateTimeField(allow_null=True),
                    "enterprise_name": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request: Request, tracking_number: str) -> Response:
        objection = get_object_or_404(
            Objection.objects.select_related("entry__application__enterprise"),
            tracking_number=tracking_number.strip().upper(),
        )
        return Response(
            {
                "tracking_number": objection.tracking_number,
                "status": objection.status,
                "status_label": objection.get_status_display(),
                "finding": objection.finding,
                "decided_at": objection.decided_at,
                "enterprise_name": objection.entry.application.enterprise.name,
            }
        )
