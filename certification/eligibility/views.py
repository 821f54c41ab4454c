"""The public self-check page (``/self-check/``, no login): the eligibility check as an HTML form.

It works without JavaScript — a POST to the same URL renders the result and keeps what was entered —
and ``static/js/self-check.js`` upgrades it to a live result beside the form, calling
``POST /api/v1/eligibility/check/``. Both paths judge through
:func:`certification.eligibility.rules.evaluate_payload`, so no rule is written twice.

Inputs are named by their field path in docs/api.md's body (``staff.total``,
``fiscal_years[1].rd_expense``, ``ip[0].kind``): the engine's error keys ARE input names. Rows left
completely blank are dropped and the kept rows renumbered before checking (:func:`payload_from_form`);
the re-rendered page names the kept rows by their new index (free rows come after), so every error
lands on the input it is about. The script builds the same body by the same rules and maps indices
back to the rows on screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from certification.applications.selectors import fields_in_force
from certification.eligibility.engine import (
    ACQUISITION_LABELS,
    CONDITION_CODES,
    CONDITION_LABELS,
    IP_KIND_LABELS,
    MAX_FISCAL_YEARS,
    translate_label,
)
from certification.eligibility.rules import default_rule_set_code, evaluate_payload, rule_set_names
from core.amounts import amount_input, format_amount

__all__ = ["facts_form", "form_values_from_payload", "payload_from_form", "self_check", "verdict"]

STAFF_KEYS = ("total", "tech_college", "rd")
MONEY_KEYS = (
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_assets",
)
FY_KEYS = ("year", *MONEY_KEYS)
IP_KEYS = ("kind", "acquired_on", "acquisition", "licence_years")
MIN_IP_ROWS = 3
FACTS_IP_ROWS = 8  # rows offered where no "增加一行" round trip is possible (a form with a file)
MAX_IP_ROWS = 50  # a page, not a bulk import: the API takes up to 1000 items
_ROW_RE = re.compile(r"^(?P<section>fiscal_years|ip)\[(?P<index>\d{1,3})\]\.(?P<key>\w+)$")
_INT_RE = re.compile(r"^-?\d{1,12}$")

STAFF_LABELS = {
    "total": gettext_lazy("职工总数"),
    "tech_college": gettext_lazy("大专以上学历科技人员"),
    "rd": gettext_lazy("研发人员"),
}
FY_LABELS = {
    "year": gettext_lazy("会计年度"),
    "sales_revenue": gettext_lazy("销售收入（元）"),
    "total_revenue": gettext_lazy("总收入（元）"),
    "hightech_revenue": gettext_lazy("高新技术产品（服务）收入（元）"),
    "rd_expense": gettext_lazy("研究开发费用（元）"),
    "rd_expense_domestic": gettext_lazy("其中境内研究开发费用（元）"),
    "total_assets": gettext_lazy("总资产（元）"),
}
IP_LABELS = {
    "kind": gettext_lazy("类型"),
    "acquired_on": gettext_lazy("取得日期"),
    "acquisition": gettext_lazy("取得方式"),
    "licence_years": gettext_lazy("独占许可年限"),
}


# --------------------------------------------------------------------------------------------------
# Form data ⇄ request body
# --------------------------------------------------------------------------------------------------


def _text(post: Mapping[str, Any], name: str) -> str:
    value = post.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _int_or_text(raw: str) -> int | str:
    """Whole numbers become ints; anything else goes through so the engine names the problem."""
    return int(raw) if _INT_RE.match(raw) else raw


def _money(raw: str) -> str:
    return amount_input(raw)


def _rows(post: Mapping[str, Any], section: str, keys: Iterable[str], limit: int) -> list[dict[str, str]]:
    """The rows of ``section`` in index order, non-blank ones only, as stripped strings."""
    found: dict[int, dict[str, str]] = {}
    allowed = frozenset(keys)
    for name in post:
        m = _ROW_RE.match(name)
        if m is None or m["section"] != section or m["key"] not in allowed:
            continue
        index = int(m["index"])
        if index < limit:
            found.setdefault(index, {})[m["key"]] = _text(post, name)
    return [found[i] for i in sorted(found)]


def payload_from_form(post: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The API body for the self-check form's POST data, and the values to show again.

    Returns ``(payload, values)``. ``values`` mirrors the body with the entered text (``staff``: a
    dict, ``fiscal_years`` / ``ip``: lists of dicts, ``registered_in_tianjin``: a bool); its rows are
    the kept rows in the same order as the body's, so an error key such as
    ``fiscal_years[1].rd_expense`` names row 1 of ``values["fiscal_years"]`` too.

    Rules (``static/js/self-check.js`` applies the same ones): a fiscal year whose six amounts are all
    blank is dropped (its pre-filled year alone does not count), an IP row with every input blank is
    dropped; blank optional inputs are left out of the body; whole numbers are sent as numbers,
    amounts as decimal strings without thousands separators.
    """
    values: dict[str, Any] = {
        "rule_set": _text(post, "rule_set"),
        "as_of": _text(post, "as_of"),
        "registered_on": _text(post, "registered_on"),
        "registered_in_tianjin": bool(post.get("registered_in_tianjin")),
        "field_code": _text(post, "field_code"),
        "staff": {key: _text(post, f"staff.{key}") for key in STAFF_KEYS},
        "fiscal_years": [],
        "ip": [],
        "composite_score": _text(post, "composite_score"),
    }
    payload: dict[str, Any] = {"registered_in_tianjin": values["registered_in_tianjin"]}
    for key in ("rule_set", "as_of", "registered_on", "field_code"):
        if values[key]:
            payload[key] = values[key]
    if values["composite_score"]:
        payload["composite_score"] = values["composite_score"]

    staff: dict[str, Any] = {}
    for key, raw in values["staff"].items():
        if raw:
            staff[key] = _int_or_text(raw)
    payload["staff"] = staff

    years: list[dict[str, Any]] = []
    for row in _rows(post, "fiscal_years", FY_KEYS, MAX_FISCAL_YEARS):
        if not any(row.get(key) for key in MONEY_KEYS):
            continue
        shown = {key: row.get(key, "") for key in FY_KEYS}
        values["fiscal_years"].append(shown)
        item: dict[str, Any] = {}
        if shown["year"]:
            item["year"] = _int_or_text(shown["year"])
        for key in MONEY_KEYS:
            if shown[key]:
                item[key] = _money(shown[key])
        years.append(item)
    payload["fiscal_years"] = years

    ip: list[dict[str, Any]] = []
    for row in _rows(post, "ip", IP_KEYS, MAX_IP_ROWS):
        if not any(row.values()):
            continue
        shown = {key: row.get(key, "") for key in IP_KEYS}
        values["ip"].append(shown)
        item = {key: shown[key] for key in ("kind", "acquired_on", "acquisition") if shown[key]}
        if shown["licence_years"]:
            item["licence_years"] = _int_or_text(shown["licence_years"])
        ip.append(item)
    payload["ip"] = ip
    return payload, values


