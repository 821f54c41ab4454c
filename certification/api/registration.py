"""``POST /api/v1/auth/register/`` (``api-register``, wired in config/urls.py beside the other auth
endpoints): a new enterprise and its first user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import UserSerializer
from accounts.api.views import nest_errors
from certification.registration import EnterpriseData, RegistrationError, enterprise_register
from config.throttling import REGISTRATION_SCOPE, RegistrationRateThrottle


class EnterpriseRegistrationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(min_length=18, max_length=18)
    district = serializers.RegexField(
        r"^\d{6}$", max_length=6, error_messages={"invalid": _("区代码应为 6 位数字。")}
    )
    registered_on = serializers.DateField()
    address = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.RegexField(
        r"^[0-9+\- ]{7,20}$", max_length=20, error_messages={"invalid": _("请输入有效的电话号码。")}
    )


class RegistrationSerializer(serializers.Serializer):
    """Shape of docs/api.md's registration body; the rules are certification.registration.registration_problems."""

    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )
    email = serializers.EmailField()
    enterprise = EnterpriseRegistrationSerializer()

    def enterprise_data(self) -> EnterpriseData:
        e = self.validated_data["enterprise"]
        return EnterpriseData(
            name=e["name"],
            uscc=e["uscc"],
            district_code=e["district"],
            registered_on=e["registered_on"],
            address=e["address"],
            contact_name=e["contact_name"],
            contact_phone=e["contact_phone"],
        )


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [RegistrationRateThrottle]
    throttle_scope = REGISTRATION_SCOPE

    @extend_schema(request=RegistrationSerializer, responses={201: UserSerializer}, summary="企业用户注册")
    def post(self, request: Request) -> Response:
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = enterprise_register(
                username=data["username"],
                password=data["password"],
                email=data["email"],
                enterprise=serializer.enterprise_data(),
            )
        except RegistrationError as exc:
            return Response(nest_errors(exc.errors), status=status.HTTP_400_BAD_REQUEST)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)
