"""The eligibility engine speaks the reader's language: Chinese by default, English when chosen.

The engine is stdlib-only; Django registers its gettext (certification/apps.py). Records (the pool's
stored answers) stay in Chinese whoever made them.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.utils import translation

from certification.eligibility import pool
from certification.eligibility.engine import load_rule_set, translate_label, validate_payload
from certification.eligibility.rules import evaluate_payload
from tests.certification.test_eligibility_api import EXAMPLE, URL
from tests.certification.test_pool import GOOD
from tests.test_i18n import compiled_catalogue  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_catalogue")]

CJK = re.compile(r"[\u4e00-\u9fff]")


def failing_body():
    """Every condition fails or is undecided somewhere: short registration, licences, low ratios."""
    body = copy.deepcopy(EXAMPLE)
    body["registered_on"] = "2026-09-01"
    body["ip"][0]["acquired_on"] = "2020-05-01"
    body["ip"].append(
        {
            "kind": "utility_model",
            "acquired_on": "2024-01-01",
            "acquisition": "exclusive_license",
            "licence_years": 2,
        }
    )
    body["staff"] = {"total": 100, "tech_college": 5, "rd": 3}
    body["fiscal_years"][0].update(
        {"rd_expense": "100000.00", "rd_expense_domestic": "10000.00", "hightech_revenue": "1000000.00"}
    )
    body["composite_score"] = 60
    return body


def test_api_answers_in_english_when_asked(client):
    answer = client.post(
        URL, failing_body(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert answer["eligible"] is False
    for c in answer["conditions"]:
        for key in ("clause", "value", "threshold", "message"):
            assert not CJK.search(c[key]), (c["code"], key, c[key])
    by_code = {c["code"]: c for c in answer["conditions"]}
    assert by_code["registration"]["clause"] == "Article 2"
    assert by_code["registration"]["message"].startswith("Registered too recently: registered on 2026-09-01")
    assert by_code["rd_staff_ratio"]["message"].startswith(
        "Research and development personnel share 3.0%, below 7%; 4 more needed"
    )
    assert by_code["composite_score"]["message"] == (
        "Composite score (self-estimated) 60 points, not above 60 (it must be above 60; 60 itself does not pass)"
    )
    assert by_code["core_ip"]["message"] == (
        "within the last 3 fiscal years (2023–2025), 0 countable core intellectual property items, fewer than 1;"
        " 1 more needed; not counted: Invention patent acquired in 2020, before the last 3 fiscal years"
        " (from 2023); Utility model patent: exclusive licence term 2 years, less than 5 years"
    )


def test_api_stays_chinese_by_default(client):
    answer = client.post(URL, failing_body(), content_type="application/json").json()
    by_code = {c["code"]: c for c in answer["conditions"]}
    assert by_code["registration"]["clause"] == "第二条"
    assert by_code["rd_staff_ratio"]["message"].startswith("研发人员占比 3.0%，低于 7%，还需增加 4 名")
    assert by_code["composite_score"]["message"].startswith("综合评分（自评估算）60 分，未超过 60 分")


def test_english_and_chinese_answers_agree_on_everything_but_words(client):
    zh = client.post(URL, failing_body(), content_type="application/json").json()
    en = client.post(URL, failing_body(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(c["code"], c["passed"]) for c in zh["conditions"]] == [
        (c["code"], c["passed"]) for c in en["conditions"]
    ]
    assert zh["eligible"] == en["eligible"]


def test_validation_errors_in_english(client):
    body = copy.deepcopy(EXAMPLE)
    body["staff"] = {"total": 10, "tech_college": 20, "rd": "x"}
    body["fiscal_years"][0]["rd_expense"] = "1.234"
    response = client.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.json()
    assert errors["staff.rd"] == ["Must be an integer."]
    assert errors["fiscal_years[0].rd_expense"] == ["Amount may have at most 2 decimal places."]
    chinese = client.post(URL, body, content_type="application/json").json()
    assert chinese["staff.rd"] == ["必须是整数。"]
    assert chinese["fiscal_years[0].rd_expense"] == ["金额最多保留 2 位小数。"]


def test_pure_engine_without_a_translator_is_chinese():
    # Outside a request (Celery, management commands) the active language is the portal's: Chinese.
    inp, rule_set, errors = validate_payload(
        failing_body(), rule_sets={"tianjin-2015": load_rule_set("tianjin-2015")}
    )
    assert errors == {} and rule_set is not None
    with translation.override("en"):
        assert translate_label("第九条（六）") == "Article 9(6)"
    assert translate_label("第九条（六）") == "第九条（六）"


def test_pool_record_is_kept_in_chinese_when_made_in_english(enterprise_user):
    with translation.override("en"):
        entry = pool.pool_join(enterprise=enterprise_user.enterprise, by=enterprise_user, payload=GOOD)
    messages = [c["message"] for c in entry.result["conditions"] + entry.national_result["conditions"]]
    assert all(CJK.search(m) for m in messages), messages
    zh_answer, _errors = evaluate_payload({**entry.payload, "rule_set": "tianjin-2015"})
    assert entry.result == zh_answer


def test_self_assessment_page_in_english_shows_english_conditions(client, enterprise_user):
    pool.pool_join(enterprise=enterprise_user.enterprise, by=enterprise_user, payload=GOOD)
    client.force_login(enterprise_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/enterprise/self-assessment/").content.decode()
    assert "Share of R&amp;D staff" in html
    assert "Met: Research and development personnel share 10.0% (10/100), not below 7%" in html
    assert "研发人员占比 10.0%" not in html
