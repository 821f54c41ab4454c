"""The certificate as PDF (第十条（6）): one A4 landscape page per certificate, stamped with the district
government's seal and carrying a QR code of the public verification page.

- Rendered like every PDF of the portal (core/pdf.py): a Django template extending
  ``pdf/base.html``, laid out by WeasyPrint with the local-only URL fetcher, CJK fonts embedded as
  subsets, so every word on the certificate is real, searchable text.
- The seal: the district's uploaded PNG or SVG (``District.seal``), read from storage and embedded as a
  ``data:`` URI (the fetcher never reads the network or the media folder); until one is uploaded, a
  round red seal drawn as inline SVG: ring, the government's name around the top, a five-pointed star.
- The QR code is made here with ``segno`` (no service) and encodes
  ``SITE_URL + reverse("certificate_verify_page", args=[number])``.
- An old version of a reissued certificate (a rename reissues it with the same number) and a revoked
  certificate carry a large watermark, so a superseded print can never pass for a valid one.
- A batch is one PDF: the certificates are laid out in chunks (progress after each) and the pages of
  all chunks are written as one document, so the fonts are embedded once.

Timings (2-core development machine, warm worker; tests/certification/test_certificate_pdf.py prints
them): one certificate 0.3–0.45 s (the first render in a process ≈ 1.2 s, loading the fonts); a batch
of 20 ≈ 1.8–2.7 s and ≈ 400 KB, i.e. ~0.1 s a page.
"""

from __future__ import annotations

import base64
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from certification.applications.permissions import certificates_visible_to
from certification.certificates.services import parse_number, valid_until
from certification.models import Certificate, CertificateVersion
from core.pdf import (
    pdf_response,
    render_pdf,
    render_pdf_chunks,
)

__all__ = [
    "CERTIFICATE_TEMPLATE",
    "SEAL_COLOR",
    "certificate_context",
    "certificate_download",
    "certificate_filename",
    "default_seal_svg",
    "preview_context",
    "qr_data_uri",
    "render_batch",
    "render_certificate",
    "render_preview",
    "seal_for",
    "verify_url",
]

logger = logging.getLogger(__name__)

CERTIFICATE_TEMPLATE = "pdf/certificate.html"
SEAL_COLOR = "#d00"
SEAL_MAX_BYTES = 2 * 1024 * 1024  # an uploaded seal is a small image; anything larger is not embedded
# Certificates laid out per WeasyPrint document in a batch, i.e. the progress step; chunks of 5 to 20
# cost the same, one per chunk is ~30 % slower.
BATCH_CHUNK = 5
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Progress = Callable[[int, int], None]


# --- Who may download ------------------------------------------------------------------------


# --- The seal --------------------------------------------------------------------------------


def _star_points(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.381966  # a regular five-pointed star: inner radius = outer × (3 − √5) / 2
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


def default_seal_svg(government_name: str) -> SafeString:
    """A round red seal: ring, ``government_name`` around the top, a five-pointed star in the centre.

    The ring text is one ``<text>`` per character, each rotated about the centre. That is what an SVG
    ``<textPath>`` along an arc would draw, but WeasyPrint (70) lays a textPath out on a straight line,
    so the positions are computed here. Each character stays real text in the PDF.
    """
    name = government_name.strip() or _("区人民政府")
    count = len(name)
    # Official seals spread the name over about two thirds of the circle; long names take more of it.
    span = min(300.0, max(150.0, 24.0 * count))
    radius = 64.0  # baseline of the ring text, inside the outer ring (r = 92, 6 wide)
    step = span / (count - 1) if count > 1 else 0.0
    font_size = min(27.0, radius * math.radians(step) * 0.92) if count > 1 else 27.0
    glyphs = []
    for i, char in enumerate(name):
        angle = -span / 2 + step * i if count > 1 else 0.0
        glyphs.append(
            f'<text x="100" y="{100 - radius:.2f}" text-anchor="middle" font-size="{font_size:.2f}" '
            f'transform="rotate({angle:.2f} 100 100)">{escape(char)}</text>'
        )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" class="seal-svg" '
        f'role="img" aria-label="{escape(name)}">'
        f'<circle cx="100" cy="100" r="92" fill="none" stroke="{SEAL_COLOR}" stroke-width="6"/>'
        f'<g fill="{SEAL_COLOR}" font-family="Noto Serif CJK SC" font-weight="700">{"".join(glyphs)}</g>'
        f'<polygon fill="{SEAL_COLOR}" points="{_star_points(100, 100, 33)}"/>'
        "</svg>"
    )
    return mark_safe(svg)  # every piece of text in it went through escape()


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in head
    ) or head.startswith(b"<svg"):
        return "image/svg+xml"
    return None


