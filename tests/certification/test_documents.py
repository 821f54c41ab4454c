"""Materials of 第十条（2）: PDF-only uploads checked by content, private storage, who may see what."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from certification.applications import services
from certification.applications.selectors import documents_for, duplicate_documents
from certification.models import Document, DocumentKind
from core.errors import ApplicationStateError
from core.uploads import (
    DocumentError,
    display_name,
    format_limit,
    inspect_pdf,
    read_head_tail,
    sha256_of,
)
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district, pledged, reach

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-1.4 %%EOF</body></html>"

# People who may not see an enterprise's draft (docs/domain.md, Actors).
OUTSIDERS = ["other_enterprise_user", "other_official", "expert_user", "other_expert_user"]


def pdf(marker: str = "") -> bytes:
    """A tiny PDF that passes the content checks; `marker` makes its SHA-256 unique."""
    return b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def draft(enterprise_user, media):
    return ApplicationFactory(enterprise=enterprise_user.enterprise)


@pytest.fixture
def submitted(enterprise_user, media):
    return ApplicationFactory(enterprise=enterprise_user.enterprise, submitted=True)


def api_url(application) -> str:
    return reverse("api-application-documents", kwargs={"pk": application.pk})


def page_url(application) -> str:
    return reverse("certification:application_documents", kwargs={"pk": application.pk})


def api_upload(
    client, application, *, content: bytes = PDF, name: str = "审计报告.pdf", kind: str = "audit_report"
):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(api_url(application), {"kind": kind, "file": upload})


def raw_multipart_upload(
    client, application, *, filename: str, content: bytes, kind: str = "audit_report", url: str | None = None
):
    """Django's test client strips directories from file names; build the body by hand to send one."""
    boundary = "----portal-test-boundary-7MA4YWxkTrZu0gW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST", url or api_url(application), body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def stored_document(
    application, user, *, content: bytes = PDF, name: str = "审计报告.pdf", kind: str = "audit_report"
):
    return services.document_upload(
        application=application,
        kind=kind,
        uploaded_file=SimpleUploadedFile(name, content, content_type="application/pdf"),
        by=user,
    )


# --- Pure checks --------------------------------------------------------------------------------


class TestInspectPdf:
    LIMIT = 20 * 1024 * 1024

    def test_a_pdf_passes(self):
        assert inspect_pdf(PDF, len(PDF), "a.pdf", self.LIMIT) is None

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (PNG, "不是 PDF"),
            (HTML, "不是 PDF"),
            (b" %PDF-1.4\n%%EOF", "不是 PDF"),  # strict: the first five bytes
            (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "结束标记"),  # truncated
        ],
    )
    def test_content_decides(self, content, expected):
        assert expected in inspect_pdf(content, len(content), "a.pdf", self.LIMIT)

    def test_empty(self):
        assert inspect_pdf(b"", 0, "a.pdf", self.LIMIT) == "文件为空。"

    def test_too_large_names_the_limit_in_mb(self):
        message = inspect_pdf(PDF, self.LIMIT + 1, "a.pdf", self.LIMIT)
        assert "20 MB" in message

    @pytest.mark.parametrize("name", ["../a.pdf", "../../etc/passwd.pdf", "..\\..\\a.pdf", "x/../a.pdf"])
    def test_path_traversal_is_refused(self, name):
        assert "路径" in inspect_pdf(PDF, len(PDF), name, self.LIMIT)

    def test_eof_is_looked_for_in_the_tail(self):
        head = b"%PDF-1.7\n" + b"0" * 1015
        assert inspect_pdf(head, 10_000_000, "a.pdf", self.LIMIT, tail=b"x" * 1000 + b"%%EOF\r\n") is None
        assert inspect_pdf(head, 10_000_000, "a.pdf", self.LIMIT, tail=b"x" * 1024) is not None

    def test_read_head_tail_and_sha256_in_chunks(self):
        content = b"%PDF-1.5\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"
        f = io.BytesIO(content)
        head, tail = read_head_tail(f, len(content))
        assert head == content[:1024] and tail == content[-1024:] and f.tell() == 0
        assert sha256_of(f, chunk_size=1000) == hashlib.sha256(content).hexdigest()
        assert f.tell() == 0

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("审计报告.pdf", "审计报告.pdf"),
            ("Report.PDF", "Report.pdf"),
            ("/etc/passwd", "passwd.pdf"),
            ("C:\\Users\\me\\营业执照.pdf", "营业执照.pdf"),
            ("../../secret.pdf", "secret.pdf"),
            ("a\x00b\r\nc.pdf", "abc.pdf"),
            ('报"告".pdf', "报告.pdf"),
            ("scan.docx", "scan.docx.pdf"),
            ("", "document.pdf"),
            ("..", "document.pdf"),
            (".pdf", "document.pdf"),
        ],
    )
    def test_display_name(self, name, expected):
        assert display_name(name) == expected

    def test_display_name_is_at_most_100_characters(self):
        name = display_name("长" * 300 + ".pdf")
        assert len(name) == 100 and name.endswith(".pdf")

    def test_format_limit(self):
        assert format_limit(20 * 1024 * 1024) == "20 MB"
        assert format_limit(1536 * 1024) == "1.5 MB"


