"""API for the materials of 第十条（2）: list, upload (multipart), metadata and deletion."""

from __future__ import annotations

from django.conf import settings
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import DataAndFiles, FormParser
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from certification.applications import services
from certification.applications.permissions import applications_editable_by, applications_visible_to
from certification.applications.selectors import documents_for, duplicate_documents
from certification.models import Application, Document, DocumentKind
from core.uploads import ClientNameMultiPartParser as ClientNameDjangoParser
from core.uploads import DocumentError

# --- Parsing: keep the name the client sent ---------------------------------------------------


class ClientNameMultiPartParser(DRFMultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            parser = ClientNameDjangoParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(_("multipart 请求格式错误：%(error)s") % {"error": exc}) from exc
        return DataAndFiles(data, files)


# --- Serializers ------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "kind", "original_name", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, document: Document) -> str:
        url = reverse("document_download", kwargs={"doc_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class DuplicateSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    application_id = serializers.IntegerField()
    enterprise_name = serializers.CharField()
    kind = serializers.CharField()


class DocumentWithDuplicatesSerializer(DocumentSerializer):
    duplicates = serializers.SerializerMethodField(
        help_text="仅区县工作小组与市工作小组办公室可见：其他企业上传的相同文件（SHA-256 相同），"
        "限于调用者能查看的申请。"
    )
    duplicates_hidden = serializers.SerializerMethodField(
        help_text="其余相同文件的份数：属于调用者无权查看的申请（其他区、草稿），不列出企业名称。"
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "duplicates", "duplicates_hidden"]

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, document: Document) -> list[dict]:
        duplicates = self.context.get("duplicates")
        return duplicates.visible.get(document.pk, []) if duplicates else []

    @extend_schema_field(serializers.IntegerField())
    def get_duplicates_hidden(self, document: Document) -> int:
        duplicates = self.context.get("duplicates")
        return duplicates.hidden.get(document.pk, 0) if duplicates else 0


# Shape only; what makes a file acceptable is decided by services.document_upload.
class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DocumentKind.choices,
        error_messages={
            "required": gettext_lazy("请选择材料类别。"),
            "invalid_choice": gettext_lazy("未知的材料类别：{input}。"),
        },
    )
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file gets the service's own message
        error_messages={
            "required": gettext_lazy("请选择要上传的 PDF 文件。"),
            "invalid": gettext_lazy("请以 multipart/form-data 上传文件。"),
            "no_name": gettext_lazy("无法确定文件名。"),
        },
    )


CONFLICT = inline_serializer(
    "DocumentConflict", {"detail": serializers.CharField(), "status": serializers.CharField()}
)


# --- Views ------------------------------------------------------------------------------------


def _visible_application(request: Request, pk: int) -> Application:
    return get_object_or_404(applications_visible_to(request.user), pk=pk)


def _require_editor(request: Request, application: Application) -> None:
    if not applications_editable_by(request.user).filter(pk=application.pk).exists():
        raise PermissionDenied(_("只有本企业用户可以上传或删除申报材料。"))


class DocumentListCreateView(APIView):
    parser_classes = [ClientNameMultiPartParser, FormParser]

    @extend_schema(
        responses={200: DocumentWithDuplicatesSerializer(many=True)},
        summary="申请的申报材料（第十条（2））",
        description=(
            "能查看该申请的用户均可列出；`duplicates` 只向区县与市级用户列出其他企业的相同文件，且只列出"
            "调用者能查看的申请，其余（其他区、草稿）只计入 `duplicates_hidden`；其他用户为空列表和 0。不分页。"
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        application = _visible_application(request, pk)
        documents = list(documents_for(application))
        # Only officials learn of identical files from other enterprises; everyone else sees an empty list.
        duplicates = (
            duplicate_documents(application, request.user)
            if request.user.role in (Role.DISTRICT, Role.MUNICIPAL)
            else None
        )
        context = {"request": request, "duplicates": duplicates}
        return Response(DocumentWithDuplicatesSerializer(documents, many=True, context=context).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(description='`{"file": [...]}` 或 `{"kind": [...]}`'),
            403: OpenApiResponse(description="能查看该申请但不是本企业用户"),
            404: OpenApiResponse(description="申请不存在或无权查看"),
            409: OpenApiResponse(response=CONFLICT, description="申请当前状态不允许修改材料"),
        },
        summary="上传一份申报材料（仅 PDF，按内容检查）",
        description="仅草稿或退回补正状态可上传；文件须以 `%PDF-` 开头并含结束标记，大小不超过上限。",
    )
    def post(self, request: Request, pk: int) -> Response:
        application = _visible_application(request, pk)
        _require_editor(request, application)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        uploaded = serializer.validated_data["file"]
        try:
            document = services.document_upload(
                application=application,
                kind=serializer.validated_data["kind"],
                uploaded_file=uploaded,
                by=request.user,
                original_name=getattr(uploaded, "client_name", None),
            )
        except DocumentError as exc:
            return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        data = DocumentSerializer(document, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    def _document(self, request: Request, pk: int, doc_id: int) -> tuple[Application, Document]:
        application = _visible_application(request, pk)
        return application, get_object_or_404(documents_for(application), pk=doc_id)

    @extend_schema(responses={200: DocumentSerializer}, summary="一份申报材料的信息")
    def get(self, request: Request, pk: int, doc_id: int) -> Response:
        _application, document = self._document(request, pk, doc_id)
        return Response(DocumentSerializer(document, context={"request": request}).data)

    @extend_schema(
        responses={
            204: None,
            403: OpenApiResponse(description="能查看该申请但不是本企业用户"),
            404: OpenApiResponse(description="申请或材料不存在或无权查看"),
            409: OpenApiResponse(response=CONFLICT, description="申请当前状态不允许修改材料"),
        },
        summary="删除一份申报材料（仅草稿或退回补正状态）",
    )
    def delete(self, request: Request, pk: int, doc_id: int) -> Response:
        application, document = self._document(request, pk, doc_id)
        _require_editor(request, application)
        services.document_delete(document=document, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
