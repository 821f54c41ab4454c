"""``POST /api/v1/eligibility/check/`` (docs/api.md, public): the 第二条 / 第九条 check of a request body.

The view is thin: it reads the JSON itself (so any unreadable body is a 400, never a 415 or a 500),
hands it to :func:`certification.eligibility.rules.evaluate_payload` and answers. The
serializers below only DESCRIBE the shape for the OpenAPI schema; the engine validates.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.eligibility.engine import ACQUISITION_LABELS, CONDITION_CODES, IP_KIND_LABELS
from certification.eligibility.rules import evaluate_payload
from config.parsers import StrictJSONParser, loads
from config.throttling import ClientAddressThrottle, rate_from_env

# --------------------------------------------------------------------------------------------------
# Throttle
# --------------------------------------------------------------------------------------------------


class EligibilityRateThrottle(ClientAddressThrottle):
    """Per client address, scope ``eligibility``; ``ELIGIBILITY_RATE`` (e.g. ``"600/min"``) overrides."""

    rate = rate_from_env("ELIGIBILITY_RATE", "120/min")


# --------------------------------------------------------------------------------------------------
# Schema-only serializers
# --------------------------------------------------------------------------------------------------

_MONEY = {"max_digits": 17, "decimal_places": 2, "min_value": 0}


class EligibilityIPItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(IP_KIND_LABELS.items()), help_text="知识产权类型")
    acquired_on = serializers.DateField(help_text="取得（授权）日期")
    acquisition = serializers.ChoiceField(choices=list(ACQUISITION_LABELS.items()), help_text="取得方式")
    licence_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="独占许可年限（仅 exclusive_license 必填）"
    )


class EligibilityStaffSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0, help_text="当年职工总数")
    tech_college = serializers.IntegerField(min_value=0, help_text="大专以上学历科技人员数，不多于 total")
    rd = serializers.IntegerField(min_value=0, help_text="研发人员数，不多于 total")


class EligibilityFiscalYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1949, help_text="会计年度，不晚于 as_of 所在年度，不得重复")
    sales_revenue = serializers.DecimalField(**_MONEY, help_text="销售收入（元）")
    total_revenue = serializers.DecimalField(**_MONEY, help_text="总收入（元）")
    hightech_revenue = serializers.DecimalField(**_MONEY, help_text="高新技术产品（服务）收入，不多于总收入")
    rd_expense = serializers.DecimalField(**_MONEY, help_text="研究开发费用（元）")
    rd_expense_domestic = serializers.DecimalField(**_MONEY, help_text="境内研究开发费用，不多于研究开发费用")
    total_assets = serializers.DecimalField(**_MONEY, help_text="总资产（元）")


class EligibilityCheckSerializer(serializers.Serializer):
    rule_set = serializers.CharField(
        required=False,
        max_length=40,
        help_text="规则集代码：tianjin-2015（默认，市级）或 national-2016（国家级预审）",
    )
    as_of = serializers.DateField(required=False, help_text="评估日期，默认今天（北京时间）")
    registered_on = serializers.DateField(help_text="企业注册日期")
    registered_in_tianjin = serializers.BooleanField(help_text="是否在天津市注册")
    field_code = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=10,
        help_text="在用《国家重点支持的高新技术领域》代码；省略则该项 passed 为 null",
    )
    ip = EligibilityIPItemSerializer(many=True, help_text="知识产权，最多 1000 项")
    staff = EligibilityStaffSerializer()
    fiscal_years = EligibilityFiscalYearSerializer(many=True, help_text="1 至 3 个会计年度")
    composite_score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="综合评分估算；省略则该项 passed 为 null",
    )


class EligibilityConditionSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(CONDITION_CODES))
    passed = serializers.BooleanField(allow_null=True, help_text="null：无法判断（未提供数据）")
    clause = serializers.CharField(help_text="条款，如 第九条（三）")
    value = serializers.CharField(help_text="实际值")
    threshold = serializers.CharField(help_text="要求")
    message = serializers.CharField(help_text="中文说明")


class EligibilityResultSerializer(serializers.Serializer):
    rule_set = serializers.CharField()
    eligible = serializers.BooleanField(
        allow_null=True, help_text="有一项不满足为 false；无不满足但有无法判断的为 null"
    )
    conditions = EligibilityConditionSerializer(
        many=True, help_text="每个条件一项，顺序固定：" + "、".join(CONDITION_CODES)
    )


_EXAMPLE_BODY: dict[str, Any] = {
    "rule_set": "tianjin-2015",
    "as_of": "2026-11-27",
    "registered_on": "2020-03-01",
    "registered_in_tianjin": True,
    "field_code": "0101",
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2024-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
        }
    ],
    "staff": {"total": 100, "tech_college": 20, "rd": 7},
    "fiscal_years": [
        {
            "year": 2024,
            "sales_revenue": "30000000.00",
            "total_revenue": "32000000.00",
            "hightech_revenue": "20000000.00",
            "rd_expense": "1800000.00",
            "rd_expense_domestic": "1500000.00",
            "total_assets": "45000000.00",
        },
        {
            "year": 2025,
            "sales_revenue": "36000000.00",
            "total_revenue": "38000000.00",
            "hightech_revenue": "26000000.00",
            "rd_expense": "2100000.00",
            "rd_expense_domestic": "1800000.00",
            "total_assets": "52000000.00",
        },
    ],
    "composite_score": 65,
}

_EXAMPLE_ANSWER: dict[str, Any] = {
    "rule_set": "tianjin-2015",
    "eligible": True,
    "conditions": [
        {
            "code": "registration",
            "passed": True,
            "clause": "第二条",
            "value": "2020-03-01 注册（天津市）",
            "threshold": "天津市注册，满 6 个月",
            "message": "满足：在天津市注册；2020-03-01 注册，至 2026-11-27 已满 6 个月",
        },
        {
            "code": "rd_staff_ratio",
            "passed": True,
            "clause": "第九条（三）",
            "value": "7.0%",
            "threshold": "≥ 7%",
            "message": "满足：研发人员占比 7.0%（7/100 名），不低于 7%",
        },
        {
            "code": "…",
            "passed": True,
            "clause": "…",
            "value": "…",
            "threshold": "…",
            "message": "（共 9 项）",
        },
    ],
}

_EXAMPLE_ERRORS = {
    "staff.rd": ["研发人员（120）不能多于职工总数（100）。"],
    "fiscal_years[1].rd_expense_domestic": ["境内研发费用（2500000）不能多于研发费用总额（2100000）。"],
    "rule_set": ["未知的规则集：tianjin-2099，可选：national-2016、tianjin-2015。"],
}


# --------------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------------


class EligibilityCheckView(APIView):
    """Public; no authentication at all, so no session and no CSRF token are involved."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [StrictJSONParser]  # documents the media type; the body is read in post()
    renderer_classes = [JSONRenderer]
    throttle_classes = [EligibilityRateThrottle]
    throttle_scope = "eligibility"

    @extend_schema(
        operation_id="eligibility_check",
        summary="认定条件自测（第二条、第九条）",
        description=(
            "按规则集逐项核对《天津市市级高新技术企业认定管理办法》第二条、第九条（或国家级"
            "国科发火〔2016〕32号 第十一条）的认定条件。公开接口，无需登录；按来源地址限流"
            "（默认每分钟 120 次，超出返回 429）。请求有误时返回 400，一次列出所有有误的字段，"
            "键为字段路径（如 `staff.rd`、`fiscal_years[1].rd_expense_domestic`）；"
            "请求体不是 JSON 对象时键为 `non_field_errors` 或 `detail`。"
        ),
        request=EligibilityCheckSerializer,
        responses={
            200: EligibilityResultSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="字段路径 → 错误信息列表（所有错误一次列出）",
                examples=[OpenApiExample("字段错误", value=_EXAMPLE_ERRORS, response_only=True)],
            ),
            429: OpenApiResponse(response=OpenApiTypes.OBJECT, description="请求过于频繁"),
        },
        examples=[
            OpenApiExample("市级认定（tianjin-2015）", value=_EXAMPLE_BODY, request_only=True),
            OpenApiExample("评估结果", value=_EXAMPLE_ANSWER, response_only=True, status_codes=["200"]),
        ],
        auth=[],
        tags=["eligibility"],
    )
    def post(self, request: Request) -> Response:
        try:
            data = loads(request.body)
        except ParseError as exc:  # the message names the problem and echoes none of the input
            return Response({"detail": str(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
        answer, errors = evaluate_payload(data)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(answer)