# --- Upload through the API ---------------------------------------------------------------------


def test_valid_pdf_is_stored_with_its_sha256_under_a_generated_name(
    client, enterprise_user, draft, media, settings
):
    client.force_login(enterprise_user)
    response = api_upload(client, draft, name="专项审计报告.pdf")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "kind", "original_name", "size", "sha256", "uploaded_at", "download_url"}
    assert data["kind"] == "audit_report"
    assert data["original_name"] == "专项审计报告.pdf"
    assert data["size"] == len(PDF)
    assert data["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert data["download_url"].endswith(reverse("document_download", kwargs={"doc_id": data["id"]}))

    document = Document.objects.get(pk=data["id"])
    assert document.uploaded_by == enterprise_user
    assert document.sha256 == data["sha256"]
    assert document.file.name.startswith(f"documents/{draft.pk}/")
    assert "审计" not in document.file.name and document.file.name.endswith(".pdf")
    path = Path(document.file.path)
    assert path.read_bytes() == PDF
    assert media in path.parents
    assert Path(settings.STATIC_ROOT) not in path.parents
    assert stored_files(media) == [path]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.pdf", PNG, "不是 PDF"),
        ("page.pdf", HTML, "不是 PDF"),
        ("empty.pdf", b"", "文件为空"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "结束标记"),
    ],
)
def test_refused_content_stores_nothing(client, enterprise_user, draft, media, name, content, message):
    client.force_login(enterprise_user)
    response = api_upload(client, draft, content=content, name=name)
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_oversize_file_is_refused_naming_the_limit(client, enterprise_user, draft, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(enterprise_user)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    response = api_upload(client, draft, content=big)
    assert response.status_code == 400
    assert response.json()["file"] == ["文件大小超过 1 MB 的上限。"]
    assert not Document.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("filename", ["../../etc/evil.pdf", "..\\..\\evil.pdf", "a/../b.pdf"])
def test_name_with_parent_directory_is_refused(client, enterprise_user, draft, media, filename):
    client.force_login(enterprise_user)
    response = raw_multipart_upload(client, draft, filename=filename, content=PDF)
    assert response.status_code == 400
    assert "路径" in response.json()["file"][0]
    assert not Document.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("filename", ["../../etc/evil.pdf", "..\\..\\evil.pdf", "a/../b.pdf"])
def test_browser_upload_refuses_a_parent_directory_name_as_the_api_does(
    client, enterprise_user, draft, media, filename
):
    """Django shortens the name to "evil.pdf" while parsing; the page must refuse it, not store it."""
    client.force_login(enterprise_user)
    response = raw_multipart_upload(client, draft, filename=filename, content=PDF, url=page_url(draft))
    assert response.status_code == 400
    assert "路径" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_service_refuses_a_parent_directory_name(enterprise_user, draft, media):
    with pytest.raises(DocumentError) as excinfo:
        services.document_upload(
            application=draft,
            kind="ip_proof",
            uploaded_file=SimpleUploadedFile("x.pdf", PDF),
            by=enterprise_user,
            original_name="../x.pdf",
        )
    assert excinfo.value.field == "file"
    assert not Document.objects.exists() and stored_files(media) == []


def test_unknown_kind_is_a_400(client, enterprise_user, draft, media):
    client.force_login(enterprise_user)
    response = api_upload(client, draft, kind="passport")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert not Document.objects.exists() and stored_files(media) == []


def test_missing_file_is_a_400(client, enterprise_user, draft, media):
    client.force_login(enterprise_user)
    response = client.post(api_url(draft), {"kind": "ip_proof"})
    assert response.status_code == 400
    assert response.json()["file"]


def test_upload_on_a_submitted_application_is_a_409(client, enterprise_user, submitted, media):
    client.force_login(enterprise_user)
    response = api_upload(client, submitted)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "submitted" and body["detail"]
    assert not Document.objects.exists() and stored_files(media) == []


def test_failed_database_write_leaves_no_file(enterprise_user, draft, media, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Document, "save", broken_save)
    with pytest.raises(IntegrityError):
        stored_document(draft, enterprise_user)
    assert stored_files(media) == []


def test_large_upload_streamed_to_a_temporary_file_is_stored_intact(
    client, enterprise_user, draft, media, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # force TemporaryUploadedFile
    content = b"%PDF-1.7\n" + bytes(range(256)) * 200 + b"\n%%EOF\n"
    client.force_login(enterprise_user)
    response = api_upload(client, draft, content=content)
    assert response.status_code == 201
    document = Document.objects.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest() == response.json()["sha256"]
    assert Path(document.file.path).read_bytes() == content
    assert Path(document.file.path).stat().st_mode & 0o777 == settings.FILE_UPLOAD_PERMISSIONS


def test_returned_application_accepts_uploads(client, enterprise_user, media):
    application = ApplicationFactory(enterprise=enterprise_user.enterprise, status="returned")
    client.force_login(enterprise_user)
    assert api_upload(client, application).status_code == 201


# --- Who may see and change what ----------------------------------------------------------------


@pytest.mark.parametrize("person", OUTSIDERS)
def test_outsiders_get_404_everywhere(client, request, enterprise_user, draft, person):
    document = stored_document(draft, enterprise_user)
    client.force_login(pledged(request.getfixturevalue(person)))
    detail = reverse("api-application-document", kwargs={"pk": draft.pk, "doc_id": document.pk})
    assert client.get(api_url(draft)).status_code == 404
    assert client.get(detail).status_code == 404
    assert client.delete(detail).status_code == 404
    assert api_upload(client, draft).status_code == 404
    assert client.get(reverse("document_download", kwargs={"doc_id": document.pk})).status_code == 404
    assert client.get(page_url(draft)).status_code == 404
    assert (
        client.post(
            page_url(draft), {"kind": "ip_proof", "file": SimpleUploadedFile("a.pdf", PDF)}
        ).status_code
        == 404
    )
    delete_url = reverse("certification:document_delete", kwargs={"pk": draft.pk, "doc_id": document.pk})
    assert client.get(delete_url).status_code == 404
    assert client.post(delete_url).status_code == 404
    assert Document.objects.count() == 1


def submit(application) -> None:
    reach(application, "submitted")


@pytest.mark.parametrize("person", OUTSIDERS)
def test_outsiders_get_404_once_submitted_too(client, request, enterprise_user, draft, person):
    document = stored_document(draft, enterprise_user)
    submit(draft)
    client.force_login(pledged(request.getfixturevalue(person)))
    assert client.get(api_url(draft)).status_code == 404
    assert client.get(reverse("document_download", kwargs={"doc_id": document.pk})).status_code == 404


def test_anonymous_visitor(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user)
    assert client.get(api_url(draft)).status_code == 401
    assert api_upload(client, draft).status_code == 401
    login = reverse("accounts:login")
    for url in (
        reverse("document_download", kwargs={"doc_id": document.pk}),
        page_url(draft),
        reverse("certification:document_delete", kwargs={"pk": draft.pk, "doc_id": document.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{login}?next={url}"


def test_district_official_sees_a_submitted_application_but_not_a_draft(
    client, enterprise_user, official, media
):
    draft = ApplicationFactory(enterprise=enterprise_user.enterprise, year=2026)
    earlier = ApplicationFactory(enterprise=enterprise_user.enterprise, year=2025)
    draft_doc = stored_document(draft, enterprise_user, content=pdf("draft"))
    earlier_doc = stored_document(earlier, enterprise_user, content=pdf("submitted"))
    submit(earlier)
    client.force_login(official)

    response = client.get(reverse("document_download", kwargs={"doc_id": earlier_doc.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf("submitted")
    assert [d["id"] for d in client.get(api_url(earlier)).json()] == [earlier_doc.pk]

    assert client.get(reverse("document_download", kwargs={"doc_id": draft_doc.pk})).status_code == 404
    assert client.get(api_url(draft)).status_code == 404
    # The upload page and writes belong to the enterprise.
    assert client.get(page_url(earlier)).status_code == 404
    assert api_upload(client, earlier).status_code == 403
    detail = reverse("api-application-document", kwargs={"pk": earlier.pk, "doc_id": earlier_doc.pk})
    assert client.delete(detail).status_code == 403


def test_municipal_office_reads_submitted_material(client, enterprise_user, municipal_user, draft):
    document = stored_document(draft, enterprise_user)
    client.force_login(municipal_user)
    download = reverse("document_download", kwargs={"doc_id": document.pk})
    assert client.get(download).status_code == 404  # a draft is the enterprise's alone
    submit(draft)
    assert client.get(api_url(draft)).status_code == 200
    assert client.get(download).status_code == 200
    assert api_upload(client, draft).status_code == 403


# --- Download -----------------------------------------------------------------------------------


def test_download_is_a_private_attachment_with_the_sanitised_name(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user, name="营业执照 副本.pdf", kind="qualification")
    Document.objects.filter(pk=document.pk).update(original_name='..\\x\r\n"营业执照 副本.pdf')
    client.force_login(enterprise_user)
    response = client.get(reverse("document_download", kwargs={"doc_id": document.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''x%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%E5%89%AF%E6%9C%AC.pdf" in disposition
    assert "\r" not in disposition and "\\" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_download_with_an_api_token(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user)
    token = Token.objects.create(user=enterprise_user)
    url = reverse("document_download", kwargs={"doc_id": document.pk})
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Token not-a-token").status_code == 302


def test_media_url_does_not_serve_the_file(client, enterprise_user, draft, settings):
    document = stored_document(draft, enterprise_user)
    client.force_login(enterprise_user)
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get(document.file.url).status_code == 404


def test_missing_file_on_disk_is_a_404(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user)
    Path(document.file.path).unlink()
    client.force_login(enterprise_user)
    assert client.get(reverse("document_download", kwargs={"doc_id": document.pk})).status_code == 404


# --- API list, detail, delete -------------------------------------------------------------------


def test_list_and_detail(client, enterprise_user, draft):
    first = stored_document(draft, enterprise_user, content=pdf("1"), kind="other")
    second = stored_document(draft, enterprise_user, content=pdf("2"), kind="application_form")
    client.force_login(enterprise_user)
    data = client.get(api_url(draft)).json()
    # In the order of the nine kinds of 第十条（2）.
    assert [d["id"] for d in data] == [second.pk, first.pk]
    assert data[0]["duplicates"] == []  # only officials are told of other enterprises' identical files
    detail = client.get(reverse("api-application-document", kwargs={"pk": draft.pk, "doc_id": first.pk}))
    assert detail.json()["sha256"] == hashlib.sha256(pdf("1")).hexdigest()


def test_list_query_count_does_not_grow_with_documents(
    client, enterprise_user, official, draft, django_assert_max_num_queries
):
    for i, kind in enumerate(list(DocumentKind) * 2):
        stored_document(draft, enterprise_user, content=pdf(str(i)), kind=kind)
    # Token authentication keeps the session's own queries out of the count.
    auth = f"Token {Token.objects.create(user=enterprise_user).key}"
    # token (with its user), application, documents (with their uploader)
    with django_assert_max_num_queries(3):
        response = client.get(api_url(draft), HTTP_AUTHORIZATION=auth)
    assert len(response.json()) == 18

    submit(draft)
    auth = f"Token {Token.objects.create(user=official).key}"
    # … and one more for the duplicate check the district sees.
    with django_assert_max_num_queries(4):
        response = client.get(api_url(draft), HTTP_AUTHORIZATION=auth)
    assert len(response.json()) == 18


def test_api_delete_removes_the_file_after_commit(
    client, enterprise_user, draft, media, django_capture_on_commit_callbacks
):
    document = stored_document(draft, enterprise_user)
    path = Path(document.file.path)
    client.force_login(enterprise_user)
    url = reverse("api-application-document", kwargs={"pk": draft.pk, "doc_id": document.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(url)
    assert response.status_code == 204
    assert not Document.objects.exists()
    assert not path.exists()
    assert client.delete(url).status_code == 404


def test_api_delete_on_a_submitted_application_is_a_409(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user)
    submit(draft)
    client.force_login(enterprise_user)
    response = client.delete(
        reverse("api-application-document", kwargs={"pk": draft.pk, "doc_id": document.pk})
    )
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert Path(document.file.path).exists()


def test_service_delete_refuses_when_not_editable(enterprise_user, submitted):
    document = stored_document(
        ApplicationFactory(enterprise=enterprise_user.enterprise, year=2025), enterprise_user
    )
    reach(document.application, "accepted")
    with pytest.raises(ApplicationStateError) as excinfo:
        services.document_delete(document=document, by=enterprise_user)
    assert excinfo.value.status == "accepted"


# --- Duplicate files across enterprises ---------------------------------------------------------


def test_same_file_from_another_enterprise_is_flagged(
    client, enterprise_user, other_enterprise_user, official, municipal_user, draft, django_assert_num_queries
):
    mine = stored_document(draft, enterprise_user, content=pdf("copied audit report"))
    unique = stored_document(draft, enterprise_user, content=pdf("only mine"), kind="ip_proof")
    other_app = ApplicationFactory(enterprise=other_enterprise_user.enterprise)
    theirs = stored_document(
        other_app, other_enterprise_user, content=pdf("copied audit report"), kind="other"
    )
    submit(other_app)
    # The enterprise's own earlier application reusing the file is not a duplicate.
    stored_document(
        ApplicationFactory(enterprise=enterprise_user.enterprise, year=2025),
        enterprise_user,
        content=pdf("copied audit report"),
    )
    # Twins the district official may not open: a draft in the district, another district's application.
    hidden_draft = ApplicationFactory(enterprise=EnterpriseFactory(name="草稿中的企业"))
    stored_document(hidden_draft, enterprise_user, content=pdf("copied audit report"))
    foreign = ApplicationFactory(
        enterprise=EnterpriseFactory(name="和平区的企业", district=district("120101"))
    )
    stored_document(foreign, enterprise_user, content=pdf("copied audit report"))
    submit(foreign)

    with django_assert_num_queries(2):
        duplicates = duplicate_documents(draft, official)
    assert duplicates.visible == {
        mine.pk: [
            {
                "document_id": theirs.pk,
                "application_id": other_app.pk,
                "enterprise_name": other_enterprise_user.enterprise.name,
                "kind": "other",
            }
        ]
    }
    assert duplicates.hidden == {mine.pk: 2}
    assert unique.pk not in duplicates.visible and unique.pk not in duplicates.hidden
    # The office sees every submitted application: only the draft stays a count.
    office = duplicate_documents(draft, municipal_user)
    assert {d["application_id"] for d in office.visible[mine.pk]} == {other_app.pk, foreign.pk}
    assert office.hidden == {mine.pk: 1}

    submit(draft)
    client.force_login(official)
    rows = {d["id"]: d for d in client.get(api_url(draft)).json()}
    assert [d["enterprise_name"] for d in rows[mine.pk]["duplicates"]] == [
        other_enterprise_user.enterprise.name
    ]
    assert rows[mine.pk]["duplicates_hidden"] == 2
    assert rows[unique.pk]["duplicates"] == [] and rows[unique.pk]["duplicates_hidden"] == 0
    page = client.get(reverse("districts:application_detail", args=[draft.pk])).content.decode()
    assert other_enterprise_user.enterprise.name in page
    assert "草稿中的企业" not in page and "和平区的企业" not in page
    assert "另有 2 份相同文件" in page


def test_documents_for_follows_the_order_of_the_nine_kinds(enterprise_user, draft):
    for i, kind in enumerate(reversed(DocumentKind.values)):
        stored_document(draft, enterprise_user, content=pdf(str(i)), kind=kind)
    assert [d.kind for d in documents_for(draft)] == DocumentKind.values


# --- The enterprise's upload page ---------------------------------------------------------------


def test_upload_page_lists_the_nine_kinds(client, enterprise_user, draft):
    stored_document(draft, enterprise_user, name="执照.pdf", kind="qualification")
    client.force_login(enterprise_user)
    response = client.get(page_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in DocumentKind:
        assert str(kind.label) in html
        assert f'value="{kind.value}"' in html
    assert "执照.pdf" in html
    assert hashlib.sha256(PDF).hexdigest()[:12] in html
    assert 'accept="application/pdf' in html
    assert 'enctype="multipart/form-data"' in html
    assert reverse("certification:application_detail", kwargs={"pk": draft.pk}) in html
    assert (
        reverse("certification:document_delete", kwargs={"pk": draft.pk, "doc_id": Document.objects.get().pk})
        in html
    )


def test_browser_upload_success(client, enterprise_user, draft, media):
    client.force_login(enterprise_user)
    response = client.post(
        page_url(draft), {"kind": "ip_proof", "file": SimpleUploadedFile("专利证书.pdf", PDF)}, follow=True
    )
    assert response.redirect_chain == [(page_url(draft), 302)]
    assert "已上传“专利证书.pdf”" in response.content.decode()
    assert Document.objects.get().kind == "ip_proof"
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(("content", "message"), [(PNG, "不是 PDF"), (HTML, "不是 PDF"), (b"", "文件为空")])
def test_browser_upload_refused_inline(client, enterprise_user, draft, media, content, message):
    client.force_login(enterprise_user)
    response = client.post(
        page_url(draft), {"kind": "ip_proof", "file": SimpleUploadedFile("x.pdf", content)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="errors-ip_proof"' in html
    assert not Document.objects.exists() and stored_files(media) == []


def test_browser_upload_refuses_an_unknown_kind(client, enterprise_user, draft, media):
    client.force_login(enterprise_user)
    response = client.post(page_url(draft), {"kind": "passport", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 400
    assert "未知的材料类别" in response.content.decode()
    assert stored_files(media) == []


def test_upload_page_is_read_only_once_submitted(client, enterprise_user, submitted, media):
    client.force_login(enterprise_user)
    html = client.get(page_url(submitted)).content.decode()
    assert 'data-testid="readonly"' in html
    assert 'type="file"' not in html
    response = client.post(
        page_url(submitted), {"kind": "ip_proof", "file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert response.status_code == 409
    assert "已提交" in response.content.decode()
    assert not Document.objects.filter(application=submitted).exists()


def test_browser_delete_confirms_then_deletes(
    client, enterprise_user, draft, django_capture_on_commit_callbacks
):
    document = stored_document(draft, enterprise_user, name="旧文件.pdf")
    path = Path(document.file.path)
    client.force_login(enterprise_user)
    url = reverse("certification:document_delete", kwargs={"pk": draft.pk, "doc_id": document.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "旧文件.pdf" in html and 'method="post"' in html
    assert Document.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain == [(page_url(draft), 302)]
    assert "已删除“旧文件.pdf”" in response.content.decode()
    assert not Document.objects.exists() and not path.exists()


def test_browser_delete_refused_once_submitted(client, enterprise_user, draft):
    document = stored_document(draft, enterprise_user)
    submit(draft)
    client.force_login(enterprise_user)
    url = reverse("certification:document_delete", kwargs={"pk": draft.pk, "doc_id": document.pk})
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(page_url(draft), 302)]
    assert "不能删除材料" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_another_user_of_the_same_enterprise_may_upload(client, enterprise_user, draft):
    colleague = UserFactory(role="enterprise", enterprise=enterprise_user.enterprise)
    client.force_login(colleague)
    assert api_upload(client, draft).status_code == 201


# --- The per-application quota --------------------------------------------------------------------


def test_the_file_count_quota_refuses_one_more_and_stores_nothing(
    client, enterprise_user, draft, media, settings
):
    settings.UPLOAD_MAX_FILES = 3
    client.force_login(enterprise_user)
    for i in range(3):
        assert api_upload(client, draft, content=pdf(f"quota {i}")).status_code == 201
    response = api_upload(client, draft, content=pdf("one too many"))
    assert response.status_code == 400
    assert "最多上传 3 个文件" in str(response.json())
    assert Document.objects.filter(application=draft).count() == 3
    assert len(list(Path(media).rglob("*.pdf"))) == 3  # the refused file left nothing on disk


def test_the_total_size_quota_counts_what_is_already_there(client, enterprise_user, draft, media, settings):
    big = pdf("x" * 600)
    settings.UPLOAD_MAX_TOTAL_BYTES = len(big) * 2 + 10
    client.force_login(enterprise_user)
    assert api_upload(client, draft, content=big).status_code == 201
    assert api_upload(client, draft, content=pdf("y" * 600)).status_code == 201
    response = api_upload(client, draft, content=pdf("z" * 600))
    assert response.status_code == 400
    assert "合计不能超过" in str(response.json())
    # A deletion frees room again.
    services.document_delete(document=Document.objects.filter(application=draft).first(), by=enterprise_user)
    assert api_upload(client, draft, content=pdf("z" * 600)).status_code == 201
