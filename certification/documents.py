"""Checks on uploaded materials of 第十条（2）: plain functions over bytes and names, no ORM.

PDF only, decided by the file's content, never by its name or the browser's declared content type.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import BinaryIO

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
