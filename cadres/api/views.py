"""The cadre help ledger's API: thin views over cadres.services; what each may see from cadres.permissions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasRole
from cadres import services
from cadres.api.serializers import (
    DevelopmentInputSerializer,
    DevelopmentSerializer,
    HelpListEntrySerializer,
    RecordInputSerializer,
    RecordSerializer,
)
from cadres.models import Assignment, DevelopmentData, HelpListEntry, HelpRecord
from cadres.permissions import entries_visible_to
from cadres.views import READ_ROLES

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
