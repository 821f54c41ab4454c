from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from accounts.services import EnterpriseData


class EnterpriseRegistrationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(min_length=18, max_length=18)
    district = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("区代码应为 6 位数字。")})
    registered_on = serializers.DateField()
    address = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.RegexField(
        r"^[0-9+\- ]{7,20}$", max_length=20, error_messages={"invalid": _("请输入有效的电话号码。")}
    )


class RegistrationSerializer(serializers.Serializer):
    """Shape of docs/api.md's registration body; the rules are accounts.services.registration_problems."""

    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
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
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
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
