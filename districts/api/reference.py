"""``GET /api/v1/reference/districts/`` (``api-districts``): Tianjin's districts (GB/T 2260), public."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from districts.models import District


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name"]


@extend_schema(summary="天津市各区（GB/T 2260）")
class DistrictListView(ListAPIView):
    permission_classes = [AllowAny]
    pagination_class = None
    serializer_class = DistrictSerializer
    queryset = District.objects.order_by("code")
