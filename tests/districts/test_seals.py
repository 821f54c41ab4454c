"""The district seal: the upload page, its checks, the preview and the certificates."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader

from certification.certificates import pdf as certificate_pdf
from certification.certificates import services as certificates
from certification.models import Field
from core.errors import DomainPermissionDenied, InvalidInput
from core.uploads import inspect_seal_png
from districts import seals
from districts.models import District
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def stored_files(media) -> list[str]:
    return [name for _root, _dirs, files in os.walk(media) for name in files]


def seal_png(size: int = 300, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, (size, size), (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    ImageDraw.Draw(image).ellipse((8, 8, size - 8, size - 8), outline=(221, 0, 0, 255)[: len(mode)], width=10)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 0, 0)).save(out, format="JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "seal.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def post_seal(client, code: str, data: bytes, name: str = "seal.png"):  # type: ignore[no-untyped-def]
    return client.post(reverse("districts:seal", args=[code]), {"seal": upload(data, name), "confirm": "1"})


def issue(official, enterprise):  # type: ignore[no-untyped-def]
    application = ApplicationFactory(
        enterprise=enterprise,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
    )
    return certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=dt.date(2026, 12, 1)
    )[0]


def images_in(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


# --- The checks (core/uploads.py) ---------------------------------------------------------------


def test_the_checks_by_content():
    assert inspect_seal_png(seal_png(), "seal.png") is None
    assert "不是 PNG" in inspect_seal_png(jpeg(), "seal.png")
    assert "透明背景" in inspect_seal_png(seal_png(mode="RGB"), "seal.png")
    # A palette PNG with a transparent colour (tRNS chunk) is transparent too.
    image = Image.new("P", (200, 200), 0)
    image.putpalette([255, 255, 255, 221, 0, 0])
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    assert inspect_seal_png(out.getvalue(), "seal.png") is None
    assert "100 至 2000 像素" in inspect_seal_png(seal_png(size=50), "seal.png")
    assert "超过 2 MB" in inspect_seal_png(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "seal.png")
    assert "不完整" in inspect_seal_png(seal_png()[:-40], "seal.png")
    damaged = bytearray(seal_png())
    damaged[-30] ^= 0xFF  # a byte of the image data: its chunk's CRC no longer matches
    assert "已损坏" in inspect_seal_png(bytes(damaged), "seal.png")
    wide = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    wide.save(out, format="PNG")
    assert "正方形" in inspect_seal_png(out.getvalue(), "seal.png")


# --- The page ----------------------------------------------------------------------------------


def test_official_uploads_a_good_png_and_it_is_in_the_district_history(login, official, media):
    client = login(official)
    page = client.get(reverse("districts:seal", args=["120116"]))
    assert page.status_code == 200 and "尚未上传印章" in page.content.decode()
    data = seal_png()
    response = post_seal(client, "120116", data)
    assert response.status_code == 302
    binhai = district("120116")
    assert binhai.seal.name.startswith("seals/120116-") and binhai.seal.read() == data
    latest = binhai.history.first()
    assert latest.history_user == official and latest.seal == binhai.seal.name
    page = client.get(reverse("districts:seal", args=["120116"])).content.decode()
    assert 'data-testid="seal-history"' in page and "data:image/png;base64," in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (jpeg(), "该文件的内容不是 PNG"),
        (seal_png(mode="RGB"), "透明背景"),
        # Noise does not compress: a 900 × 900 RGBA PNG of noise is ≈ 3 MB.
        (None, "超过 2 MB"),
    ],
    ids=["jpeg-renamed-png", "png-without-alpha", "too-large"],
)
def test_bad_images_are_refused_and_nothing_is_stored(login, official, media, data, message):
    if data is None:
        out = io.BytesIO()
        Image.frombytes("RGBA", (900, 900), os.urandom(900 * 900 * 4)).save(out, format="PNG")
        data = out.getvalue()
        assert len(data) > 2 * 1024 * 1024
    response = post_seal(login(official), "120116", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not district("120116").seal
    assert not district("120116").history.exists()  # (districts are loaded by a migration: no history yet)
    assert stored_files(media) == []


def test_another_districts_official_gets_403(login, other_official, media):
    client = login(other_official)  # Heping's official
    assert client.get(reverse("districts:seal", args=["120116"])).status_code == 403
    assert post_seal(client, "120116", seal_png()).status_code == 403
    assert client.get(reverse("districts:seal_preview", args=["120116"])).status_code == 403
    assert not district("120116").seal and stored_files(media) == []
    with pytest.raises(DomainPermissionDenied):
        seals.seal_upload(district=district("120116"), by=other_official, file=upload(seal_png()))


def test_municipal_office_uploads_for_any_district(login, municipal_user, official):
    client = login(municipal_user)
    listing = client.get(reverse("districts:seals")).content.decode()
    assert reverse("districts:seal", args=["120101"]) in listing
    assert post_seal(client, "120101", seal_png()).status_code == 302
    assert district("120101").seal
    assert district("120101").history.first().history_user == municipal_user
    # The official's list is their own district's page.
    response = login(official).get(reverse("districts:seals"))
    assert response.status_code == 302 and response.url == reverse("districts:seal", args=["120116"])


def test_the_confirmation_is_required(login, official):
    response = login(official).post(reverse("districts:seal", args=["120116"]), {"seal": upload(seal_png())})
    assert response.status_code == 400 and "请勾选确认" in response.content.decode()
    assert not district("120116").seal


def test_service_refuses_a_missing_file(official):
    with pytest.raises(InvalidInput) as refused:
        seals.seal_upload(district=district("120116"), by=official, file=None)
    assert "seal" in refused.value.errors


# --- The preview and the certificates ------------------------------------------------------------


def test_preview_pdf_is_a_sample_with_the_uploaded_seal(login, official):
    client = login(official)
    placeholder = client.get(reverse("districts:seal_preview", args=["120116"]))
    assert placeholder.status_code == 200 and placeholder["Content-Type"] == "application/pdf"
    placeholder_pdf = (
        b"".join(placeholder.streaming_content) if placeholder.streaming else placeholder.content
    )
    assert images_in(placeholder_pdf) == 0  # the drawn seal is vector
    post_seal(client, "120116", seal_png())
    response = client.get(reverse("districts:seal_preview", args=["120116"]))
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf != placeholder_pdf
    assert images_in(pdf) == 1  # the uploaded seal as an image XObject
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "样本" in text and "无编号" in text and "TJ2" not in text


def test_certificates_issued_after_the_upload_carry_it_and_earlier_ones_keep_theirs(login, official):
    before = issue(official, EnterpriseFactory(district=district("120116")))
    assert images_in(certificate_pdf.render_certificate(before)) == 0
    post_seal(login(official), "120116", seal_png())
    after = issue(official, EnterpriseFactory(district=district("120116")))
    assert after.versions.get().seal == district("120116").seal.name
    assert images_in(certificate_pdf.render_certificate(after)) == 1
    # The earlier certificate keeps the seal it was printed with (docs/domain.md).
    before.refresh_from_db()
    assert images_in(certificate_pdf.render_certificate(before)) == 0
    # A second upload: the later certificate keeps the first uploaded seal.
    first_seal = district("120116").seal.name
    post_seal(login(official), "120116", seal_png(size=400))
    assert district("120116").seal.name != first_seal
    assert (
        certificate_pdf.certificate_context(after)["seal"]["src"]
        == certificate_pdf.seal_for(District.objects.get(code="120116"), first_seal)["src"]
    )
