from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.api.serializers import (
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from accounts.two_factor import requires_two_factor, second_factor_problem


def nest_errors(errors: dict[str, list[str]]) -> dict:
    """{"enterprise.uscc": [...]} → {"enterprise": {"uscc": [...]}}, the shape DRF uses for nested input."""
    nested: dict = {}
    for key, messages in errors.items():
        head, _sep, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = messages
        else:
            nested[head] = messages
    return nested


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        summary="获取 API 令牌",
        description=(
            "Accounts that must use two-factor sign-in (district officials, experts, the municipal office, "
            "enterprises that opted in) also send `otp`: the current 6-digit TOTP code or one recovery code "
            '(consumed). Missing: 400 `{"otp": ["需要动态验证码。"]}`; wrong: 400 on `otp`.'
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("用户名或密码错误。")]}, status=status.HTTP_400_BAD_REQUEST
            )
        if requires_two_factor(user):
            problem = second_factor_problem(user, serializer.validated_data.get("otp", ""))
            if problem:
                return Response({"otp": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        token = tokens.issue(user)
        return Response({"token": token.key, "expires_at": tokens.expires_at(token)})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer}, summary="当前用户")
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


def _token_row(token: Token, current: Token | None) -> dict:
    return {
        "id": tokens.token_id(token),
        "created": token.created,
        "expires_at": tokens.expires_at(token),
        "current": current is not None and token.key == current.key,
    }


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="本人的 API 令牌（不含令牌本身）",
        description="Each token: `id` (a digest, not the key), `created`, `expires_at`, `current` "
        "(the token of this request).",
    )
    def get(self, request: Request) -> Response:
        current = request.auth if isinstance(request.auth, Token) else None
        rows = [_token_row(t, current) for t in Token.objects.filter(user=request.user)]
        return Response({"results": rows})


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="撤销本人的一个 API 令牌")
    def delete(self, request: Request, token_id: str) -> Response:
        for token in Token.objects.filter(user=request.user):
            if tokens.token_id(token) == token_id:
                token.delete()
                return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"detail": _("令牌不存在。")}, status=status.HTTP_404_NOT_FOUND)
