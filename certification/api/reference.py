from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.applications.selectors import fields_in_force
from certification.models import REQUIRED_DOCUMENT_KINDS, DocumentKind


class FieldSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)


class DocumentKindSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    required = serializers.BooleanField()


class PublicListView(ListAPIView):
    permission_classes = [AllowAny]
    pagination_class = None


@extend_schema(summary="现行《国家重点支持的高新技术领域》")
class FieldListView(PublicListView):
    serializer_class = FieldSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return fields_in_force()


class DocumentKindListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: DocumentKindSerializer(many=True)}, summary="第十条（2）规定的九类申报材料"
    )
    def get(self, request: Request) -> Response:
        kinds = [
            {"code": k.value, "name": str(k.label), "required": k in REQUIRED_DOCUMENT_KINDS}
            for k in DocumentKind
        ]
        return Response(DocumentKindSerializer(kinds, many=True).data)
