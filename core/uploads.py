"""Uploads: the checks on uploaded materials of 第十条（2）, and the client's own file name.

Checks: plain functions over bytes and names, no ORM. PDF only, decided by the file's content, never
by its name or the browser's declared content type.

Uploaded files keep the name the client sent (``client_name``), for the browser and the API alike.

Django strips the directory part of an uploaded file's name while it parses the body, so a service
that refuses ``../../x.pdf`` would only ever see ``x.pdf`` and store it quietly under that name. The
parser below records the name first; the middleware makes Django's own parsing of browser forms use
it, and the API's multipart parser uses it too. The upload checks then refuse such a name the same
way on both paths.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from typing import Any, BinaryIO

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
EOF_MARKER = b"%%EOF"
# PDF readers look for %%EOF within the last 1024 bytes (trailing whitespace or junk is tolerated).
TAIL_BYTES = 1024
HEAD_BYTES = 1024
HASH_CHUNK_BYTES = 64 * 1024
DISPLAY_NAME_MAX = 100
DEFAULT_DISPLAY_NAME = "document.pdf"
# Characters that Windows refuses in file names; dropped so the downloaded name can be saved as is.
_UNSAFE_CHARS = set('<>:"|?*')


class DocumentError(Exception):
    """An upload refused for its input; `field` names the request field the message belongs to."""

    def __init__(self, message: str, *, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def has_path_traversal(name: str) -> bool:
    return "../" in name or "..\\" in name


def display_name(name: str) -> str:
    """The client's file name made safe to show and to offer as a download name.

    Any directory part (`../`, `..\\`, absolute paths, drive letters) and control characters are
    dropped; the result has at most 100 characters and always ends in `.pdf`.
    """
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    if len(name) >= 2 and name[1] == ":":  # "C:report.pdf"
        name = name[2:]
    name = "".join(
        ch for ch in name if not unicodedata.category(ch).startswith("C") and ch not in _UNSAFE_CHARS
    )
    name = name.strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(". ")
    if not stem:
        return DEFAULT_DISPLAY_NAME
    return stem[: DISPLAY_NAME_MAX - 4] + ".pdf"


def format_limit(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    text = f"{mb:.2f}".rstrip("0").rstrip(".")
    return f"{text} MB" if text != "0" else f"{mb:.4f} MB"


def inspect_pdf(
    head: bytes, size: int, name: str, max_bytes: int, *, tail: bytes | None = None
) -> str | None:
    """The reason an upload is refused, in Chinese, or None when it is an acceptable PDF.

    `head` is the start of the file, `tail` its last bytes; without `tail`, `head` is taken to be
    the whole file (small files, tests).
    """
    if has_path_traversal(name):
        return _("文件名不能包含路径（如“../”），请重命名后再上传。")
    if size <= 0:
        return _("文件为空。")
    if size > max_bytes:
        return _("文件大小超过 %(limit)s 的上限。") % {"limit": format_limit(max_bytes)}
    if not head.startswith(PDF_MAGIC):
        return _("只接受 PDF 文件：该文件的内容不是 PDF（仅把扩展名改为 .pdf 无效）。")
    end = (tail if tail is not None else head)[-TAIL_BYTES:]
    if EOF_MARKER not in end:
        return _("PDF 文件不完整（缺少文件结束标记），请重新导出后上传。")
    return None


def read_head_tail(fileobj: BinaryIO, size: int) -> tuple[bytes, bytes]:
    """The first and last kilobyte of a seekable file; the position is left at the start."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    if size <= HEAD_BYTES:
        tail = head
    else:
        fileobj.seek(max(size - TAIL_BYTES, 0))
        tail = fileobj.read(TAIL_BYTES)
    fileobj.seek(0)
    return head, tail


def sha256_of(fileobj: BinaryIO, *, chunk_size: int = HASH_CHUNK_BYTES) -> str:
    """SHA-256 of a seekable file, read in chunks so a large upload never sits in memory whole."""
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(chunk_size), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


class ClientNameMultiPartParser(MultiPartParser):
    _client_name: str | None = None

    def sanitize_file_name(self, file_name):  # type: ignore[no-untyped-def]
        self._client_name = file_name
        return super().sanitize_file_name(file_name)

    def handle_file_complete(self, old_field_name, counters):  # type: ignore[no-untyped-def]
        super().handle_file_complete(old_field_name, counters)
        files = self._files.getlist(old_field_name)
        if files and not hasattr(files[-1], "client_name"):
            files[-1].client_name = self._client_name


