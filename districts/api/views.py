from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.applications.api.serializers import ApplicationSerializer
from certification.applications.permissions import applications_visible_to
from certification.applications.selectors import with_application_details
from certification.models import DocumentKind
from districts import services


class ReturnSerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=500), required=False, default=list
    )
    missing_documents = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices), required=False, default=list
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OpinionSerializer(serializers.Serializer):
    recommend = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DistrictActionView(APIView):
    """An action of the application's district official: 404 if not visible, 403 for other roles."""

    def application(self, request: Request, pk: int):  # type: ignore[no-untyped-def]
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有所在区的工作小组可以执行此操作。"))
        return application

    def run(self, request: Request, pk: int, action) -> Response:  # type: ignore[no-untyped-def]
        application = self.application(request, pk)
        action(application)
        fresh = with_application_details(applications_visible_to(request.user)).get(pk=pk)
        return Response(ApplicationSerializer(fresh).data)


class ReturnView(DistrictActionView):
    @extend_schema(
        request=ReturnSerializer,
        responses={200: ApplicationSerializer},
        summary="退回补正（一次告知全部缺少的材料）",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.application(request, pk)
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(
            request,
            pk,
            lambda app: services.application_return(
                application=app,
                by=request.user,
                reasons=body.validated_data["reasons"],
                missing_documents=body.validated_data["missing_documents"],
                note=body.validated_data["note"],
            ),
        )


class AcceptView(DistrictActionView):
    @extend_schema(request=None, responses={200: ApplicationSerializer}, summary="受理（开始 40 日办理时限）")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(
            request, pk, lambda app: services.application_accept(application=app, by=request.user)
        )


class OpinionView(DistrictActionView):
    @extend_schema(
        request=OpinionSerializer, responses={200: ApplicationSerializer}, summary="区县工作小组推荐意见"
    )
    def post(self, request: Request, pk: int) -> Response:
        self.application(request, pk)
        body = OpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(
            request,
            pk,
            lambda app: services.application_opinion(
                application=app,
                by=request.user,
                recommend=body.validated_data["recommend"],
                note=body.validated_data["note"],
            ),
        )


class FilingReturnBody(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=services.REASON_MAX)


class FilingReturnView(DistrictActionView):
    """After the office returned a filing (报备退回): the district's way back, with a required reason.

    Each subclass names its service (``service``); 400 without a reason, 409 from any other status."""

    service: Any

    def post(self, request: Request, pk: int) -> Response:
        self.application(request, pk)
        body = FilingReturnBody(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(
            request,
            pk,
            lambda app: self.service(application=app, by=request.user, reason=body.validated_data["reason"]),
        )


class RefileView(FilingReturnView):
    service = staticmethod(services.filing_return_refile)

    @extend_schema(
        request=FilingReturnBody,
        responses={200: ApplicationSerializer},
        summary="报备退回后更正并重新报备（新的报备，须说明更正内容）",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class BackToReviewView(FilingReturnView):
    service = staticmethod(services.filing_return_back_to_review)

    @extend_schema(
        request=FilingReturnBody,
        responses={200: ApplicationSerializer},
        summary="报备退回后退回评审环节（撤回区县意见，可重新开放专家评分）",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class BackToPublicityView(FilingReturnView):
    service = staticmethod(services.filing_return_back_to_publicity)

    @extend_schema(
        request=FilingReturnBody,
        responses={200: ApplicationSerializer},
        summary="报备退回后退回公示环节（回到拟推荐，重新公示）",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
