"""The half-yearly assessment report (半年考核, 四、加强监督考核（二）) as a PDF and as an .xlsx: the numbers come
from ``listings.selectors.assessment``; the PDF is rendered by core.pdf with
``templates/pdf/listing_assessment.html``, the workbook by openpyxl like ``cadres/excel.py``."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from core.pdf import render_pdf
from listings.models import Stage
from listings.selectors import PROGRESS_STAGES, Assessment

TEMPLATE = "pdf/listing_assessment.html"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def half_label(half: int) -> str:
    return _("上半年") if half == 1 else _("下半年")


def filename(report: Assessment, ext: str) -> str:
    return f"listing-assessment-{report.year}-h{report.half}.{ext}"


def report_context(report: Assessment) -> dict[str, Any]:
    return {
        "report": report,
        "half_label": half_label(report.half),
        "stages": [Stage(s).label for s in PROGRESS_STAGES],
    }


def report_pdf(report: Assessment) -> bytes:
    return render_pdf(TEMPLATE, report_context(report))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def report_xlsx(report: Assessment) -> bytes:
    """One row per district (and the city total): per stage the half's count, the cumulative count of
    the year, the year's target and the completion rate; below, the city's period progress."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.year}-H{report.half}"
    sheet.append(
        [_("%(year)s 年%(half)s四单一库考核") % {"year": report.year, "half": half_label(report.half)}]
    )
    sheet.append([_("统计期间"), f"{report.start.isoformat()} — {report.end.isoformat()}"])
    header = [_("区")]
    columns = [_("（本半年）"), _("（年度累计）"), _("（年度目标）"), _("（完成率）")]
    for stage in PROGRESS_STAGES:
        header += [str(Stage(stage).label) + column for column in columns]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B4"
    for row in report.rows:
        values: list[Any] = [row.district.name if row.district else _("全市")]
        for c in row.cells:
            values += [c.half, c.cumulative, "—" if c.target is None else c.target, _percent(c.rate)]
        sheet.append(values)
    if report.period is not None:
        sheet.append([])
        sheet.append(
            [
                _("%(start)s—%(end)s 年阶段目标（全市累计）")
                % {"start": report.period.start_year, "end": report.period.end_year}
            ]
        )
        sheet.append([_("阶段"), _("累计完成"), _("阶段目标"), _("完成率")])
        for _stage, label, done, target, share in report.period_cells():
            sheet.append([label, done, target, _percent(share)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