def _uploaded_seal_uri(district: Any, name: str | None = None) -> str | None:
    """Seal file `name` (default: the district's current seal) as a ``data:`` URI, or None (none,
    unreadable, not PNG/SVG)."""
    name = district.seal.name if name is None else name
    if not name:
        return None
    try:
        with district.seal.storage.open(name, "rb") as handle:
            data = handle.read(SEAL_MAX_BYTES + 1)
    except OSError:
        logger.warning("certificate seal of district %s cannot be read: %s", district.code, name)
        return None
    mime = _sniff_image(data) if len(data) <= SEAL_MAX_BYTES else None
    if mime is None:
        logger.warning(
            "certificate seal of district %s is not a PNG or SVG under 2 MB; drawing the default",
            district.code,
        )
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def seal_for(district: Any, name: str | None = None) -> dict[str, Any]:
    """``{"kind": "uploaded", "src": data URI}`` or ``{"kind": "default", "svg": inline SVG}``.

    `name` is the seal file an issued version was printed with ("" = the drawn seal); None = the
    district's current seal."""
    uri = _uploaded_seal_uri(district, name)
    if uri is not None:
        return {"kind": "uploaded", "src": uri, "svg": ""}
    return {"kind": "default", "src": "", "svg": default_seal_svg(district.government_name or district.name)}


# --- The QR code -----------------------------------------------------------------------------


def verify_url(number: str) -> str:
    return settings.SITE_URL + reverse("certificate_verify_page", args=[number])


def qr_data_uri(url: str) -> str:
    """A QR code (error correction M) of ``url`` as an SVG ``data:`` URI, vector in the PDF."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=1, border=0, dark="#000", light=None)


# --- Context and rendering -------------------------------------------------------------------


def _version_row(certificate: Certificate, version: int) -> CertificateVersion | None:
    # `versions` may be prefetched (a batch); otherwise this is one query.
    return next((v for v in certificate.versions.all() if v.version == version), None)


def certificate_context(
    certificate: Certificate, version: int | None = None, *, seals: dict[Any, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What one certificate page shows.

    ``version`` selects an issued form (default: the current one); an unknown version raises
    ``CertificateVersion.DoesNotExist``. A version older than the certificate's or marked superseded
    gets the "已作废" watermark; a revoked certificate "已撤销". ``seals`` caches the seal per district
    within a batch.
    """
    current = certificate.version
    wanted = current if version is None else version
    row = _version_row(certificate, wanted)
    if row is None and wanted != current:
        raise CertificateVersion.DoesNotExist(f"{certificate.number} has no version {wanted}")
    superseded = row is not None and (row.version < current or row.superseded_at is not None)
    if superseded:
        watermark = _("已作废")
    elif certificate.revoked_at:
        watermark = _("已撤销")
    else:
        watermark = ""

    district = certificate.district
    # The seal this form was printed with (a version row names it); a certificate without version
    # rows (older data) shows the district's current seal.
    seal_name = row.seal if row is not None else None
    key = (district.pk, seal_name)
    if seals is not None and key in seals:
        seal = seals[key]
    else:
        seal = seal_for(district, seal_name)
        if seals is not None:
            seals[key] = seal
    url = verify_url(certificate.number)
    return {
        "number": certificate.number,
        # The certificate row is the current form; an older version shows the name it was issued under.
        "enterprise_name": row.enterprise_name
        if row is not None and wanted != current
        else certificate.enterprise_name,
        "uscc": certificate.uscc,
        "field_name": certificate.field_name,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "district_name": district.name,
        "government_name": district.government_name or district.name,
        "seal": seal,
        "verify_url": url,
        "qr_src": qr_data_uri(url),
        "version": wanted,
        "superseded": superseded,
        "superseded_at": row.superseded_at if row is not None else None,
        "revoked": bool(certificate.revoked_at),
        "watermark": watermark,
    }


