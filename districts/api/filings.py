from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from audits.services import filing_decide
from certification.api.applications import conflict
from certification.errors import ApplicationStateError, InvalidInput
from districts import services
from districts.models import Filing


class FilingEntrySerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    enterprise_name = serializers.CharField(source="application.enterprise.name")
    uscc = serializers.CharField(source="application.enterprise.uscc")
    status = serializers.CharField(source="application.status")
    approved = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class FilingSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    entries = FilingEntrySerializer(many=True)

    class Meta:
        model = Filing
        fields = ["id", "district", "status", "created_at", "decided_at", "entries"]


def filings_visible_to(user) -> QuerySet[Filing]:  # type: ignore[no-untyped-def]
    qs = Filing.objects.select_related("district").prefetch_related("entries__application__enterprise")
    if user.role == Role.DISTRICT:
        return qs.filter(district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()


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
        try:
            filing = services.filing_create(
                by=request.user, application_ids=body.validated_data["applications"]
            )
        except InvalidInput as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        except ApplicationStateError as exc:
            return conflict(exc)
        return Response({"id": filing.pk}, status=status.HTTP_201_CREATED)


class DecisionSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    approved = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True, allow_empty=False)


class FilingDecideView(APIView):
    @extend_schema(
        request=DecideSerializer, responses={200: FilingSerializer}, summary="市工作小组办公室审核报备"
    )
    def post(self, request: Request, pk: int) -> Response:
        if request.user.role != Role.MUNICIPAL:
            raise PermissionDenied(_("只有市工作小组办公室可以审核报备。"))
        filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            filing_decide(
                filing=filing, by=request.user, decisions=[dict(d) for d in body.validated_data["decisions"]]
            )
        except InvalidInput as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        except ApplicationStateError as exc:
            return conflict(exc)
        return Response(FilingSerializer(filings_visible_to(request.user).get(pk=pk)).data)