def form_values_from_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as :func:`payload_from_form` gives them, for a saved body (e.g. a pool entry)."""

    def s(value: Any) -> str:
        return "" if value is None else str(value)

    staff = payload.get("staff") if isinstance(payload.get("staff"), Mapping) else {}
    years = [fy for fy in payload.get("fiscal_years") or [] if isinstance(fy, Mapping)]
    items = [it for it in payload.get("ip") or [] if isinstance(it, Mapping)]
    return {
        "rule_set": s(payload.get("rule_set")),
        "as_of": s(payload.get("as_of")),
        "registered_on": s(payload.get("registered_on")),
        "registered_in_tianjin": payload.get("registered_in_tianjin") is True,
        "field_code": s(payload.get("field_code")),
        "staff": {key: s(staff.get(key)) for key in STAFF_KEYS},  # type: ignore[union-attr]
        "fiscal_years": [
            {key: format_amount(s(fy.get(key))) if key in MONEY_KEYS else s(fy.get(key)) for key in FY_KEYS}
            for fy in years
        ],
        "ip": [{key: s(it.get(key)) for key in IP_KEYS} for it in items],
        "composite_score": s(payload.get("composite_score")),
    }


def initial_values() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "rule_set": default_rule_set_code(),
        "as_of": today.isoformat(),
        "registered_on": "",
        "registered_in_tianjin": True,
        "field_code": "",
        "staff": dict.fromkeys(STAFF_KEYS, ""),
        "fiscal_years": [],
        "ip": [],
        "composite_score": "",
    }


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


@dataclass
class Input:
    """One input with its label, value and errors; ``name`` is its field path (= error key)."""

    name: str
    label: str | Promise
    widget: forms.Widget
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    required: bool = False
    help_text: str | Promise = ""

    @property
    def id(self) -> str:
        return "sc-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def errors_id(self) -> str:
        return self.id + "-errors"

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.widget, forms.CheckboxInput)

    def html(self) -> SafeString:
        attrs: dict[str, Any] = {"id": self.id, "aria-describedby": self.errors_id}
        if self.required:
            attrs["aria-required"] = "true"
        if self.errors:
            attrs["aria-invalid"] = "true"
        return self.widget.render(self.name, self.value or None, attrs=attrs)


def _text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


def _money_input() -> forms.TextInput:
    return _text_input(inputmode="decimal", placeholder="0.00", **{"class": "num"})


def _int_input(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": "0", "step": "1", "inputmode": "numeric", **attrs})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _select(choices: list[Any]) -> forms.Select:
    return forms.Select(choices=choices)


def _field_choices() -> list[Any]:
    """The catalogue in force as ``<optgroup>``s of second-level fields under each top-level field."""
    tops: list[Any] = []
    children: dict[int, list[tuple[str, str]]] = {}
    for f in fields_in_force():
        if f.parent_id is None:
            tops.append(f)
        else:
            children.setdefault(f.parent_id, []).append((f.code, f"{f.code} {f.label}"))
    choices: list[Any] = [("", _("（未选择：该项暂不判断）"))]
    for top in tops:
        # A top-level field without sub-fields (the 2008 catalogue) is itself the choice.
        options = children.get(top.pk) or [(top.code, f"{top.code} {top.label}")]
        choices.append((f"{top.code} {top.label}", options))
    return choices


def _errors(errors: Mapping[str, list[str]], name: str) -> list[str]:
    return list(errors.get(name, []))


def _build_form(values: Mapping[str, Any], errors: Mapping[str, list[str]], ip_rows: int) -> dict[str, Any]:
    rule_sets = rule_set_names()
    basics = [
        Input(
            "rule_set",
            gettext_lazy("认定规则集"),
            _select([(code, translate_label(name)) for code, name in rule_sets.items()]),
            values["rule_set"],
            _errors(errors, "rule_set"),
            help_text=gettext_lazy("市级认定按 tianjin-2015；也可按国家级条件（national-2016）预审。"),
        ),
        Input(
            "as_of",
            gettext_lazy("评估日期"),
            _date_input(),
            values["as_of"],
            _errors(errors, "as_of"),
            help_text=gettext_lazy("一般为拟申请日期，默认今天。"),
        ),
        Input(
            "registered_on",
            gettext_lazy("企业注册日期"),
            _date_input(),
            values["registered_on"],
            _errors(errors, "registered_on"),
            required=True,
        ),
        Input(
            "registered_in_tianjin",
            gettext_lazy("在天津市注册的居民企业"),
            forms.CheckboxInput(),
            values["registered_in_tianjin"],
            _errors(errors, "registered_in_tianjin"),
        ),
        Input(
            "field_code",
            gettext_lazy("技术领域"),
            _select(_field_choices()),
            values["field_code"],
            _errors(errors, "field_code"),
            help_text=gettext_lazy("《国家重点支持的高新技术领域》（现行目录）"),
        ),
    ]
    staff = [
        Input(
            f"staff.{key}",
            STAFF_LABELS[key],
            _int_input(),
            values["staff"].get(key, ""),
            _errors(errors, f"staff.{key}"),
            required=True,
        )
        for key in STAFF_KEYS
    ]

    # The kept years keep the indices of the body (so an error key names its input); the free slots
    # get the next indices and the most recent calendar years not yet entered. Rows are SHOWN in
    # year order whatever their index: the body's order does not matter to the engine.
    this_year = timezone.localdate().year
    slots = list(enumerate(values["fiscal_years"]))
    used = {row.get("year") for _i, row in slots}
    spare = [str(y) for y in range(this_year - MAX_FISCAL_YEARS, this_year) if str(y) not in used]
    while len(slots) < MAX_FISCAL_YEARS:
        row = dict.fromkeys(FY_KEYS, "")
        row["year"] = spare.pop(0) if spare else ""
        slots.append((len(slots), row))
    slots.sort(key=lambda slot: int(slot[1]["year"]) if slot[1]["year"].isdigit() else 10_000)
    fiscal_years = []
    for number, (i, row) in enumerate(slots, start=1):
        prefix = f"fiscal_years[{i}]"
        fiscal_years.append(
            {
                "number": number,
                "index": i,
                "errors": _errors(errors, prefix),
                "inputs": [
                    Input(
                        f"{prefix}.{key}",
                        FY_LABELS[key],
                        _int_input(min="1949", max=str(this_year)) if key == "year" else _money_input(),
                        row.get(key, ""),
                        _errors(errors, f"{prefix}.{key}"),
                    )
                    for key in FY_KEYS
                ],
            }
        )

    kinds = [("", _("—请选择—")), *((k, translate_label(v)) for k, v in IP_KIND_LABELS.items())]
    acquisitions = [("", _("—请选择—")), *((k, translate_label(v)) for k, v in ACQUISITION_LABELS.items())]
    ip_values = list(values["ip"])
    while len(ip_values) < max(ip_rows, MIN_IP_ROWS):
        ip_values.append(dict.fromkeys(IP_KEYS, ""))
    ip = []
    for i, row in enumerate(ip_values[:MAX_IP_ROWS]):
        prefix = f"ip[{i}]"
        widgets = {
            "kind": _select(kinds),
            "acquired_on": _date_input(),
            "acquisition": _select(acquisitions),
            "licence_years": _int_input(min="1", max="100"),
        }
        ip.append(
            {
                "number": i + 1,
                "errors": _errors(errors, prefix),
                "inputs": [
                    Input(
                        f"{prefix}.{key}",
                        IP_LABELS[key],
                        widgets[key],
                        row.get(key, ""),
                        _errors(errors, f"{prefix}.{key}"),
                    )
                    for key in IP_KEYS
                ],
            }
        )
    score = Input(
        "composite_score",
        gettext_lazy("综合评分估算（可选）"),
        _text_input(inputmode="decimal", placeholder="0–100"),
        values["composite_score"],
        _errors(errors, "composite_score"),
        help_text=gettext_lazy("认定时由专家评分；此处可填写自评估算分，不填则该项暂不判断。"),
    )

    # Keys that no input shows (the body as a whole, a list as a whole) are listed above the form.
    shown = {"fiscal_years", "ip"}
    for group in (basics, staff, [score]):
        shown.update(i.name for i in group)
    for rows in (fiscal_years, ip):
        for r in rows:
            shown.update(i.name for i in r["inputs"])
            shown.update(f"{i.name.split('.')[0]}" for i in r["inputs"])
    other = [m for key, messages in errors.items() if key not in shown for m in messages]
    return {
        "basics": basics,
        "staff": staff,
        "fiscal_years": fiscal_years,
        "fiscal_years_errors": _errors(errors, "fiscal_years"),
        "ip": ip,
        "ip_errors": _errors(errors, "ip"),
        "score": score,
        "other_errors": other,
        "error_count": sum(len(m) for m in errors.values()),
    }


def verdict(answer: Mapping[str, Any]) -> dict[str, Any]:
    conditions = answer["conditions"]
    failed = sum(1 for c in conditions if c["passed"] is False)
    undecided = sum(1 for c in conditions if c["passed"] is None)
    if answer["eligible"] is True:
        text, state = _("满足全部认定条件。"), "pass"
    elif answer["eligible"] is False:
        text, state = _("不满足认定条件：%(n)d 项未满足。") % {"n": failed}, "fail"
    else:
        text, state = _("未发现不满足的条件，但有 %(n)d 项暂无法判断。") % {"n": undecided}, "null"
    rows = [{**c, "label": translate_label(CONDITION_LABELS.get(c["code"], c["code"]))} for c in conditions]
    return {"text": text, "state": state, "rows": rows, "rule_set": answer["rule_set"]}


def _script_data() -> dict[str, str]:
    """Everything self-check.js needs, passed as data-* attributes (no inline script under CSP)."""
    return {
        "api": reverse("api-eligibility-check"),
        "labels": json.dumps(
            {code: translate_label(CONDITION_LABELS[code]) for code in CONDITION_CODES}, ensure_ascii=False
        ),
        "messages": json.dumps(
            {
                "eligible": _("满足全部认定条件。"),
                "ineligible": _("不满足认定条件：%(n)d 项未满足。"),
                "undecided": _("未发现不满足的条件，但有 %(n)d 项暂无法判断。"),
                "invalid": _("有 %(n)d 处需要填写或更正，见表单中标出的位置。"),
                "throttled": _("查询过于频繁，请稍候再试。"),
                "failed": _("暂时无法评估，请稍后再试，或点击“评估”按钮提交。"),
                "passed": _("满足"),
                "not_passed": _("不满足"),
                "unknown": _("无法判断"),
                "rule_set": _("规则集："),
                "heads": [_("条款"), _("条件"), _("实际值"), _("要求"), _("结果")],
                "disclaimer": _(
                    "本结果仅供企业自我评价参考，认定以区县工作小组审查和专家评审为准。综合评分为企业自行估算。"
                ),
            },
            ensure_ascii=False,
        ),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """GET: the empty form. POST: the result (or the errors beside their inputs) and the entered values."""
    answer: dict[str, Any] | None = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        payload, values = payload_from_form(request.POST)
        ip_rows = len(values["ip"])
        if "add_ip" in request.POST:  # "增加一行" without JavaScript: more rows, no check yet
            ip_rows = min(max(ip_rows, MIN_IP_ROWS, _posted_ip_rows(request.POST)) + 1, MAX_IP_ROWS)
        else:
            answer, errors = evaluate_payload(payload)
    else:
        values, ip_rows = initial_values(), MIN_IP_ROWS
    context = {
        "form": _build_form(values, errors, ip_rows),
        "verdict": verdict(answer) if answer else None,
        "submitted": request.method == "POST",
        "script": _script_data(),
    }
    return render(request, "certification/self_check.html", context)


def _posted_ip_rows(post: Mapping[str, Any]) -> int:
    indices = {int(m["index"]) for name in post if (m := _ROW_RE.match(name)) and m["section"] == "ip"}
    return max(indices) + 1 if indices else 0


def page_context(
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    answer: Mapping[str, Any] | None = None,
    submitted: bool = False,
) -> dict[str, Any]:
    """The self-check page's context; the enterprise's self-assessment page renders the same form."""
    values = dict(values) if values is not None else initial_values()
    ip_rows = max(len(values.get("ip", [])) + 1, MIN_IP_ROWS)
    return {
        "form": _build_form(values, errors or {}, ip_rows),
        "verdict": verdict(answer) if answer else None,
        "submitted": submitted,
        "script": _script_data(),
    }


def facts_form(
    *, values: Mapping[str, Any] | None = None, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """The self-check's inputs for facts judged elsewhere on a day and rule set fixed by the caller
    (a major change's data after the change): of the basics only the field; registration comes from
    the enterprise record. ``errors`` are the engine's, keyed by field path."""
    values = dict(values) if values is not None else initial_values()
    # The form also carries a file, which a round trip for "增加一行" would lose: spare rows instead.
    form = _build_form(values, errors or {}, max(len(values.get("ip", [])) + 3, FACTS_IP_ROWS))
    form["basics"] = [i for i in form["basics"] if i.name == "field_code"]
    form["can_add_rows"] = False
    return form