def preview_context(district: Any, today: Any = None) -> dict[str, Any]:
    """A sample certificate of `district` with its current seal: sample data, no number, no QR code,
    the watermark "样本" (the seal page's preview, districts/seals.py)."""
    issued_on = today or timezone.localdate()
    return {
        "preview": True,
        "number": _("样本（无编号）"),
        "enterprise_name": _("天津市示例科技有限公司"),
        "uscc": "91120000000000000X",
        "field_name": _("电子信息"),
        "issued_on": issued_on,
        "valid_until": valid_until(issued_on),
        "district_name": district.name,
        "government_name": district.government_name or district.name,
        "seal": seal_for(district),
        "verify_url": "",
        "qr_src": "",
        "version": 1,
        "superseded": False,
        "superseded_at": None,
        "revoked": False,
        "watermark": _("样本"),
    }


def render_preview(district: Any) -> bytes:
    """The sample certificate of `district` with its current seal, one page."""
    return render_pdf(CERTIFICATE_TEMPLATE, {"certificates": [preview_context(district)]})


def render_certificate(certificate: Certificate, version: int | None = None) -> bytes:
    """One certificate, one A4 landscape page."""
    return render_pdf(CERTIFICATE_TEMPLATE, {"certificates": [certificate_context(certificate, version)]})


def render_batch(certificates: Iterable[Certificate], progress: Progress | None = None) -> bytes:
    """One PDF, one page per certificate, in the given order; ``progress(done, total)`` after each chunk.

    Chunks of BATCH_CHUNK are laid out as separate WeasyPrint documents (so progress can be reported)
    sharing one font configuration, and their pages are written as one PDF with one set of font subsets.
    """
    started = time.perf_counter()
    items: Sequence[Certificate] = list(certificates)
    total = len(items)
    if total == 0:
        raise ValueError("a batch needs at least one certificate")
    seals: dict[Any, dict[str, Any]] = {}
    chunks = [items[start : start + BATCH_CHUNK] for start in range(0, total, BATCH_CHUNK)]

    def chunk_done(index: int) -> None:
        if progress is not None:
            progress(min((index + 1) * BATCH_CHUNK, total), total)

    pdf = render_pdf_chunks(
        CERTIFICATE_TEMPLATE,
        ({"certificates": [certificate_context(c, seals=seals) for c in chunk]} for chunk in chunks),
        on_chunk=chunk_done,
    )
    logger.info(
        "certificate batch of %d rendered in %.0f ms, %d bytes",
        total,
        (time.perf_counter() - started) * 1000,
        len(pdf),
    )
    return pdf


def certificate_filename(certificate: Certificate, version: int | None = None) -> tuple[str, str]:
    """The download's file name and its ASCII fallback."""
    if version is None or version == certificate.version:
        return (
            _("天津市市级高新技术企业证书-%(number)s.pdf") % {"number": certificate.number},
            f"certificate-{certificate.number}.pdf",
        )
    return (
        _("天津市市级高新技术企业证书-%(number)s-第%(version)s版（已作废）.pdf")
        % {"number": certificate.number, "version": version},
        f"certificate-{certificate.number}-v{version}.pdf",
    )


def certificate_download(user, number: str, version: str | None = None) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The browser and API download: certificate ``number`` (``version``: a query parameter) for ``user``.

    Http404 for a malformed number, a certificate outside :func:`certificates_visible_to`, or a version
    that was never issued, alike (never saying which); DRF answers it as a JSON 404.
    """
    parsed = parse_number(number)
    certificate = certificates_visible_to(user).filter(number=parsed).first() if parsed else None
    if certificate is None:
        raise Http404
    wanted = None
    if version:
        if not version.isdigit() or not 1 <= int(version) <= 999:
            raise Http404
        wanted = int(version)
    try:
        pdf = render_certificate(certificate, wanted)
    except CertificateVersion.DoesNotExist:
        raise Http404 from None
    filename, ascii_name = certificate_filename(certificate, wanted)
    return pdf_response(pdf, filename, ascii_filename=ascii_name)
