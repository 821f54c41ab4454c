"""``POST /api/v1/filings/{id}/decide/`` (``api-filing-decide``): the municipal office's decision on a
district's filing. The filing's list and letter stay with districts (districts/api/filings.py)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from audits.services import filing_decide
from districts.api.filings import FilingSerializer
from districts.selectors import filings_visible_to


class DecisionSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    approved = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


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
        filing_decide(
            filing=filing, by=request.user, decisions=[dict(d) for d in body.validated_data["decisions"]]
        )
        return Response(FilingSerializer(filings_visible_to(request.user).get(pk=pk)).data)
