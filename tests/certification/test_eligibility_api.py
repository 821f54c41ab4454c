"""``POST /api/v1/eligibility/check/`` (docs/api.md, public): shape, defaults, every 400, 405, 429, queries."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from certification.eligibility.api.views import EligibilityCheckView, EligibilityRateThrottle
from certification.eligibility.engine import CONDITION_CODES, load_rule_set_data
from certification.eligibility.rules import (
    clear_cache,
    db_rule_sets,
    default_rule_set_code,
    evaluate_payload,
    field_codes_in_force,
)
from certification.models import RuleSet as RuleSetRow

pytestmark = pytest.mark.django_db

URL = "/api/v1/eligibility/check/"
DEFAULT_RATE = EligibilityRateThrottle.rate  # read before any test patches it
CONDITION_KEYS = ["code", "passed", "clause", "value", "threshold", "message"]

# docs/api.md's example body, with realistic amounts in place of "…".
EXAMPLE: dict[str, Any] = {
    "rule_set": "tianjin-2015",
    "as_of": "2026-11-27",
    "registered_on": "2020-03-01",
    "registered_in_tianjin": True,
    "field_code": "0101",
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2024-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
        }
    ],
    "staff": {"total": 100, "tech_college": 20, "rd": 7},
    "fiscal_years": [
        {
            "year": 2024,
            "sales_revenue": "30000000.00",
            "total_revenue": "32000000.00",
            "hightech_revenue": "20000000.00",
            "rd_expense": "1800000.00",
            "rd_expense_domestic": "1500000.00",
            "total_assets": "45000000.00",
        }
    ],
    "composite_score": 65,
}


def body(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post(client: Client, data: Any, **extra: Any):
    return client.post(URL, data=json.dumps(data), content_type="application/json", **extra)


def _throttle_key(ident: str) -> str:
    return EligibilityRateThrottle.cache_format % {"scope": "eligibility", "ident": ident}


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    """A cold rule-set cache and a limit no test of this file reaches, except the throttle test's own."""
    clear_cache()
    monkeypatch.setattr(EligibilityRateThrottle, "rate", "100000/min")
    cache.delete(_throttle_key("127.0.0.1"))
    yield
    clear_cache()


# --- the answer ---------------------------------------------------------------------------------


def test_url_name():
    assert reverse("api-eligibility-check") == URL


def test_example_body_answers_exactly_api_md_shape(client):
    response = post(client, EXAMPLE)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert list(data) == ["rule_set", "eligible", "conditions"]
    assert data["rule_set"] == "tianjin-2015"
    assert data["eligible"] is True
    assert (
        [c["code"] for c in data["conditions"]]
        == list(CONDITION_CODES)
        == [
            "registration",
            "core_ip",
            "field",
            "tech_staff_ratio",
            "rd_staff_ratio",
            "rd_expense_ratio",
            "domestic_rd_ratio",
            "hightech_revenue_ratio",
            "composite_score",
        ]
    )
    for condition in data["conditions"]:
        assert list(condition) == CONDITION_KEYS
        assert condition["passed"] is True
        assert all(isinstance(condition[k], str) for k in CONDITION_KEYS if k != "passed")
        assert condition["message"].startswith("满足")
    by_code = {c["code"]: c for c in data["conditions"]}
    assert [c["clause"] for c in data["conditions"]] == [
        "第二条",
        "第九条（一）",
        "第九条（二）",
        "第九条（三）",
        "第九条（三）",
        "第九条（四）",
        "第九条（四）",
        "第九条（五）",
        "第九条（六）",
    ]
    # 20 of 100 and 7 of 100: exactly on the thresholds (以上 includes the number itself).
    assert by_code["tech_staff_ratio"]["value"] == "20.0%"
    assert by_code["tech_staff_ratio"]["threshold"] == "≥ 20%"
    assert by_code["rd_staff_ratio"]["value"] == "7.0%"
    assert by_code["rd_staff_ratio"]["threshold"] == "≥ 7%"
    assert by_code["rd_expense_ratio"]["value"] == "6.0%"
    assert by_code["rd_expense_ratio"]["threshold"] == "≥ 5%"
    assert by_code["composite_score"]["threshold"] == "> 60"
    assert by_code["field"]["value"] == "0101"


def test_the_answer_is_the_service_answer(client):
    answer, errors = evaluate_payload(EXAMPLE)
    assert errors == {}
    assert post(client, EXAMPLE).json() == answer


