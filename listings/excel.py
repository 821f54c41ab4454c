"""The lists as .xlsx: export, and an all-or-nothing import with a report per row (openpyxl).

Import columns: 统一社会信用代码, 企业名称 (either identifies a registered enterprise; both must agree when
both are given), 阶段 (后备企业 / 有股改意向 / 股改完成 / 上市/挂牌, or the list: 后备企业库 / 股改单 / 上市单
/ 并购单), 备注. Every row is checked first; if any row is bad, nothing is written and the report says
why per row. Otherwise the rows are added in one transaction (``services.entry_add`` each); should one
still fail there (added meanwhile by someone else), the whole import is rolled back. The reader's
safeguards (size, .xls, damaged files, formula text) follow cadres/excel.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from certification.models import Enterprise
from core import xlsx
from core.errors import InvalidInput
from core.xlsx import SheetError
from core.xlsx import cell_text as _text
from listings import services
from listings.models import ListingEntry, ListKind, Stage

MAX_ROWS = 2000
HEADERS = ("统一社会信用代码", "企业名称", "阶段", "备注", "名单", "所在区", "列入日期")
# The stage an entry is put on the ledger at, by the stage's name, its list's name or the stored value
# (written out rather than read from the labels: the sheet is in Chinese whatever the page's language).
STAGE_WORDS: dict[str, str] = {
    "后备企业": Stage.RESERVE,
    "后备企业库": Stage.RESERVE,
    "reserve": Stage.RESERVE,
    "有股改意向": Stage.INTENTION,
    "股改单": Stage.INTENTION,
    "intention": Stage.INTENTION,
    "股改完成": Stage.REFORMED,
    "上市单": Stage.REFORMED,
    "reformed": Stage.REFORMED,
    "上市/挂牌": Stage.LISTED,
    "上市挂牌": Stage.LISTED,
    "并购单": Stage.LISTED,
    "listed": Stage.LISTED,
}
STAGE_NAMES = {
    Stage.RESERVE: "后备企业",
    Stage.INTENTION: "有股改意向",
    Stage.REFORMED: "股改完成",
    Stage.LISTED: "上市/挂牌",
    Stage.MERGED_DOMESTIC: "完成国内并购",
    Stage.MERGED_FOREIGN: "完成国外并购",
}
LIST_NAMES = {
    ListKind.RESERVE: "后备企业库",
    ListKind.REFORM: "股改单",
    ListKind.LISTING: "上市单",
    ListKind.MERGER: "并购单",
}


@dataclass
class RowReport:
    row: int
    uscc: str
    name: str
    ok: bool = False
    problems: list[str] = field(default_factory=list)


def read_rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """Non-empty rows after the header, with their sheet row numbers."""
    rows = xlsx.read_rows(data, max_rows=MAX_ROWS)
    if not rows:
        raise SheetError(_("文件中没有数据行：第一行为表头，自第二行起每行一家企业。"))
    return rows


def _check_row(
    number: int, cells: list[str], seen: set[int], on_ledger: set[int]
) -> tuple[RowReport, Enterprise | None, str]:
    uscc, name, stage_word, note = cells[0].upper(), cells[1], cells[2], cells[3]
    report = RowReport(row=number, uscc=uscc, name=name)
    enterprise: Enterprise | None = None
    if uscc:
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            report.problems.append(_("统一社会信用代码“%(uscc)s”不是本平台注册的企业。") % {"uscc": uscc})
        elif name and name != enterprise.name:
            report.problems.append(
                _("企业名称“%(name)s”与该统一社会信用代码的企业（%(actual)s）不符。")
                % {"name": name, "actual": enterprise.name}
            )
    elif name:
        matches = list(Enterprise.objects.filter(name=name)[:2])
        if not matches:
            report.problems.append(
                _("未找到名为“%(name)s”的注册企业，请填写统一社会信用代码。") % {"name": name}
            )
        elif len(matches) > 1:
            report.problems.append(_("有多家企业名为“%(name)s”，请填写统一社会信用代码。") % {"name": name})
        else:
            enterprise = matches[0]
    else:
        report.problems.append(_("请填写统一社会信用代码或企业名称。"))
    if enterprise is not None:
        report.uscc, report.name = enterprise.uscc, enterprise.name
        if enterprise.pk in seen:
            report.problems.append(_("该企业在本文件中重复出现。"))
        elif enterprise.pk in on_ledger:
            report.problems.append(_("该企业已在四单一库中，一家企业同一时间只能在一个名单上。"))
        seen.add(enterprise.pk)
    stage = STAGE_WORDS.get(stage_word) or STAGE_WORDS.get(stage_word.lower(), "")
    if not stage:
        report.problems.append(
            _(
                "阶段应为“后备企业”“有股改意向”“股改完成”或“上市/挂牌”（或名单：后备企业库、股改单、上市单、并购单）。"
            )
        )
    if len(note) > 1000:
        report.problems.append(_("备注最多 1000 字。"))
    return report, enterprise, stage


def import_entries(*, by: User, data: bytes) -> list[RowReport]:
    """Put the sheet's enterprises on the lists: all rows or none. One report per row."""
    rows = read_rows(data)
    on_ledger = set(ListingEntry.objects.values_list("enterprise_id", flat=True))
    seen: set[int] = set()
    checked = []
    for number, values in rows:
        cells = [_text(v) for v in (*values, *([None] * 4))[:4]]
        checked.append((*_check_row(number, cells, seen, on_ledger), cells[3]))
    reports = [report for report, *_rest in checked]
    if any(r.problems for r in reports):
        return reports
    with transaction.atomic():
        failed = False
        for report, enterprise, stage, note in checked:
            assert enterprise is not None
            try:
                services.entry_add(enterprise=enterprise, stage=stage, note=note, by=by)
                report.ok = True
            except InvalidInput as exc:
                report.problems.extend(p for problems in exc.errors.values() for p in problems)
                failed = True
        if failed:
            transaction.set_rollback(True)
            for report in reports:
                report.ok = False
    return reports


def _safe(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_entries(entries: QuerySet[ListingEntry] | Iterable[ListingEntry]) -> bytes:
    """The lists as .xlsx, in the import's first columns (an exported file can be imported elsewhere)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "四单一库"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for entry in entries:
        sheet.append(
            [
                _safe(entry.enterprise.uscc),
                _safe(entry.enterprise.name),
                STAGE_NAMES[Stage(entry.stage)],
                _safe(entry.note),
                LIST_NAMES[ListKind(entry.list_kind)],
                _safe(entry.enterprise.district.name),
                entry.added_at.date().isoformat(),
            ]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
