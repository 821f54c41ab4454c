"""The help lists as .xlsx: export, and import with a report per row (openpyxl).

Import columns: 统一社会信用代码, 帮扶名单 (百亿元级 / 五亿元级, or billion / half_billion), 重点企业
(是/否), 列入年度. A bad row is reported with its sheet row number and written not at all; good rows
are added, each in its own transaction (cadres.services.entry_add). The reader's safeguards (size,
.xls, damaged files, formula text) follow experts/importing.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from cadres import services
from cadres.models import HelpList, HelpListEntry
from certification.models import Enterprise
from core import xlsx
from core.errors import ApplicationStateError, InvalidInput
from core.xlsx import cell_text as _text

MAX_ROWS = 2000
HEADERS = ("统一社会信用代码", "企业名称", "帮扶名单", "重点企业", "列入年度", "所在区", "帮扶干部")
LIST_WORDS = {
    "百亿元级": HelpList.BILLION,
    "billion": HelpList.BILLION,
    "五亿元级": HelpList.HALF_BILLION,
    "half_billion": HelpList.HALF_BILLION,
}
YES = {"是", "yes", "y", "1", "true"}
NO = {"否", "no", "n", "0", "false", ""}


@dataclass
class RowReport:
    row: int
    uscc: str
    ok: bool
    problems: list[str] = field(default_factory=list)


def read_rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """Non-empty rows after the header, with their sheet row numbers."""
    return xlsx.read_rows(data, max_rows=MAX_ROWS)


def import_entries(*, by: User, data: bytes) -> list[RowReport]:
    """Add the sheet's enterprises to the lists; one report per row, bad rows write nothing."""
    reports: list[RowReport] = []
    seen: set[str] = set()
    for number, values in read_rows(data):
        cells = [_text(v) for v in (*values, *([None] * len(HEADERS)))[: len(HEADERS)]]
        uscc, _name, list_word, key_word, year_text = (
            cells[0].upper(),
            cells[1],
            cells[2],
            cells[3].lower(),
            cells[4],
        )
        report = RowReport(row=number, uscc=uscc, ok=False)
        enterprise = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
        if enterprise is None:
            report.problems.append(_("统一社会信用代码“%(uscc)s”不是本平台注册的企业。") % {"uscc": uscc})
        elif uscc in seen:
            report.problems.append(_("该企业在本文件中重复出现。"))
        help_list = LIST_WORDS.get(list_word.lower()) or LIST_WORDS.get(list_word)
        if help_list is None:
            report.problems.append(_("帮扶名单应为“百亿元级”或“五亿元级”。"))
        if key_word not in YES | NO:
            report.problems.append(_("重点企业应填“是”或“否”。"))
        year = int(year_text) if year_text.isascii() and year_text.isdigit() else None
        if year is None:
            report.problems.append(_("列入年度应为四位年份。"))
        if not report.problems:
            assert enterprise is not None and help_list is not None and year is not None
            try:
                services.entry_add(
                    by=by, enterprise=enterprise, help_list=help_list, is_key=key_word in YES, year_added=year
                )
                report.ok = True
            except InvalidInput as exc:
                report.problems.extend(p for problems in exc.errors.values() for p in problems)
            except ApplicationStateError as exc:
                report.problems.append(exc.message)
        seen.add(uscc)
        reports.append(report)
    return reports


def _safe(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_entries(entries: QuerySet[HelpListEntry] | Iterable[HelpListEntry]) -> bytes:
    """The list as .xlsx, in the import's first columns (a file exported can be imported elsewhere)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "帮扶名单"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    words = {HelpList.BILLION: "百亿元级", HelpList.HALF_BILLION: "五亿元级"}
    for entry in entries:
        cadres = "、".join(a.cadre.display_name for a in entry.assignments.all())
        sheet.append(
            [
                _safe(entry.enterprise.uscc),
                _safe(entry.enterprise.name),
                words[HelpList(entry.help_list)],
                "是" if entry.is_key else "否",
                entry.year_added,
                _safe(entry.enterprise.district.name),
                _safe(cadres),
            ]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


RANKING_HEADERS = ("名次", "并列人数", "帮扶干部", "干部级别", "所在单位", "帮扶企业", "所在区", "总分")


def export_ranking(indicators: list[Any], assessments: Iterable[Any]) -> bytes:
    """The ranking for commendation (考核意见 四): rank, tie size, cadre, enterprise, total, each
    indicator's score (the sheet's columns), as .xlsx."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "考核排名"
    sheet.append([*RANKING_HEADERS, *(f"{i.name}（{i.max_score}）" for i in indicators)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for a in assessments:
        profile = getattr(a.cadre, "cadre_profile", None)
        scores = {s.indicator_id: s.score for s in a.scores.all()}
        sheet.append(
            [
                a.rank,
                a.tied,
                _safe(a.cadre.display_name),
                profile.get_level_display() if profile else "",
                _safe(profile.unit) if profile else "",
                _safe(a.entry.enterprise.name),
                _safe(a.entry.enterprise.district.name),
                float(a.total),
                *(float(scores[i.pk]) if scores.get(i.pk) is not None else None for i in indicators),
            ]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
