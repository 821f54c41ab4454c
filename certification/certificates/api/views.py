from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.certificates import services as certificates
from certification.models import Certificate
from config.throttling import ClientAddressThrottle, rate_from_env


class VerifyRateThrottle(ClientAddressThrottle):
    rate = rate_from_env("VERIFY_RATE", "60/min")


class IssueSerializer(serializers.Serializer):
    applications = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class IssuedSerializer(serializers.Serializer):
    number = serializers.CharField()
    application = serializers.IntegerField(source="application_id")
    issued_on = serializers.DateField()
    valid_until = serializers.DateField()


class CertificateIssueView(APIView):
    @extend_schema(request=IssueSerializer, responses={201: IssuedSerializer(many=True)}, summary="区县发证")
    def post(self, request: Request) -> Response:
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有区县工作小组可以发证。"))
        body = IssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = certificates.certificate_issue(
            by=request.user, application_ids=body.validated_data["applications"]
        )
        return Response(IssuedSerializer(issued, many=True).data, status=status.HTTP_201_CREATED)


class CertificateVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [VerifyRateThrottle]
    throttle_scope = "verify"

    @extend_schema(
        summary="证书核验（公开）",
        responses={
            200: inline_serializer(
                "CertificateVerification",
                {
                    "number": serializers.CharField(),
                    "enterprise_name": serializers.CharField(),
                    "uscc": serializers.CharField(),
                    "district": serializers.CharField(),
                    "issued_on": serializers.DateField(),
                    "valid_until": serializers.DateField(),
                    "status": serializers.ChoiceField(choices=["valid", "expired", "revoked"]),
                },
            )
        },
    )
    def get(self, request: Request, number: str) -> Response:
        answer = verification(number)
        if answer is None:
            raise Http404
        return Response(answer)


def verification(number: str) -> dict | None:
    """What the public may know of a certificate, or None (a number that does not exist reveals nothing)."""
    parsed = certificates.parse_number(number)
    if parsed is None:
        return None
    certificate = Certificate.objects.select_related("district").filter(number=parsed).first()
    if certificate is None:
        return None
    return {
        "number": certificate.number,
        "enterprise_name": certificate.enterprise_name,
        "uscc": certificate.uscc,
        "district": certificate.district.name,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "status": certificates.certificate_status(certificate),
    }
