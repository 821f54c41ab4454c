"""The one place PDFs are rendered (docs/layout.md, one module per output format): 申请书, certificates, draw records, score sheets,
notices — a Django template extending ``templates/pdf/base.html``, laid out by WeasyPrint.

- Text stays text: the CJK fonts (Noto Serif/Sans CJK SC from fonts-noto-cjk, found through
  fontconfig) are embedded as subsets (libharfbuzz-subset), so the PDF is searchable and copyable.
- No network: :class:`LocalOnlyURLFetcher` serves ``data:`` URLs and the portal's own static files
  and refuses everything else, so a stray ``http(s)://`` link in a template or in data can never
  hang a render on an intranet without internet access (WeasyPrint logs and skips the resource).
- One render of the 4-page 申请书 takes ~0.3 s (first one in a process ~0.4 s); logged at DEBUG with its size.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = [
    "BASE_TEMPLATE",
    "PDF_CONTENT_TYPE",
    "LocalOnlyURLFetcher",
    "page_counter_css",
    "pdf_response",
    "render_pdf",
]

logger = logging.getLogger(__name__)

BASE_TEMPLATE = "pdf/base.html"
PDF_CONTENT_TYPE = "application/pdf"
# Relative URLs resolve against the file root, so `{% static 'x.png' %}` (= "/static/x.png") becomes
# "file:///static/x.png", which the fetcher maps back to the static file.
DEFAULT_BASE_URL = "file:///"


class LocalOnlyURLFetcher(URLFetcher):
    """``data:`` URLs and the portal's static files only; every other URL is refused (never fetched)."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        path = _static_file_for(url)
        if path is None:
            logger.warning(
                "PDF render: refused to fetch %s (only data: URLs and static files are allowed)", url[:200]
            )
            raise ValueError(f"refused non-local URL: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def _static_file_for(url: str) -> Path | None:
    """The local static file a URL names, else None.

    Any ``file:``/``http(s):`` URL whose path lies under STATIC_URL's path maps to the local copy,
    whatever the host (``{% static %}`` with a base URL of the site or a CDN): static files are
    public, and reading the local copy means no request ever leaves the process.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("file", "http", "https"):
        return None
    path = unquote(parts.path)
    static = urlsplit(settings.STATIC_URL)
    prefix = static.path if static.path.endswith("/") else static.path + "/"
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    if not name or ".." in Path(name).parts:
        return None
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if found is None and settings.STATIC_ROOT:
        # After collectstatic, hashed names ("css/x.3f2a.css") exist only in STATIC_ROOT.
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / name).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            found = str(candidate)
    return Path(found) if found else None


def _css_string(text: str) -> str:
    # Inside <style> nothing is HTML-escaped, so escape for CSS and keep "</style>" impossible.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ") + '"'


def page_counter_css() -> SafeString:
    """CSS ``content`` for the footer, "第 X 页 共 Y 页" in the active language, built on CSS counters."""
    template = _("第 {page} 页 共 {pages} 页")
    tokens = re.split(r"(\{page\}|\{pages\})", template)
    parts = []
    for token in tokens:
        if token == "{page}":
            parts.append("counter(page)")
        elif token == "{pages}":
            parts.append("counter(pages)")
        elif token:
            parts.append(_css_string(token))
    return mark_safe(" ".join(parts))  # every literal went through _css_string


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """Render ``template_name`` (which extends ``pdf/base.html``) with ``context`` to PDF bytes.

    ``base_url`` resolves relative URLs (default: the file root, so ``{% static %}`` URLs work).
    Whatever it is, only ``data:`` URLs and static files are ever read.
    """
    started = time.perf_counter()
    html = render_to_string(template_name, {**context, "pdf_page_counter": page_counter_css()})
    document = HTML(string=html, base_url=base_url or DEFAULT_BASE_URL, url_fetcher=LocalOnlyURLFetcher())
    # A FontConfiguration per render: it holds the document's @font-face state and is not shared.
    pdf = document.write_pdf(font_config=FontConfiguration())
    logger.debug(
        "PDF %s rendered in %.0f ms, %d bytes",
        template_name,
        (time.perf_counter() - started) * 1000,
        len(pdf),
    )
    return pdf


def render_pdf_chunks(
    template_name: str,
    contexts: Iterable[dict[str, Any]],
    *,
    on_chunk: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF from several renders of ``template_name``, one per context, their pages in order.

    For batches: each chunk is laid out as its own WeasyPrint document (``on_chunk(index)`` after
    each, so a caller can report progress), all sharing one font configuration, and the pages are
    written as one PDF with one set of font subsets.
    """
    font_config = FontConfiguration()
    documents = []
    for index, context in enumerate(contexts):
        html = render_to_string(template_name, {**context, "pdf_page_counter": page_counter_css()})
        document = HTML(string=html, base_url=DEFAULT_BASE_URL, url_fetcher=LocalOnlyURLFetcher())
        documents.append(document.render(font_config=font_config))
        if on_chunk is not None:
            on_chunk(index)
    if not documents:
        raise ValueError("nothing to render")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def _ascii_fallback(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, "pdf"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "document"
    return f"{safe}.{re.sub(r'[^A-Za-z0-9]', '', ext) or 'pdf'}"


def pdf_response(
    pdf: bytes, filename: str, *, ascii_filename: str | None = None, inline: bool = False
) -> HttpResponse:
    """An attachment download of ``pdf`` for browser and API views alike.

    ``Content-Disposition`` carries both an ASCII ``filename`` (old clients) and the UTF-8
    ``filename*`` (RFC 6266 / 5987) for a Chinese name; ``Cache-Control: private, no-store`` because
    the material is an enterprise's confidential data (第十三条) and must not linger in shared caches.
    """
    fallback = _ascii_fallback(ascii_filename or filename)
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(pdf))
    response["Cache-Control"] = "private, no-store"
    return response