def test_rule_set_omitted_is_tianjin_2015(client):
    data = post(client, body(rule_set=...)).json()
    assert data["rule_set"] == "tianjin-2015"
    assert data == post(client, EXAMPLE).json()
    assert default_rule_set_code() == "tianjin-2015"


def test_rule_set_null_is_the_default_too(client):
    assert post(client, body(rule_set=None)).json()["rule_set"] == "tianjin-2015"


def test_national_2016(client):
    response = post(client, body(rule_set="national-2016"))
    assert response.status_code == 200
    data = response.json()
    assert data["rule_set"] == "national-2016"
    assert [c["code"] for c in data["conditions"]] == list(CONDITION_CODES)
    by_code = {c["code"]: c for c in data["conditions"]}
    assert by_code["registration"]["clause"] == "第十一条（一）"
    assert by_code["tech_staff_ratio"]["threshold"] == "≥ 10%"
    assert by_code["hightech_revenue_ratio"]["threshold"] == "≥ 60%"
    # 65 is above the municipal 60 but below the national 71.
    assert by_code["composite_score"]["passed"] is False
    assert by_code["composite_score"]["threshold"] == "≥ 71"
    assert data["eligible"] is False


def test_field_and_score_omitted_report_null_and_eligible_null(client):
    data = post(client, body(field_code=..., composite_score=...)).json()
    by_code = {c["code"]: c for c in data["conditions"]}
    assert by_code["field"]["passed"] is None
    assert by_code["composite_score"]["passed"] is None
    assert all(
        c["passed"] is True for c in data["conditions"] if c["code"] not in ("field", "composite_score")
    )
    assert data["eligible"] is None


def test_a_failure_wins_over_null(client):
    data = post(client, body(composite_score=..., staff={"total": 100, "tech_college": 20, "rd": 6})).json()
    by_code = {c["code"]: c for c in data["conditions"]}
    assert by_code["rd_staff_ratio"]["passed"] is False
    assert by_code["composite_score"]["passed"] is None
    assert data["eligible"] is False


def test_as_of_omitted_is_today_in_beijing(client, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2020, 8, 31))
    # Registered 2020-03-01: six months are complete on 2020-09-01, so "today" 2020-08-31 fails.
    data = post(client, body(as_of=..., fiscal_years=[{**EXAMPLE["fiscal_years"][0], "year": 2019}])).json()
    assert data["conditions"][0]["passed"] is False
    assert "2020-08-31" in data["conditions"][0]["message"]


def test_numbers_and_strings_are_both_money(client):
    fy = {**EXAMPLE["fiscal_years"][0], "sales_revenue": 30000000, "rd_expense": 1800000.5}
    assert post(client, body(fiscal_years=[fy])).status_code == 200


def test_no_csrf_token_needed(client):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, EXAMPLE).status_code == 200


def test_a_session_or_token_is_ignored(client, enterprise_user):
    client.force_login(enterprise_user)
    assert post(client, EXAMPLE, HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 200


# --- bad input: 400 naming every bad field at once ----------------------------------------------


def test_missing_fields_are_all_named():
    client = Client()
    response = post(client, {})
    assert response.status_code == 400
    assert set(response.json()) == {"registered_on", "registered_in_tianjin", "ip", "staff", "fiscal_years"}
    assert all(isinstance(m, list) and m and isinstance(m[0], str) for m in response.json().values())


def test_every_bad_field_of_one_body_at_once(client):
    fy_2024 = {**EXAMPLE["fiscal_years"][0], "sales_revenue": "-1.00"}
    fy_2025 = {
        **EXAMPLE["fiscal_years"][0],
        "year": 2025,
        "rd_expense": "1000000",
        "rd_expense_domestic": "1200000",
    }
    fy_2025_again = {**EXAMPLE["fiscal_years"][0], "year": 2025}
    bad = body(
        rule_set="tianjin-2099",
        field_code="0199",
        registered_on=...,
        staff={"total": 100, "tech_college": 20, "rd": 120},
        fiscal_years=[fy_2024, fy_2025, fy_2025_again],
    )
    response = post(client, bad)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "rule_set",
        "field_code",
        "registered_on",
        "staff.rd",
        "fiscal_years[0].sales_revenue",
        "fiscal_years[1].rd_expense_domestic",
        "fiscal_years",
    }
    assert "tianjin-2099" in errors["rule_set"][0]
    assert "2025" in errors["fiscal_years"][0]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"registered_on": ...}, "registered_on"),
        ({"registered_in_tianjin": ...}, "registered_in_tianjin"),
        ({"staff": {"total": 100, "tech_college": 20}}, "staff.rd"),
        ({"staff": {"total": 100, "tech_college": 20, "rd": 101}}, "staff.rd"),
        ({"staff": {"total": 10, "tech_college": 11, "rd": 1}}, "staff.tech_college"),
        ({"staff": {"total": -1, "tech_college": 0, "rd": 0}}, "staff.total"),
        ({"rule_set": "tianjin-2099"}, "rule_set"),
        ({"rule_set": 2015}, "rule_set"),
        ({"field_code": "0199"}, "field_code"),  # unknown sub-field
        ({"field_code": "09"}, "field_code"),  # unknown top-level field (2016 has 01–08)
        ({"composite_score": 101}, "composite_score"),
        ({"as_of": "2026-02-30"}, "as_of"),
        ({"registered_on": "2027-01-01"}, "registered_on"),  # after as_of
        (
            {"ip": [{"kind": "invention_patent", "acquired_on": "2024-05-01", "acquisition": "stolen"}]},
            "ip[0].acquisition",
        ),
        (
            {
                "ip": [
                    {
                        "kind": "invention_patent",
                        "acquired_on": "2024-05-01",
                        "acquisition": "exclusive_license",
                    }
                ]
            },
            "ip[0].licence_years",
        ),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_each_bad_input_names_its_field(client, changes, key):
    response = post(client, body(**changes))
    assert response.status_code == 400
    assert key in response.json(), response.json()


