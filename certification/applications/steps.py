"""The browser form's steps: which section each step edits, and how its inputs map to that section.

Inputs are named by their field path ("staff.total", "fiscal_years[0].rd_expense", "ip[2].kind"),
the same paths certification.applications.input reports errors under, so an error lands on its input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from certification.models import Application
from core.amounts import amount_input, format_amount


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    sections: tuple[str, ...]
    blank_rows: int = 0


STEPS = (
    Step("facts", _("企业基本情况"), ("facts", "field_code")),
    Step("finance", _("近三个会计年度财务数据"), ("fiscal_years",)),
    Step("staff", _("人员情况"), ("staff",)),
    Step("ip", _("知识产权"), ("ip",), blank_rows=3),
    Step("conversions", _("科技成果转化"), ("conversions",), blank_rows=3),
    Step("rd", _("研究开发组织管理"), ("rd_management",)),
    Step("products", _("高新技术产品（服务）"), ("products",), blank_rows=2),
    Step("audit", _("专项审计报告"), ("audit",)),
)
STEP_BY_SLUG = {s.slug: s for s in STEPS}

ROW_FIELDS = {
    "fiscal_years": (
        "year",
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    ),
    "ip": ("kind", "title", "number", "acquired_on", "acquisition", "licence_years"),
    "conversions": ("year", "title"),
    "products": ("name", "technology", "revenue"),
}
INT_FIELDS = {"year", "licence_years", "total", "tech_college", "rd"}
# Amounts are read as people type them ("18,000,000", "1800万", full-width digits: core.amounts) and
# shown with thousands separators.
MONEY_FIELDS = {
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_assets",
    "revenue",
}
_ROW_RE = re.compile(r"^(?P<section>\w+)\[(?P<index>\d{1,3})\]\.(?P<field>\w+)$")


def _value(name: str, raw: str) -> object:
    raw = raw.strip()
    if name in INT_FIELDS and raw.isdigit():
        return int(raw)
    if name in MONEY_FIELDS and raw:
        return amount_input(raw)
    return raw if raw != "" else None


def payload_from_post(step: Step, post: Mapping[str, str], getlist) -> tuple[dict, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The section payload of one step, plus a map from each kept row's key prefix to its input prefix.

    Rows left completely blank are dropped; the map lets errors of row 1 of the kept rows land on
    the input row they came from.
    """
    payload: dict = {}
    renames: dict[str, str] = {}
    for section in step.sections:
        if section == "facts":
            payload["facts"] = {
                k.split(".", 1)[1]: v.strip() for k, v in post.items() if k.startswith("facts.")
            }
        elif section == "field_code":
            payload["field_code"] = post.get("field_code", "").strip() or None
        elif section == "staff":
            payload["staff"] = {
                f: _value(f, post.get(f"staff.{f}", "")) for f in ("total", "tech_college", "rd")
            }
        elif section == "rd_management":
            payload["rd_management"] = list(getlist("rd_management"))
        elif section == "audit":
            payload["audit"] = {
                f: post.get(f"audit.{f}", "").strip()
                for f in ("firm", "firm_uscc", "report_number", "report_date")
            }
        else:
            rows: dict[int, dict] = {}
            for key, raw in post.items():
                m = _ROW_RE.match(key)
                if m and m["section"] == section and m["field"] in ROW_FIELDS[section]:
                    rows.setdefault(int(m["index"]), {})[m["field"]] = _value(m["field"], raw)
            kept = []
            for index in sorted(rows):
                row = rows[index]
                meaningful = {k: v for k, v in row.items() if v not in (None, "") and k != "year"}
                if section == "fiscal_years" and not meaningful:
                    continue
                if section != "fiscal_years" and not any(v not in (None, "") for v in row.values()):
                    continue
                renames[f"{section}[{len(kept)}]"] = f"{section}[{index}]"
                for f in ROW_FIELDS[section]:
                    row.setdefault(f, None)
                if (
                    section == "ip"
                    and row.get("acquisition") != "exclusive_license"
                    and row.get("licence_years") is None
                ):
                    row.pop("licence_years")
                kept.append(row)
            payload[section] = kept
    return payload, renames


def input_errors(errors: dict[str, list[str]], renames: dict[str, str]) -> dict[str, list[str]]:
    """Service error keys → input names."""
    mapped: dict[str, list[str]] = {}
    for key, messages in errors.items():
        for prefix, original in renames.items():
            if key == prefix or key.startswith(prefix + "."):
                key = original + key[len(prefix) :]
                break
        mapped.setdefault(key, []).extend(messages)
    return mapped


def initial_values(application: Application, step: Step) -> dict[str, object]:
    """The saved data as input name → value."""
    values: dict[str, object] = {}
    a = application
    if step.slug == "facts":
        for f in (
            "legal_representative",
            "main_products",
            "core_technology",
            "contact_name",
            "contact_phone",
        ):
            values[f"facts.{f}"] = getattr(a, f)
        values["field_code"] = a.field.code if a.field_id else ""
    elif step.slug == "staff":
        values.update(
            {"staff.total": a.staff_total, "staff.tech_college": a.staff_tech_college, "staff.rd": a.staff_rd}
        )
    elif step.slug == "rd":
        values["rd_management"] = list(a.rd_management)
    elif step.slug == "audit":
        values.update(
            {
                "audit.firm": a.audit_firm,
                "audit.firm_uscc": a.audit_firm_uscc,
                "audit.report_number": a.audit_report_number,
                "audit.report_date": a.audit_report_date.isoformat() if a.audit_report_date else "",
            }
        )
    else:
        section = step.sections[0]
        related = {
            "fiscal_years": a.fiscal_years,
            "ip": a.ip_items,
            "conversions": a.conversions,
            "products": a.products,
        }[section]
        rows = list(related.all())
        if section == "fiscal_years":
            by_year = {r.year: r for r in rows}
            years = sorted(set(by_year) | set(range(a.year - 3, a.year)))[-3:]
            rows = [by_year.get(y) or {"year": y} for y in years]
        for i, row in enumerate(rows):
            for f in ROW_FIELDS[section]:
                value = row.get(f) if isinstance(row, dict) else getattr(row, f)
                if f in MONEY_FIELDS and value is not None:
                    value = format_amount(value)
                values[f"{section}[{i}].{f}"] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def row_count(application: Application, step: Step, values: Mapping[str, object]) -> int:
    if step.slug == "finance":
        return 3
    section = step.sections[0]
    indices = {int(m["index"]) for k in values if (m := _ROW_RE.match(k)) and m["section"] == section}
    return (max(indices) + 1 if indices else 0) + step.blank_rows
