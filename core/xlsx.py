"""Reading an uploaded .xlsx workbook: the checks every import shares (size, the old .xls format, a
damaged file, no sheet, too many rows), each a Chinese message on a :class:`SheetError`; nothing is
imported when one is raised. Used by the expert pool's, the help lists' and the 四单一库 lists' imports."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024


class SheetError(Exception):
    """The file as a whole cannot be read; nothing is imported. The message is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def cell_text(value: Any) -> str:
    """A cell as text: empty for none, a whole float without its ``.0``, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(
    data: bytes, *, max_rows: int, with_header: bool = False, too_many: str = ""
) -> list[tuple[int, tuple[Any, ...]]]:
    """The first sheet's non-empty rows with their sheet row numbers (blank rows skipped, the numbering
    kept); the header row (row 1) only ``with_header``. More than ``max_rows`` data rows is an error
    (``too_many``, with ``%(max)s``)."""
    if len(data) > MAX_BYTES:
        raise SheetError(_("文件超过 5 MB，请分批导入。"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(_("这是旧版 Excel（.xls）文件。请在 Excel 中“另存为” .xlsx 格式后再上传。"))
    if not data.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError(_("无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。"))
    from openpyxl import load_workbook

    limit = max_rows + (1 if with_header else 0)
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise SheetError(_("文件中没有工作表。"))
            # Read everything inside this try, so a damaged sheet fails here and not halfway through.
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                if (with_header or number > 1) and any(cell_text(v) for v in values):
                    rows.append((number, tuple(values)))
                if len(rows) > limit:
                    message = too_many or _("一次最多导入 %(max)s 行，请分批导入。")
                    raise SheetError(message % {"max": f"{max_rows:,}"})
        finally:
            workbook.close()
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, BadZipFile, XML errors)
        raise SheetError(_("无法读取该文件：它不是有效的 .xlsx 工作簿，或已损坏。")) from None
    return rows