class ClientFileNameMiddleware:
    """Browser forms: request.FILES is parsed with :class:`ClientNameMultiPartParser` (lazily, when
    something first reads request.POST or request.FILES, as Django does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def parse_file_upload(meta, post_data):  # type: ignore[no-untyped-def]
            request.upload_handlers = ImmutableList(
                request.upload_handlers,
                warning="You cannot alter upload handlers after the upload has been processed.",
            )
            return ClientNameMultiPartParser(
                meta, post_data, request.upload_handlers, request.encoding
            ).parse()

        request.parse_file_upload = parse_file_upload  # type: ignore[method-assign]
        return self.get_response(request)


def stored_pdf_response(stored: Any, filename: str) -> FileResponse:
    """A stored PDF (a FieldFile) as a private download: never cached, never sniffed into HTML.

    A file missing from storage is a 404 with a plain message, not a 500.
    """
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The district seal (a PNG with transparency) ---------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MIN_SIDE, SEAL_MAX_SIDE = 100, 2000  # pixels; a seal is drawn 40 mm wide (≈ 470 px at 300 dpi)
SEAL_MAX_RATIO = 1.5  # a round or square stamp, not a banner
# PNG colour types (ISO/IEC 15948 §11.2.2): 4 = greyscale + alpha, 6 = RGB + alpha.
_ALPHA_COLOUR_TYPES = {4, 6}


def _png_chunks(data: bytes):  # type: ignore[no-untyped-def]
    """(type, payload) of each chunk after the signature, stopping at IEND or truncation."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        payload = data[position + 8 : position + 8 + length]
        if len(payload) != length:
            return
        yield kind, payload
        if kind == b"IEND":
            return
        position += 12 + length  # length, type, payload, CRC


def inspect_seal_png(data: bytes, name: str, *, max_bytes: int = SEAL_MAX_BYTES) -> str | None:
    """The reason a seal image is refused, in Chinese, or None when it is a usable PNG with transparency.

    Decided by the content: the PNG signature, the IHDR header (size, colour type) and, for colour
    types without an alpha channel, a tRNS chunk before the image data; then Pillow decodes the whole
    image, so a damaged file is refused too.
    """
    if has_path_traversal(name):
        return _("文件名不能包含路径（如“../”），请重命名后再上传。")
    if not data:
        return _("文件为空。")
    if len(data) > max_bytes:
        return _("印章图片大小超过 %(limit)s 的上限。") % {"limit": format_limit(max_bytes)}
    if not data.startswith(PNG_SIGNATURE):
        return _("只接受 PNG 图片：该文件的内容不是 PNG（仅把扩展名改为 .png 无效）。")
    chunks = _png_chunks(data)
    first = next(chunks, None)
    if first is None or first[0] != b"IHDR" or len(first[1]) != 13:
        return _("PNG 文件已损坏（缺少图像头），请重新导出后上传。")
    header = first[1]
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    colour_type = header[9]
    transparent = colour_type in _ALPHA_COLOUR_TYPES
    if not transparent:
        for kind, _payload in chunks:
            if kind == b"IDAT":
                break
            if kind == b"tRNS":
                transparent = True
                break
    if not transparent:
        return _("印章图片必须是透明背景的 PNG（带 Alpha 通道或透明色），否则会遮住证书上的文字。")
    if not (SEAL_MIN_SIDE <= width <= SEAL_MAX_SIDE and SEAL_MIN_SIDE <= height <= SEAL_MAX_SIDE):
        return _("印章图片的宽和高应在 %(min)s 至 %(max)s 像素之间（该图片为 %(w)s × %(h)s）。") % {
            "min": SEAL_MIN_SIDE,
            "max": SEAL_MAX_SIDE,
            "w": width,
            "h": height,
        }
    if max(width, height) > SEAL_MAX_RATIO * min(width, height):
        return _("印章图片应接近正方形（长边不超过短边的 1.5 倍）。")
    return _decode_problem(data)


def _decode_problem(data: bytes) -> str | None:
    import io

    from PIL import Image, UnidentifiedImageError

    if not any(kind == b"IEND" for kind, _payload in _png_chunks(data)):
        return _("PNG 文件不完整（缺少文件结束块），请重新导出后上传。")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise UnidentifiedImageError
            image.verify()  # every chunk's CRC
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes every pixel: a truncated or corrupt image stream raises here
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return _("PNG 文件已损坏，无法读取图像，请重新导出后上传。")
    return None
