from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workdays.services import MAX_YEAR, MIN_YEAR, working_days_from


class WorkingDaysQuery(serializers.Serializer):
    start = serializers.DateField()
    count = serializers.IntegerField(min_value=1, max_value=250)

    def validate_start(self, value: dt.date) -> dt.date:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                _("日期应在 %(a)s 至 %(b)s 年之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}
            )
        return value


class WorkingDaysView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="YYYY-MM-DD, 2004–2100"),
            OpenApiParameter("count", int, required=True, description="1–250"),
        ],
        responses={
            200: inline_serializer(
                "WorkingDays",
                {
                    "start": serializers.DateField(),
                    "count": serializers.IntegerField(),
                    "end": serializers.DateField(),
                    "confirmed": serializers.BooleanField(),
                },
            )
        },
        summary="N 个工作日后的日期（按节假日与调休安排）",
    )
    def get(self, request: Request) -> Response:
        query = WorkingDaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, count = query.validated_data["start"], query.validated_data["count"]
        period = working_days_from(start, count)
        if period.end.year > MAX_YEAR:
            return Response({"count": [_("结束日期超出日历范围。")]}, status=400)
        return Response(
            {
                "start": start.isoformat(),
                "count": count,
                "end": period.end.isoformat(),
                "confirmed": period.confirmed,
            }
        )
