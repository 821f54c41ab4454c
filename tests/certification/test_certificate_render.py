"""A real certificate PDF rendered to PNG with poppler's pdftoppm (scripts/system-packages.sh test).

The PNG is kept as a test artefact (var/test-artifacts/certificate.png) for a person to look at; the
test checks what a machine can: the size of an A4 landscape page, that it is not blank, that the red
seal and the red title are there (where the layout puts them), and the gold frame.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.conf import settings
from PIL import Image, ImageChops

from certification.certificates import pdf as certificate_pdf
from certification.certificates import services as certificates
from certification.models import Field
from tests.factories import ApplicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"),
]
DPI = 100
A4_LANDSCAPE_PX = (round(297 / 25.4 * DPI), round(210 / 25.4 * DPI))  # (1169, 827)


def red_share(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of the box's pixels in seal red (R > 170, G < 110, B < 110)."""
    r, g, b = image.crop(box).split()
    mask = ImageChops.logical_and(
        ImageChops.logical_and(
            r.point(lambda v: 255 if v > 170 else 0, "1"), g.point(lambda v: 255 if v < 110 else 0, "1")
        ),
        b.point(lambda v: 255 if v < 110 else 0, "1"),
    )
    return mask.histogram()[-1] / (mask.width * mask.height)


def count_below(grey: Image.Image, level: int) -> int:
    return sum(grey.histogram()[:level])


@pytest.fixture
def certificate_png(enterprise_user, official, tmp_path, artifacts):
    enterprise = enterprise_user.enterprise
    enterprise.name = "天津海河智能装备科技有限公司"
    enterprise.save()
    application = ApplicationFactory(
        enterprise=enterprise,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
    )
    certificate = certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=dt.date(2026, 12, 1)
    )[0]
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate_pdf.render_certificate(certificate))
    out = artifacts / "certificate"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return artifacts / "certificate.png", certificate


def test_page_one_renders_to_a_png_with_the_seal(certificate_png):
    certificate_png, _certificate = certificate_png
    assert certificate_png.stat().st_size > 20_000
    with Image.open(certificate_png) as png:
        assert png.format == "PNG"
        image = png.convert("RGB")
    width, height = image.size
    assert abs(width - A4_LANDSCAPE_PX[0]) <= 2 and abs(height - A4_LANDSCAPE_PX[1]) <= 2

    # Not blank: plenty of non-white pixels (frame, title, text, QR code, seal)…
    grey = image.convert("L")
    assert count_below(grey, 200) / (width * height) > 0.02
    # …and not a solid block either.
    lo, hi = grey.getextrema()
    assert lo < 50 and hi > 250

    # The seal: red ink in the lower right quarter (over the government's name and the date).
    assert red_share(image, (width // 2, height // 2, width, height)) > 0.01
    # The title in red across the top centre, none in the bottom-left corner (QR code and URL, black).
    assert red_share(image, (width // 4, 0, 3 * width // 4, height // 5)) > 0.005
    assert red_share(image, (0, 3 * height // 4, width // 4, height)) < 0.001

    # The QR code: a black-and-white block in the lower left.
    qr = grey.crop((0, height // 2, width // 3, height))
    assert count_below(qr, 60) > 1000


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools (zbarimg) not installed")
def test_the_printed_qr_code_reads_back_as_the_verification_url(certificate_png):
    """What a phone reads off the printed page: zbarimg decodes the QR code from the rendered PNG."""
    png, certificate = certificate_png
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines() == [f"{settings.SITE_URL}/verify/{certificate.number}/"]
