"""Parsing of an application's sections (API body or browser steps): every error at once, keyed by path.

The eligibility-relevant sections (staff, fiscal_years, ip) use the engine's own parsers, so a
rule such as "R&D staff cannot exceed total staff" is written once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from certification.eligibility import engine as eligibility
from certification.models import RDManagementItem
from core.uscc import normalize_uscc, uscc_problem

SECTIONS = (
    "facts",
    "field_code",
    "staff",
    "fiscal_years",
    "ip",
    "conversions",
    "rd_management",
    "products",
    "audit",
)
FACT_KEYS = {
    "legal_representative": 50,
    "main_products": 2000,
    "core_technology": 4000,
    "contact_name": 50,
    "contact_phone": 20,
}
MAX_ROWS = 200
_PHONE_RE = re.compile(r"^[0-9+\- ]{7,20}$")


@dataclass
class ApplicationInput:
    """Only the sections that were sent; a PATCH changes just those."""

    sections: dict[str, Any] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.sections

    def __getitem__(self, name: str) -> Any:
        return self.sections[name]


class _Errors(dict[str, list[str]]):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def merge(self, other: Mapping[str, list[str]], prefix: str = "") -> None:
        for key, messages in other.items():
            for m in messages:
                self.add(prefix + key if prefix else key, m)


def _text(value: Any, key: str, limit: int, errors: _Errors, *, required: bool = False) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(key, _("必须是文本。"))
        return None
    value = value.strip()
    if required and not value:
        errors.add(key, _("该字段是必填项。"))
        return None
    if len(value) > limit:
        errors.add(key, _("最多 %(n)s 个字符，当前 %(m)s 个。") % {"n": limit, "m": len(value)})
        return None
    return value


def _rows(value: Any, key: str, errors: _Errors) -> list | None:
    if not isinstance(value, list):
        errors.add(key, _("必须是列表。"))
        return None
    if len(value) > MAX_ROWS:
        errors.add(key, _("最多 %(n)s 项。") % {"n": MAX_ROWS})
        return None
    return value


def _year(value: Any, key: str, errors: _Errors, *, latest: int) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(key, _("年度必须是整数。"))
        return None
    if not 1949 <= value <= latest:
        errors.add(key, _("年度应在 1949 至 %(y)s 之间。") % {"y": latest})
        return None
    return value


def _money(value: Any, key: str, errors: _Errors) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.add(key, _("金额必须是数字。"))
        return None
    if amount < 0:
        errors.add(key, _("金额不能为负数。"))
        return None
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal(10) ** 15:
        errors.add(key, _("金额最多保留 2 位小数，且不超过 15 位整数。"))
        return None
    return amount


def parse_application(
    data: Any, *, field_codes: Collection[str], today: dt.date, require: Collection[str] = ()
) -> tuple[ApplicationInput, dict[str, list[str]]]:
    errors = _Errors()
    result = ApplicationInput()
    if not isinstance(data, Mapping):
        errors.add("non_field_errors", _("请求体必须是 JSON 对象。"))
        return result, dict(errors)
    for key in data:
        if key not in SECTIONS:
            errors.add(key, _("未知字段。"))
    for name in require:
        if name not in data:
            errors.add(name, _("该字段是必填项。"))

    if "facts" in data:
        facts = data["facts"]
        if not isinstance(facts, Mapping):
            errors.add("facts", _("必须是 JSON 对象。"))
        else:
            parsed: dict[str, str] = {}
            for key in facts:
                if key not in FACT_KEYS:
                    errors.add(f"facts.{key}", _("未知字段。"))
            for key, limit in FACT_KEYS.items():
                if key in facts:
                    value = _text(facts[key], f"facts.{key}", limit, errors)
                    if value is not None:
                        parsed[key] = value
            phone = parsed.get("contact_phone")
            if phone and not _PHONE_RE.match(phone):
                errors.add("facts.contact_phone", _("请输入有效的电话号码。"))
            result.sections["facts"] = parsed

    if "field_code" in data:
        code = data["field_code"]
        if code in (None, ""):
            result.sections["field_code"] = None
        elif not isinstance(code, str) or code not in field_codes:
            errors.add("field_code", _("未知的技术领域代码，请从现行《国家重点支持的高新技术领域》中选择。"))
        else:
            result.sections["field_code"] = code

    if "staff" in data:
        staff, staff_errors = eligibility.parse_staff(data["staff"])
        errors.merge(staff_errors)
        result.sections["staff"] = staff

    if "fiscal_years" in data:
        years, fy_errors = eligibility.parse_fiscal_years(data["fiscal_years"], as_of=today)
        errors.merge(fy_errors)
        result.sections["fiscal_years"] = years

    if "ip" in data:
        rows = _rows(data["ip"], "ip", errors)
        if rows is not None:
            extras: list[dict[str, str]] = []
            core: list[Any] = []
            for i, row in enumerate(rows):
                if isinstance(row, Mapping):
                    title = _text(row.get("title"), f"ip[{i}].title", 200, errors)
                    number = _text(row.get("number"), f"ip[{i}].number", 60, errors)
                    extras.append({"title": title or "", "number": number or ""})
                    core.append({k: v for k, v in row.items() if k not in ("title", "number")})
                else:
                    extras.append({"title": "", "number": ""})
                    core.append(row)
            items, ip_errors = eligibility.parse_ip(core)
            errors.merge(ip_errors)
            for i, item in enumerate(items or []):
                if item.acquired_on > today:
                    errors.add(f"ip[{i}].acquired_on", _("取得日期不能晚于今天。"))
            result.sections["ip"] = list(zip(items, extras, strict=True)) if items is not None else None

    if "conversions" in data:
        rows = _rows(data["conversions"], "conversions", errors)
        parsed_rows = []
        for i, row in enumerate(rows or []):
            if not isinstance(row, Mapping):
                errors.add(f"conversions[{i}]", _("必须是 JSON 对象。"))
                continue
            year = _year(row.get("year"), f"conversions[{i}].year", errors, latest=today.year)
            title = _text(row.get("title"), f"conversions[{i}].title", 200, errors, required=True)
            if year is not None and title:
                parsed_rows.append({"year": year, "title": title})
        result.sections["conversions"] = parsed_rows

    if "rd_management" in data:
        items = data["rd_management"]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            errors.add("rd_management", _("必须是研发组织管理项目代码的列表。"))
        else:
            unknown = [i for i in items if i not in RDManagementItem.values]
            if unknown:
                errors.add("rd_management", _("未知的项目：%(items)s。") % {"items": "、".join(unknown[:5])})
            elif len(set(items)) != len(items):
                errors.add("rd_management", _("项目重复。"))
            else:
                result.sections["rd_management"] = [i for i in RDManagementItem.values if i in items]

    if "products" in data:
        rows = _rows(data["products"], "products", errors)
        parsed_rows = []
        for i, row in enumerate(rows or []):
            if not isinstance(row, Mapping):
                errors.add(f"products[{i}]", _("必须是 JSON 对象。"))
                continue
            name = _text(row.get("name"), f"products[{i}].name", 200, errors, required=True)
            tech = _text(row.get("technology"), f"products[{i}].technology", 300, errors)
            revenue = _money(row.get("revenue"), f"products[{i}].revenue", errors)
            if name and revenue is not None:
                parsed_rows.append({"name": name, "technology": tech or "", "revenue": revenue})
        result.sections["products"] = parsed_rows

    if "audit" in data:
        audit = data["audit"]
        if not isinstance(audit, Mapping):
            errors.add("audit", _("必须是 JSON 对象。"))
        else:
            parsed_audit: dict[str, Any] = {}
            for key in audit:
                if key not in ("firm", "firm_uscc", "report_number", "report_date"):
                    errors.add(f"audit.{key}", _("未知字段。"))
            parsed_audit["firm"] = _text(audit.get("firm"), "audit.firm", 200, errors) or ""
            parsed_audit["report_number"] = (
                _text(audit.get("report_number"), "audit.report_number", 100, errors) or ""
            )
            firm_uscc = normalize_uscc(_text(audit.get("firm_uscc"), "audit.firm_uscc", 18, errors) or "")
            if firm_uscc:
                problem = uscc_problem(firm_uscc)
                if problem:
                    errors.add("audit.firm_uscc", problem)
            parsed_audit["firm_uscc"] = firm_uscc
            raw_date = audit.get("report_date")
            parsed_audit["report_date"] = None
            if raw_date not in (None, ""):
                try:
                    day = dt.date.fromisoformat(str(raw_date))
                except ValueError:
                    errors.add("audit.report_date", _("日期格式应为 YYYY-MM-DD。"))
                else:
                    if day > today:
                        errors.add("audit.report_date", _("审计报告日期不能晚于今天。"))
                    parsed_audit["report_date"] = day
            result.sections["audit"] = parsed_audit

    return result, dict(errors)


PREFILLED_SECTIONS = ("field_code", "staff", "fiscal_years", "ip")


def sections_from_self_assessment(
    payload: Mapping[str, Any], *, field_codes: Collection[str], today: dt.date
) -> ApplicationInput:
    """The sections of a new application that the enterprise's saved self-assessment (its pool entry's
    body, docs/api.md's eligibility body) already answers: field, staff, fiscal years and IP.

    Each section is parsed as the form's input is; a section that no longer passes (a field code of a
    catalogue no longer in force, a year now out of range) is left out rather than refusing the draft.
    """
    result = ApplicationInput()
    if not isinstance(payload, Mapping):
        return result
    for name in PREFILLED_SECTIONS:
        if name not in payload or payload[name] in (None, "", [], {}):
            continue
        parsed, errors = parse_application({name: payload[name]}, field_codes=field_codes, today=today)
        if not errors and parsed.sections.get(name) is not None:
            result.sections[name] = parsed.sections[name]
    return result
