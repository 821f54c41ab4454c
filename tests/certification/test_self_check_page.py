"""The public self-check page ``/self-check/``: works without JavaScript, in Chinese, under a strict CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.eligibility.engine import CONDITION_CODES
from certification.eligibility.rules import clear_cache
from certification.eligibility.views import form_values_from_payload, payload_from_form

pytestmark = pytest.mark.django_db

URL = "/self-check/"


class Page(HTMLParser):
    """Inputs, labels, scripts and attributes of a rendered page, for assertions."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict[str, Any]] = {}
        self.labels_for: set[str] = set()
        self.scripts: list[dict[str, Any]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.errors: dict[str, list[str]] = {}
        self.rows: list[str] = []
        self._select: str | None = None
        self._script: dict[str, Any] | None = None
        self._errors_for: str | None = None
        self._optgroup: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.attributes.extend((tag, k, v) for k, v in attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("hidden", "submit"):
            self.inputs[a["name"]] = {"tag": tag, **a}
        elif tag == "select":
            self._select = a["name"]
            self.inputs[a["name"]] = {"tag": tag, **a, "options": [], "selected": None}
        elif tag == "optgroup":
            self._optgroup = a.get("label")
        elif tag == "option" and self._select:
            self.inputs[self._select]["options"].append((self._optgroup, a.get("value")))
            if "selected" in a:
                self.inputs[self._select]["selected"] = a.get("value")
        elif tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])
        elif tag == "script":
            self._script = {"attrs": a, "text": ""}
        elif tag == "ul" and a.get("data-errors-for"):
            self._errors_for = a["data-errors-for"]
            self.errors.setdefault(self._errors_for, [])
        elif tag == "li" and self._errors_for:
            self.errors[self._errors_for].append("")
        elif tag == "tr" and a.get("data-code"):
            self.rows.append(a["data-code"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "optgroup":
            self._optgroup = None
        elif tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None
        elif tag == "ul":
            self._errors_for = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script["text"] += data
        if self._errors_for and self.errors[self._errors_for]:
            self.errors[self._errors_for][-1] += data

    def value(self, name: str) -> Any:
        field = self.inputs[name]
        if field["tag"] == "select":
            return field["selected"]
        if field.get("type") == "checkbox":
            return "checked" in field
        return field.get("value")


def complete_form(**changes: str) -> dict[str, str]:
    data = {
        "rule_set": "tianjin-2015",
        "as_of": "2026-11-27",
        "registered_on": "2020-03-01",
        "registered_in_tianjin": "on",
        "field_code": "0101",
        "staff.total": "100",
        "staff.tech_college": "20",
        "staff.rd": "7",
        "composite_score": "65",
        "ip[0].kind": "invention_patent",
        "ip[0].acquired_on": "2024-05-01",
        "ip[0].acquisition": "self_developed",
        "ip[0].licence_years": "",
        "ip[1].kind": "",
        "ip[1].acquired_on": "",
        "ip[1].acquisition": "",
        "ip[1].licence_years": "",
    }
    years = [
        ("2023", "28,000,000", "30000000", "18000000", "1700000", "1400000", "40000000"),
        ("2024", "30000000.00", "32000000", "20000000", "1800000", "1500000", "45000000"),
        ("2025", "36000000", "38000000", "26000000", "2100000", "1800000", "52000000"),
    ]
    keys = (
        "year",
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    )
    for i, row in enumerate(years):
        for key, value in zip(keys, row, strict=True):
            data[f"fiscal_years[{i}].{key}"] = value
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()


def test_url_name():
    assert reverse("self_check") == URL


def test_get_renders_the_form_in_chinese_without_login(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "认定条件自我评价" in html
    assert "评估结果" in html
    page = Page(html)
    today = timezone.localdate()
    assert page.value("rule_set") == "tianjin-2015"
    assert [v for _g, v in page.inputs["rule_set"]["options"]] == ["tianjin-2015", "national-2016"]
    assert page.value("as_of") == today.isoformat()
    assert page.value("registered_in_tianjin") is True
    options = page.inputs["field_code"]["options"]
    assert options[0] == (None, "")
    assert ("01 电子信息", "0101") in options
    assert ("08 先进制造与自动化", "0809") in options
    assert len({g for g, _v in options if g}) == 8
    for key in ("total", "tech_college", "rd"):
        assert f"staff.{key}" in page.inputs
    assert [page.value(f"fiscal_years[{i}].year") for i in range(3)] == [
        str(today.year - 3),
        str(today.year - 2),
        str(today.year - 1),
    ]
    for i in range(3):
        for key in (
            "sales_revenue",
            "total_revenue",
            "hightech_revenue",
            "rd_expense",
            "rd_expense_domestic",
            "total_assets",
        ):
            assert f"fiscal_years[{i}].{key}" in page.inputs
        for key in ("kind", "acquired_on", "acquisition", "licence_years"):
            assert f"ip[{i}].{key}" in page.inputs
    assert "ip[3].kind" not in page.inputs
    assert "composite_score" in page.inputs
    # Every input has a <label for=…>.
    missing = [name for name, field in page.inputs.items() if field.get("id") not in page.labels_for]
    assert missing == []
    assert 'name="csrfmiddlewaretoken"' in html
    assert page.rows == []  # no result before a check


def test_post_a_complete_form_shows_the_nine_conditions_and_the_verdict(client):
    response = client.post(URL, complete_form())
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    assert page.rows == list(CONDITION_CODES)
    assert "满足全部认定条件。" in html
    assert html.count("✔") == 9
    assert "第九条（三）" in html
    assert "研发人员占比" in html
    # What was entered is kept.
    assert page.value("registered_on") == "2020-03-01"
    assert page.value("fiscal_years[0].sales_revenue") == "28,000,000"
    assert page.value("fiscal_years[1].sales_revenue") == "30000000.00"
    assert page.value("staff.rd") == "7"
    assert page.value("ip[0].kind") == "invention_patent"
    assert page.value("ip[0].acquisition") == "self_developed"
    assert page.value("field_code") == "0101"
    assert page.value("composite_score") == "65"
    assert all(not messages for messages in page.errors.values())


def test_post_shows_failed_and_undecided_conditions(client):
    response = client.post(URL, complete_form(composite_score="60", field_code=""))
    html = response.content.decode()
    assert "不满足认定条件：1 项未满足。" in html
    assert html.count("✘") == 1
    assert 'class="sc-null" data-code="field"' in html
    assert "综合评分（自评估算）60 分" in html


def test_post_with_the_national_rule_set(client):
    html = client.post(URL, complete_form(rule_set="national-2016")).content.decode()
    assert "第十一条（一）" in html
    assert Page(html).value("rule_set") == "national-2016"


def test_post_with_bad_values_shows_errors_inline_and_keeps_the_values(client):
    data = complete_form(
        **{
            "staff.rd": "120",
            "fiscal_years[1].rd_expense_domestic": "9,999,999",
            "fiscal_years[2].sales_revenue": "-5",
            "registered_on": "",
            "composite_score": "abc",
        }
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    assert page.rows == []  # no result table
    assert "研发人员（120）不能多于职工总数（100）。" in page.errors["staff.rd"][0]
    assert "不能多于研发费用总额" in page.errors["fiscal_years[1].rd_expense_domestic"][0]
    assert "金额不能为负数" in page.errors["fiscal_years[2].sales_revenue"][0]
    assert page.errors["registered_on"] == ["该字段是必填项。"]
    assert page.errors["composite_score"]
    assert page.errors["staff.total"] == []
    # Entered values are kept, including the wrong ones.
    assert page.value("staff.rd") == "120"
    assert page.value("fiscal_years[1].rd_expense_domestic") == "9,999,999"
    assert page.value("fiscal_years[2].sales_revenue") == "-5"
    assert page.value("composite_score") == "abc"
    assert page.value("ip[0].kind") == "invention_patent"
    # The inputs are marked for assistive technology and the result panel points at the form.
    assert page.inputs["staff.rd"].get("aria-invalid") == "true"
    assert page.inputs["staff.rd"]["aria-describedby"] == "sc-staff-rd-errors"
    assert "staff.total" in page.inputs and "aria-invalid" not in page.inputs["staff.total"]
    assert "有 5 处需要填写或更正" in html


def test_blank_rows_are_left_out_and_errors_land_on_the_row_shown(client):
    data = complete_form()
    for key in (
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    ):
        data[f"fiscal_years[1].{key}"] = ""  # the middle year left blank: ignored
    data["fiscal_years[2].rd_expense_domestic"] = "3000000"  # more than the year's R&D
    page = Page(client.post(URL, data).content.decode())
    # The kept years are renumbered 0, 1 and the error of the body's fiscal_years[1] is on row 1,
    # which now shows what was entered for 2025.
    assert page.value("fiscal_years[1].year") == "2025"
    assert page.value("fiscal_years[1].rd_expense_domestic") == "3000000"
    assert page.errors["fiscal_years[1].rd_expense_domestic"]
    assert page.value("fiscal_years[2].year") == "2024"  # the free slot offers the missing year
    assert page.value("fiscal_years[2].sales_revenue") is None
    # ... and the years are shown in order, whatever their index.
    shown = [
        page.value(name) for name in page.inputs if name.startswith("fiscal_years") and name.endswith(".year")
    ]
    assert shown == ["2023", "2024", "2025"]


def test_a_repeated_year_and_no_years_are_shown_on_the_section(client):
    page = Page(client.post(URL, complete_form(**{"fiscal_years[2].year": "2024"})).content.decode())
    assert "会计年度 2024 重复" in page.errors["fiscal_years"][0]
    blank = {
        k: ("" if k.startswith("fiscal_years") and not k.endswith(".year") else v)
        for k, v in complete_form().items()
    }
    page = Page(client.post(URL, blank).content.decode())
    assert page.errors["fiscal_years"] == ["至少填写 1 个会计年度。"]


def test_ip_rows_errors_and_exclusive_licences(client):
    data = complete_form(
        **{
            "ip[1].kind": "software_copyright",
            "ip[1].acquired_on": "2025-01-10",
            "ip[1].acquisition": "exclusive_license",
        }
    )
    page = Page(client.post(URL, data).content.decode())
    assert page.errors["ip[1].licence_years"] == ["独占许可须填写许可年限。"]
    assert page.value("ip[1].acquisition") == "exclusive_license"
    assert "ip[2].kind" in page.inputs  # still at least three rows


def test_add_a_row_without_javascript(client):
    page = Page(client.post(URL, {**complete_form(), "add_ip": "1"}).content.decode())
    assert "ip[3].kind" in page.inputs and "ip[4].kind" not in page.inputs
    assert page.rows == []  # adding a row is not a check
    assert page.value("ip[0].kind") == "invention_patent"


def test_enter_in_an_input_checks_rather_than_adds_a_row(client):
    html = client.get(URL).content.decode()
    form = html[html.index('id="sc-form"') :]
    first_submit = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert "name=" not in first_submit


def test_no_login_and_no_session_needed():
    client = Client(enforce_csrf_checks=True)
    response = client.get(URL)
    assert response.status_code == 200
    token = response.cookies["csrftoken"].value
    response = client.post(URL, {**complete_form(), "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "满足全部认定条件。" in response.content.decode()


def test_a_signed_in_user_sees_the_same_page(client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(URL).status_code == 200


def test_only_get_and_post(client):
    assert client.put(URL).status_code == 405


def test_the_page_works_under_a_csp_without_unsafe_inline(client):
    for response in (client.get(URL), client.post(URL, complete_form()), client.post(URL, {})):
        html = response.content.decode()
        page = Page(html)
        assert page.scripts, "the page loads its script"
        for script in page.scripts:
            assert script["text"].strip() == "", "no inline script code"
            assert script["attrs"]["src"].startswith("/static/")
        assert [s["attrs"]["src"] for s in page.scripts if "self-check" in s["attrs"]["src"]] == [
            "/static/js/self-check.js"
        ]
        assert not [(t, k) for t, k, _v in page.attributes if k.startswith("on")], "no on…= handlers"
        assert not [(t, k) for t, k, _v in page.attributes if k == "style"], "no inline styles"
        assert not re.search(r"javascript:", html, re.I)
        assert "<style" not in html
        assert "cdn" not in html.lower()


def test_the_script_gets_its_data_from_attributes(client):
    html = client.get(URL).content.decode()
    assert 'data-api="/api/v1/eligibility/check/"' in html
    assert "data-labels=" in html and "data-messages=" in html
    path = finders.find("js/self-check.js")
    assert path, "static/js/self-check.js is served locally"
    source = open(path, encoding="utf-8").read()
    assert "fetch(" in source and "300" in source
    assert "eval(" not in source and "innerHTML" not in source


def test_the_landing_page_links_here(client):
    html = client.get("/").content.decode()
    assert f'href="{URL}"' in html


# --- the form ⇄ body mapping the script mirrors --------------------------------------------------


def test_payload_from_form():
    payload, values = payload_from_form(complete_form(**{"fiscal_years[2].sales_revenue": " 36，000，000 "}))
    assert payload["staff"] == {"total": 100, "tech_college": 20, "rd": 7}
    assert payload["registered_in_tianjin"] is True
    assert payload["fiscal_years"][0]["year"] == 2023
    assert payload["fiscal_years"][0]["sales_revenue"] == "28000000"
    assert payload["fiscal_years"][2]["sales_revenue"] == "36000000"
    assert payload["ip"] == [
        {"kind": "invention_patent", "acquired_on": "2024-05-01", "acquisition": "self_developed"}
    ]
    assert payload["composite_score"] == "65"
    assert values["fiscal_years"][0]["sales_revenue"] == "28,000,000"
    assert len(values["ip"]) == 1

    payload, values = payload_from_form({})
    assert payload == {"registered_in_tianjin": False, "staff": {}, "fiscal_years": [], "ip": []}
    assert values["staff"] == {"total": "", "tech_college": "", "rd": ""}


def test_form_values_from_payload_round_trip():
    payload, values = payload_from_form(complete_form())
    again = form_values_from_payload(payload)
    assert again["staff"] == values["staff"]
    assert [fy["year"] for fy in again["fiscal_years"]] == ["2023", "2024", "2025"]
    assert again["ip"][0]["kind"] == "invention_patent"
    assert again["registered_in_tianjin"] is True
