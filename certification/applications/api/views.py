from __future__ import annotations

from dataclasses import replace

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.applications import reapplication, services
from certification.applications.api.serializers import (
    ApplicationListSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    SubmitSerializer,
)
from certification.applications.data import eligibility_input_for, rule_set_for
from certification.applications.input import parse_application
from certification.applications.permissions import applications_editable_by, applications_visible_to
from certification.applications.selectors import with_application_details, with_application_summary
from certification.disclosure import score_visible_to
from certification.eligibility.engine import evaluate
from certification.eligibility.rules import field_codes_in_force
from core.errors import InvalidInput


def parsed_body(request: Request, *, require: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    try:
        body = request.data
    except ParseError as exc:  # the parser's message names the problem without echoing the input
        raise InvalidInput({"non_field_errors": [str(exc.detail)]}) from None
    data, errors = parse_application(
        body, field_codes=field_codes_in_force(), today=timezone.localdate(), require=require
    )
    if errors:
        raise InvalidInput(errors)
    return data


class ApplicationListCreateView(ListAPIView):
    serializer_class = ApplicationListSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = with_application_summary(applications_visible_to(self.request.user)).order_by(
            "-updated_at", "-id"
        )
        status_filter = self.request.query_params.get("status")
        if status_filter:
            qs = qs.filter(status=status_filter)
        year = self.request.query_params.get("year")
        if year and year.isdigit():
            qs = qs.filter(year=int(year))
        return qs

    @extend_schema(
        request=ApplicationWriteSerializer,
        responses={201: ApplicationSerializer},
        summary="企业创建本年度认定申请（草稿）",
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.ENTERPRISE:
            raise PermissionDenied(_("只有企业用户可以创建认定申请。"))
        data = parsed_body(request)
        application = services.application_create(
            enterprise=request.user.enterprise, by=request.user, data=data
        )
        application = with_application_details(applications_visible_to(request.user)).get(pk=application.pk)
        return Response(
            ApplicationSerializer(application, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ApplicationDetailView(APIView):
    @extend_schema(responses={200: ApplicationSerializer}, summary="认定申请详情")
    def get(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(
            with_application_details(applications_visible_to(request.user)), pk=pk
        )
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    @extend_schema(
        request=ApplicationWriteSerializer,
        responses={200: ApplicationSerializer},
        summary="修改草稿或退回补正的申请（只改所提交的部分）",
    )
    def patch(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        if not applications_editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("只有本企业用户可以修改申请。"))
        data = parsed_body(request)
        services.application_update(application=application, by=request.user, data=data)
        application = with_application_details(applications_visible_to(request.user)).get(pk=pk)
        return Response(ApplicationSerializer(application, context={"request": request}).data)


class ApplicationEligibilityView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "ApplicationEligibility",
                {
                    "rule_set": serializers.CharField(),
                    "eligible": serializers.BooleanField(allow_null=True),
                    "conditions": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        summary="按已保存数据计算认定条件",
    )
    def get(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(
            with_application_details(applications_visible_to(request.user)), pk=pk
        )
        facts = eligibility_input_for(application)
        if not score_visible_to(request.user, application):
            facts = replace(facts, composite_score=None)  # not final, or not for this viewer
        result = evaluate(facts, rule_set_for(application), field_codes=field_codes_in_force())
        return Response(result.as_dict())


class ApplicationSubmitView(APIView):
    @extend_schema(
        request=SubmitSerializer, responses={200: ApplicationSerializer}, summary="提交申请（退回后重新提交）"
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        if not applications_editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("只有本企业用户可以提交申请。"))
        body = SubmitSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        services.application_submit(
            application=application,
            by=request.user,
            acknowledge_failures=body.validated_data["acknowledge_failures"],
        )
        application = with_application_details(applications_visible_to(request.user)).get(pk=pk)
        return Response(ApplicationSerializer(application, context={"request": request}).data)


class ApplicationReapplyView(APIView):
    """``POST /api/v1/applications/reapply/``: the browser's 重新申请 (certification/applications/reapplication.py)."""

    @extend_schema(
        request=None,
        responses={201: ApplicationSerializer},
        summary="证书到期（或期满前三个月内）重新申请：复制上一次申请的内容为本年度草稿（不含申报材料）",
        description=(
            "Creates this year's draft with every form section of the enterprise's last application "
            "copied (not the uploaded documents, transitions, scores or review data). 409 with "
            '{"detail", "status"} when an application of this year or an unfinished one exists, the '
            "year is blocked by a revocation, there is no certificate, or the certificate is not within "
            "three months of its end."
        ),
    )
    def post(self, request: Request) -> Response:
        if request.user.role != Role.ENTERPRISE:
            raise PermissionDenied(_("只有企业用户可以重新申请。"))
        application = reapplication.application_reapply(enterprise=request.user.enterprise, by=request.user)
        application = with_application_details(applications_visible_to(request.user)).get(pk=application.pk)
        return Response(
            ApplicationSerializer(application, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
