"""Import and export of the expert pool as an .xlsx sheet (openpyxl).

`parse_sheet` is pure: it reads the bytes and checks every row with the same rules as the forms and
the API (`experts.services.pool.clean_expert_data`), without touching the database. `import_experts`
then applies the good rows in one transaction (a savepoint per row, so a row refused by the database
does not undo the others) and reports each row as created, updated, unchanged or refused.
`export_experts` writes the same columns, so an exported sheet re-imports unchanged.

The column headers are a file format, not page text: they stay Chinese in every language (English
aliases are accepted on import), so a sheet exported in one language imports in the other.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core import xlsx
from core.errors import InvalidInput
from core.xlsx import SheetError
from experts.models import Expert, ExpertKind
from experts.services.pool import (
    DEFAULT_YEARLY_CAP,
    ExpertData,
    clean_expert_data,
    expert_as_data,
    expert_create,
    expert_update,
    with_expert_details,
)

MAX_ROWS = 5000
MAX_BYTES = xlsx.MAX_BYTES
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False
    width: int = 16


COLUMNS: tuple[Column, ...] = (
    Column("username", "用户名", ("username", "login", "账号", "登录名"), width=14),
    Column("name", "姓名", ("name", "full name"), required=True, width=10),
    Column("kind", "类别", ("kind", "type", "category", "专家类别"), required=True, width=8),
    Column("title", "高级职称", ("title", "senior title", "职称"), required=True, width=14),
    Column("fields", "专业领域", ("fields", "field codes", "field", "专业领域代码"), required=True, width=18),
    Column("employer", "工作单位", ("employer", "organisation", "organization"), required=True, width=28),
    Column(
        "employer_uscc",
        "工作单位统一社会信用代码",
        ("employer uscc", "employer usci", "工作单位信用代码"),
        required=True,
        width=22,
    ),
    Column(
        "relations",
        "回避企业统一社会信用代码",
        ("relations", "related enterprises", "relation usccs", "conflict usccs", "回避企业"),
        width=40,
    ),
    Column("yearly_cap", "年度评审上限", ("yearly cap", "load cap", "cap"), width=12),
    Column("active", "在库", ("active", "in pool"), width=6),
    Column("email", "电子邮箱", ("email", "e-mail", "mail", "邮箱"), width=24),
    Column("phone", "手机", ("phone", "mobile", "手机号码", "电话"), width=14),
)
HEADER_OF = {c.key: c.header for c in COLUMNS}

KIND_WORDS = {
    "技术": ExpertKind.TECHNICAL,
    "技术专家": ExpertKind.TECHNICAL,
    "technical": ExpertKind.TECHNICAL,
    "tech": ExpertKind.TECHNICAL,
    "财务": ExpertKind.FINANCIAL,
    "财务专家": ExpertKind.FINANCIAL,
    "financial": ExpertKind.FINANCIAL,
    "finance": ExpertKind.FINANCIAL,
}
KIND_LABEL = {ExpertKind.TECHNICAL: "技术", ExpertKind.FINANCIAL: "财务"}
YES = {"是", "在库", "y", "yes", "true", "1"}
NO = {"否", "停用", "不在库", "n", "no", "false", "0"}
_LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class RowResult:
    row: int  # the sheet's row number (the header is row 1)
    ok: bool
    errors: list[str]
    data: ExpertData
    name: str = ""


@dataclass
class ReportRow:
    row: int
    name: str
    result: str  # created | updated | unchanged | refused
    reasons: list[str] = field(default_factory=list)
    username: str = ""

    @property
    def result_label(self) -> str:
        return {
            "created": _("新增"),
            "updated": _("已更新"),
            "unchanged": _("无变化"),
            "refused": _("未导入"),
        }[self.result]


@dataclass
class ImportReport:
    rows: list[ReportRow]

    def count(self, result: str) -> int:
        return sum(1 for r in self.rows if r.result == result)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in ("created", "updated", "unchanged", "refused")}


# --- Parsing ----------------------------------------------------------------------------------------


def _header_key(text: Any) -> str:
    """Compare headers loosely: case, spaces, underscores, hyphens, a '*' and a trailing （…） are ignored."""
    value = re.sub(r"[（(].*?[）)]\s*$", "", str(text or "").strip())
    return re.sub(r"[\s_\-*＊]+", "", value.lower())


_HEADER_LOOKUP = {
    _header_key(name): column.key
    for column in COLUMNS
    for name in (column.header, column.key, *column.aliases)
}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(value: Any) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(_cell_text(value).upper()) if part]


def parse_sheet(workbook_bytes: bytes, *, field_codes: Iterable[str]) -> list[RowResult]:
    """Every data row with its problems (in Chinese) and its cleaned data. Raises `SheetError`.

    Only the columns present in the sheet are in a row's `data`, so an import of a sheet without,
    say, the 年度评审上限 column leaves the existing experts' caps alone.
    """
    codes = frozenset(field_codes)
    raw_rows = _read_rows(workbook_bytes)
    if not raw_rows:
        raise SheetError(_("表格是空的：第 1 行应为表头（姓名、类别、高级职称……），其后每行一位专家。"))
    header_row_number, header = raw_rows[0]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _HEADER_LOOKUP.get(_header_key(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise SheetError(
            _("第 %(row)s 行表头缺少以下列：%(cols)s。请使用导出的表格作为模板。")
            % {"row": header_row_number, "cols": "、".join(missing)}
        )

    results: list[RowResult] = []
    seen_username: dict[str, int] = {}
    seen_person: dict[tuple[str, str], int] = {}
    for number, values in raw_rows[1:]:

        def cell(key: str, values: tuple[Any, ...] = values) -> Any:
            index = positions.get(key)
            return values[index] if index is not None and index < len(values) else None

        raw: dict[str, Any] = {key: _cell_text(cell(key)) for key in positions}
        errors: list[str] = []
        kind_text = raw.get("kind", "")
        raw["kind"] = KIND_WORDS.get(kind_text.lower(), kind_text)
        if "fields" in positions:
            raw["fields"] = _split(cell("fields"))
        if "relations" in positions:
            raw["relations"] = _split(cell("relations"))
        if "yearly_cap" in positions:
            raw["yearly_cap"] = cell("yearly_cap") if raw["yearly_cap"] != "" else DEFAULT_YEARLY_CAP
        if "active" in positions:
            word = raw["active"].lower()
            raw["active"] = True if word in YES or word == "" else False if word in NO else word

        clean, problems = clean_expert_data(raw, field_codes=codes)
        for key, messages in problems.items():
            label = HEADER_OF.get(key, key)
            for message in messages:
                if key == "kind":
                    message = _("类别“%(value)s”无法识别，应为“技术”或“财务”。") % {"value": kind_text}
                errors.append(message if label in message else f"{label}：{message}")

        username = clean.get("username", "").lower()
        person = (clean.get("name", ""), clean.get("employer_uscc", ""))
        earlier = seen_username.get(username) if username else None
        if earlier is None and all(person):
            earlier = seen_person.get(person)
        if earlier is not None:
            errors.append(
                _("与第 %(row)s 行重复（同一用户名，或同一姓名与工作单位信用代码）。") % {"row": earlier}
            )
        else:
            if username:
                seen_username[username] = number
            if all(person):
                seen_person.setdefault(person, number)

        data: ExpertData = {k: v for k, v in clean.items() if k in positions}  # type: ignore[assignment]
        results.append(
            RowResult(row=number, ok=not errors, errors=errors, data=data, name=raw.get("name", ""))
        )
    return results


def _read_rows(workbook_bytes: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """Non-empty rows with their sheet row numbers, the header's included (blank rows are skipped, the
    numbering kept)."""
    return xlsx.read_rows(
        workbook_bytes,
        max_rows=MAX_ROWS,
        with_header=True,
        too_many=_("一次最多导入 %(max)s 行专家数据，请分批导入。"),
    )


# --- Applying ---------------------------------------------------------------------------------------


def _messages(exc: InvalidInput) -> list[str]:
    out: list[str] = []
    for key, messages in exc.errors.items():
        label = HEADER_OF.get(key, "")
        for message in messages:
            out.append(message if not label or label in message else f"{label}：{message}")
    return out


def _apply_row(*, by: User, data: ExpertData) -> tuple[str, Expert]:
    """Create or update one expert: by username when the row has one, else by 姓名 + 工作单位信用代码."""
    username = data.get("username", "")
    update = {k: v for k, v in data.items() if k != "username"}
    if username:
        user = User.objects.filter(username__iexact=username).first()
        if user is not None:
            expert = Expert.objects.filter(user=user).first()
            if expert is None:
                raise InvalidInput({"username": [_("用户名“%(u)s”已被非专家账户使用。") % {"u": username}]})
            expert, changed = expert_update(expert=expert, by=by, data=update, replace_relations=False)
            return ("updated" if changed else "unchanged"), expert
        expert = expert_create(by=by, data=data)
        return "created", expert
    existing = Expert.objects.filter(name=data.get("name"), employer_uscc=data.get("employer_uscc")).first()
    if existing is not None:
        expert, changed = expert_update(expert=existing, by=by, data=update, replace_relations=False)
        return ("updated" if changed else "unchanged"), expert
    return "created", expert_create(by=by, data=data)


def import_experts(*, by: User, rows: list[RowResult]) -> ImportReport:
    """Apply the good rows in one transaction; refused rows (and their reasons) are only reported.

    Relations in the sheet are added, never removed: dropping a declared 回避 needs a deliberate edit.
    """
    report: list[ReportRow] = []
    with transaction.atomic():
        for row in rows:
            if not row.ok:
                report.append(ReportRow(row=row.row, name=row.name, result="refused", reasons=row.errors))
                continue
            try:
                with transaction.atomic():  # a savepoint per row
                    result, expert = _apply_row(by=by, data=row.data)
            except InvalidInput as exc:
                report.append(ReportRow(row=row.row, name=row.name, result="refused", reasons=_messages(exc)))
            else:
                report.append(
                    ReportRow(row=row.row, name=expert.name, result=result, username=expert.user.username)
                )
    return ImportReport(rows=report)


# --- Export -----------------------------------------------------------------------------------------


def export_row(data: ExpertData) -> list[Any]:
    values = {
        **data,
        "kind": KIND_LABEL.get(data["kind"], data["kind"]),  # type: ignore[call-overload]
        "fields": ",".join(data["fields"]),
        "relations": ",".join(data["relations"]),
        "active": "是" if data["active"] else "否",
    }
    return [values.get(c.key, "") for c in COLUMNS]


def export_experts(queryset: QuerySet[Expert]) -> bytes:
    """An .xlsx of the experts, in the import's columns, plus a sheet that explains them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "专家库"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    text_columns = {i for i, c in enumerate(COLUMNS) if c.key != "yearly_cap"}
    for expert in with_expert_details(queryset).order_by("name", "id"):
        sheet.append(export_row(expert_as_data(expert)))
        for index in text_columns:
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            # Text, so Excel never turns a numeric-looking code into a number and loses digits …
            cell.number_format = "@"
            # … and never runs a value that starts with "=" as a formula (spreadsheet injection).
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 90
    for column, note in zip(COLUMNS, _column_notes(), strict=True):
        notes.append([column.header + ("（必填）" if column.required else ""), note])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_notes() -> list[str]:
    return [
        _(
            "可选。填写则按用户名更新已有专家或以此用户名新建账户；不填则按“姓名 + 工作单位统一社会信用代码”匹配。"
        ),
        _("专家姓名。"),
        _("“技术”或“财务”（也接受 technical / financial）。"),
        _("高级职称，如“教授”“高级会计师”。"),
        _(
            "现行技术领域目录的代码，多个用逗号或顿号分隔；技术专家必填（填一级领域即覆盖其全部子领域），财务专家不填。"
        ),
        _("工作单位全称。"),
        _("18 位统一社会信用代码，校验位会被核对（用于回避本单位的申请）。"),
        _("可选。需回避的企业的统一社会信用代码，多个用逗号分隔；导入只增加，不删除已申报的回避关系。"),
        _("每年最多参加评审的次数，1–200，默认 20。"),
        _("“是”或“否”，默认“是”。停用的专家不参加抽取。"),
        _("可选。专家用它通过“忘记密码”设置登录密码。"),
        _("可选。"),
    ]