@pytest.mark.parametrize(
    ("money_key", "value", "error_key"),
    [
        ("sales_revenue", "-0.01", "fiscal_years[1].sales_revenue"),
        ("total_assets", -5, "fiscal_years[1].total_assets"),
        ("rd_expense", "12.345", "fiscal_years[1].rd_expense"),
        ("total_revenue", "NaN", "fiscal_years[1].total_revenue"),
        ("rd_expense_domestic", "1800000.01", "fiscal_years[1].rd_expense_domestic"),  # > rd_expense
        ("hightech_revenue", "32000000.01", "fiscal_years[1].hightech_revenue"),  # > total_revenue
    ],
)
def test_bad_money_in_the_second_year(client, money_key, value, error_key):
    second = {**EXAMPLE["fiscal_years"][0], "year": 2025, money_key: value}
    response = post(client, body(fiscal_years=[EXAMPLE["fiscal_years"][0], second]))
    assert response.status_code == 400
    assert set(response.json()) == {error_key}


def test_a_year_repeated(client):
    fy = EXAMPLE["fiscal_years"][0]
    response = post(client, body(fiscal_years=[fy, dict(fy)]))
    assert response.status_code == 400
    assert set(response.json()) == {"fiscal_years"}
    assert "2024" in response.json()["fiscal_years"][0]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"this is not json", "application/json"),
        (b'{"rule_set": "tianjin-2015",', "application/json"),
        (b"", "application/json"),
        (b'{"composite_score": NaN}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b"registered_on=2020-03-01", "application/x-www-form-urlencoded"),
        (b"hello", "text/plain"),
    ],
)
def test_a_body_that_is_not_json_is_a_400(client, raw, content_type):
    response = client.post(URL, data=raw, content_type=content_type)
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("data", [[], [EXAMPLE], "tianjin-2015", 42, None, True])
def test_json_that_is_not_an_object_is_a_400(client, data):
    response = post(client, data)
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_only_post(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405


# --- throttling -------------------------------------------------------------------------------


def test_throttled_after_the_limit(client, monkeypatch):
    monkeypatch.setattr(EligibilityRateThrottle, "rate", "3/min")
    ident = "192.0.2.71"  # TEST-NET: a client address of this test alone
    cache.delete(_throttle_key(ident))
    try:
        codes = [post(client, EXAMPLE, REMOTE_ADDR=ident).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        answer = post(client, EXAMPLE, REMOTE_ADDR=ident)
        assert answer.status_code == 429
        assert "detail" in answer.json()
        assert int(answer["Retry-After"]) > 0
        # Another client is not affected; bad bodies count too (no free probing).
        assert post(client, EXAMPLE, REMOTE_ADDR="192.0.2.72").status_code == 200
    finally:
        cache.delete(_throttle_key(ident))
        cache.delete(_throttle_key("192.0.2.72"))


@pytest.mark.skipif("ELIGIBILITY_RATE" in os.environ, reason="the rate is overridden by the environment")
def test_a_forged_x_forwarded_for_does_not_dodge_the_limit(client, monkeypatch):
    monkeypatch.setattr(EligibilityRateThrottle, "rate", "2/min")
    ident = "192.0.2.73"
    cache.delete(_throttle_key(ident))
    try:
        codes = [
            post(client, EXAMPLE, REMOTE_ADDR=ident, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
            for n in range(3)
        ]
        assert codes == [200, 200, 429]
    finally:
        cache.delete(_throttle_key(ident))


def test_behind_the_tls_proxy_the_address_it_appended_counts(client, monkeypatch, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setattr(EligibilityRateThrottle, "rate", "1/min")
    keys = [_throttle_key("203.0.113.5"), _throttle_key("203.0.113.6")]
    for key in keys:
        cache.delete(key)
    try:
        proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_PROTO": "https"}
        assert post(client, EXAMPLE, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5", **proxy).status_code == 200
        assert post(client, EXAMPLE, HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.5", **proxy).status_code == 429
        assert post(client, EXAMPLE, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200
    finally:
        for key in keys:
            cache.delete(key)


def test_the_default_limit_is_120_a_minute():
    assert DEFAULT_RATE == "120/min"
    assert EligibilityCheckView.throttle_scope == "eligibility"
    assert EligibilityCheckView.throttle_classes == [EligibilityRateThrottle]


# --- rule sets and catalogue from the database, cached ------------------------------------------


def test_query_count_with_a_warm_cache(client, django_assert_max_num_queries):
    assert post(client, EXAMPLE).status_code == 200  # warms the per-process cache
    with django_assert_max_num_queries(0):
        assert post(client, EXAMPLE).status_code == 200
        assert post(client, body(rule_set="national-2016")).status_code == 200
        assert post(client, body(staff={"total": 1, "tech_college": 2, "rd": 0})).status_code == 400


def test_query_count_with_a_cold_cache(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the rule sets, the field codes
        assert post(client, EXAMPLE).status_code == 200


def test_rule_sets_come_from_the_database(client):
    assert set(db_rule_sets()) == {"tianjin-2015", "national-2016"}
    data = load_rule_set_data("tianjin-2015")
    data["code"] = "tianjin-2030"
    data["thresholds"]["rd_staff_ratio"] = {"min": "0.08"}
    RuleSetRow.objects.create(code="tianjin-2030", name="test", data=data)  # clears the cache
    answer = post(client, body(rule_set="tianjin-2030")).json()
    assert answer["rule_set"] == "tianjin-2030"
    assert {c["code"]: c for c in answer["conditions"]}["rd_staff_ratio"]["passed"] is False


def test_a_malformed_rule_set_row_is_left_out_not_a_500(client):
    RuleSetRow.objects.create(code="broken", name="broken", data={"code": "broken"})
    response = post(client, body(rule_set="broken"))
    assert response.status_code == 400
    assert "rule_set" in response.json()
    assert post(client, EXAMPLE).status_code == 200


def test_the_default_rule_set_is_the_row_marked_default(client):
    RuleSetRow.objects.filter(code="tianjin-2015").update(is_default=False)
    RuleSetRow.objects.filter(code="national-2016").update(is_default=True)
    clear_cache()  # update() sends no signal; the TTL (or this) picks the change up
    assert post(client, body(rule_set=...)).json()["rule_set"] == "national-2016"


def test_field_codes_are_the_catalogue_in_force():
    codes = field_codes_in_force()
    assert {"01", "0101", "08", "0809"} <= codes
    assert "09" not in codes
    assert len(codes) == 8 + 8 + 7 + 2 + 6 + 8 + 4 + 8 + 9


# --- OpenAPI --------------------------------------------------------------------------------------


def test_documented_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    from certification.eligibility.api import urls as eligibility_urls

    patterns = [p for p in eligibility_urls.urlpatterns]
    from django.urls import include, path

    schema = SchemaGenerator(patterns=[path("api/v1/eligibility/", include(patterns))]).get_schema(
        request=None, public=True
    )
    operation = schema["paths"]["/api/v1/eligibility/check/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "429"}
    assert operation.get("security", []) in ([], [{}])  # no credentials
    content = operation["requestBody"]["content"]["application/json"]
    assert content["schema"]["$ref"].endswith("EligibilityCheckRequest")
    assert "examples" in content
    components = schema["components"]["schemas"]
    assert set(components["EligibilityCheckRequest"]["required"]) == {
        "registered_on",
        "registered_in_tianjin",
        "ip",
        "staff",
        "fiscal_years",
    }
    assert list(components["EligibilityResult"]["properties"]) == ["rule_set", "eligible", "conditions"]
    assert list(components["EligibilityCondition"]["properties"]) == CONDITION_KEYS
