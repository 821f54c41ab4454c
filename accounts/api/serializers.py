from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User


class EnterpriseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    district = serializers.CharField(source="district.code")


class UserSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseSummarySerializer(read_only=True, allow_null=True)
    district = serializers.CharField(source="district.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "role", "full_name", "enterprise", "district"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    # 4096: Django's own bound on a password it will hash (a longer one costs a hash of its length).
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, max_length=4096)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=_(
            "两步验证的动态验证码（6 位数字）或一个恢复码；区县工作小组、评审专家、市工作小组办公室"
            "及已开启两步验证的企业用户必填。"
        ),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text=_("令牌到期时间；到期后请重新获取。"))
