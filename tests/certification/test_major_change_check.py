"""A major change is re-checked: the enterprise enters the facts after the change,
the eligibility engine judges them on the change's date under the rule set in force that day, the
answer is stored with the change and shown beside the district's keep/revoke decision."""

import copy
import datetime as dt

import pytest

from certification.eligibility.rules import clear_cache, rule_set_in_force
from certification.models import Certificate, ChangeRequest, RuleSet
from core.errors import InvalidInput
from tests.certification import test_changes as base
from tests.certification.test_changes import FACTS, FACTS_FORM, at, evidence, major

pytestmark = pytest.mark.django_db

# test_changes' fixtures: a certificate issued 2026-03-02, media in a temporary directory.
cert = base.cert
_media_and_calendar = base._media_and_calendar


def failing_facts() -> dict:
    facts = copy.deepcopy(FACTS)
    facts["staff"]["rd"] = 2  # 2% research staff: tianjin-2015 wants at least 7%
    return facts


def condition(answer: dict, code: str) -> dict:
    return next(c for c in answer["conditions"] if c["code"] == code)


def test_report_with_facts_stores_the_engine_result_and_the_district_decides_with_it(
    client, official, enterprise_user, cert, time_machine
):
    at(time_machine, "2026-10-01")
    client.force_login(enterprise_user)
    response = client.post(
        f"/enterprise/certificates/{cert.pk}/changes/new/",
        {
            "kind": "merger",
            "description": "本企业吸收合并天津某某科技有限公司，主营业务不变。",
            "event_date": "2026-09-15",
            "evidence": evidence(),
            "confirm": "1",
            **FACTS_FORM,
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    # Stored: the facts as the engine's body, registration from the enterprise record, and the answer
    # judged on the event date.
    assert change.facts["staff"] == {"total": 100, "tech_college": 20, "rd": 7}
    assert change.facts["fiscal_years"][0]["sales_revenue"] == "30000000"
    assert change.facts["registered_on"] == enterprise_user.enterprise.registered_on.isoformat()
    assert change.check_result["rule_set"] == "tianjin-2015"
    # Every condition met but the composite score, which only the experts give: undecided, not failed.
    assert change.check_result["eligible"] is None
    assert [c["code"] for c in change.check_result["conditions"] if c["passed"] is not True] == [
        "composite_score"
    ]
    assert change.check_failed is False

    client.force_login(official)
    page = client.get(f"/district/changes/{change.pk}/").content.decode()
    assert 'id="change-check"' in page and "未发现不满足的条件，但有 1 项暂无法判断。" in page
    assert 'data-testid="keep-warning"' not in page
    response = client.post(f"/district/changes/{change.pk}/decide/", {"keep": "keep", "confirm": "1"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "approved"


def test_bad_facts_are_400_with_nothing_written(client, enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    client.force_login(enterprise_user)
    bad = {**FACTS_FORM, "staff.rd": "abc", "fiscal_years[1].rd_expense_domestic": "99999999"}
    response = client.post(
        f"/enterprise/certificates/{cert.pk}/changes/new/",
        {
            "kind": "merger",
            "description": "本企业吸收合并天津某某科技有限公司，主营业务不变。",
            "event_date": "2026-09-15",
            "evidence": evidence(),
            "confirm": "1",
            **bad,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    # Each problem beside its input, and what was entered is shown again.
    assert 'data-errors-for="staff.rd"><li>' in page
    assert 'data-errors-for="fiscal_years[1].rd_expense_domestic"><li>' in page
    assert 'value="abc"' in page
    assert not ChangeRequest.objects.exists()
    cert.refresh_from_db()
    assert cert.revocation_flag == ""

    # No facts at all: refused too (a major change is re-checked on data, not on free text).
    response = client.post(
        f"/enterprise/certificates/{cert.pk}/changes/new/",
        {
            "kind": "merger",
            "description": "本企业吸收合并天津某某科技有限公司，主营业务不变。",
            "event_date": "2026-09-15",
            "evidence": evidence(),
            "confirm": "1",
        },
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


def test_service_refuses_registration_and_rule_set_in_the_facts(enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    for extra in ({"registered_on": "2026-01-01"}, {"rule_set": "national-2016"}, {"as_of": "2030-01-01"}):
        with pytest.raises(InvalidInput) as exc:
            major(cert, enterprise_user, facts={**FACTS, **extra})
        assert set(exc.value.errors) == set(extra)
    assert not ChangeRequest.objects.exists()
    assert Certificate.objects.get(pk=cert.pk).revocation_flag == ""


def test_a_failing_result_is_shown_and_keeping_against_it_needs_a_reason(
    client, official, enterprise_user, cert, time_machine
):
    at(time_machine, "2026-10-01")
    change = major(cert, enterprise_user, facts=failing_facts())
    assert change.check_result["eligible"] is False and change.check_failed
    assert condition(change.check_result, "rd_staff_ratio")["passed"] is False

    client.force_login(official)
    page = client.get(f"/district/changes/{change.pk}/").content.decode()
    assert 'data-testid="keep-warning"' in page
    assert "不满足认定条件：1 项未满足。" in page
    assert 'class="sc-fail" data-code="rd_staff_ratio"' in page

    response = client.post(f"/district/changes/{change.pk}/decide/", {"keep": "keep", "confirm": "1"})
    assert response.status_code == 400
    assert "保留资格须写明理由" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "recheck"

    response = client.post(
        f"/district/changes/{change.pk}/decide/",
        {"keep": "keep", "note": "研发人员已于十月补足，见补充材料。", "confirm": "1"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "approved" and change.note.startswith("研发人员")


@pytest.fixture
def fresh_rule_sets():
    """The rule sets are cached per process: the edited (then rolled back) row must not outlive the test."""
    clear_cache()
    yield
    clear_cache()


def test_the_rule_set_in_force_on_the_change_date_judges(
    enterprise_user, cert, time_machine, fresh_rule_sets
):
    """An edit of the rule set after the change does not move the change's check."""
    at(time_machine, "2026-08-01")
    row = RuleSet.objects.get(is_default=True)
    row.save()  # the version in force from 2026-08-01 (history from here on)
    at(time_machine, "2026-09-20")
    data = copy.deepcopy(row.data)
    data["thresholds"]["rd_staff_ratio"]["min"] = "0.50"  # a later, much stricter threshold
    row.data = data
    row.save()
    clear_cache()

    assert rule_set_in_force(dt.date(2026, 9, 1))[1].data["thresholds"]["rd_staff_ratio"]["min"] == "0.07"
    assert rule_set_in_force(dt.date(2026, 9, 20))[1].data["thresholds"]["rd_staff_ratio"]["min"] == "0.50"
    # Before any recorded version: the current one.
    assert rule_set_in_force(dt.date(2026, 1, 1))[1].data["thresholds"]["rd_staff_ratio"]["min"] == "0.50"

    at(time_machine, "2026-10-01")
    on_the_day = major(cert, enterprise_user, event="2026-09-01")
    assert condition(on_the_day.check_result, "rd_staff_ratio")["passed"] is True
    assert on_the_day.check_failed is False


# --- The API ----------------------------------------------------------------------------------------


def api(client, user):
    from accounts.tokens import issue as issue_token

    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
    return client


def report_body(cert, facts) -> dict:
    import json

    return {
        "certificate": cert.number,
        "kind": "main_business",
        "description": "主营业务由软件开发转为设备租赁，研发团队缩减。",
        "event_date": "2026-09-15",
        "evidence": evidence(),
        "facts": json.dumps(facts, ensure_ascii=False),
    }


def test_api_report_with_facts_then_decide_with_the_result(
    client, official, enterprise_user, cert, time_machine
):
    at(time_machine, "2026-10-01")
    response = api(client, enterprise_user).post("/api/v1/changes/major/", report_body(cert, failing_facts()))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["certificate"] == cert.number and body["status"] == "recheck"
    assert body["facts"]["staff"]["rd"] == 2
    assert body["check_result"]["rule_set"] == "tianjin-2015" and body["check_result"]["eligible"] is False
    assert body["check_failed"] is True
    change = ChangeRequest.objects.get(pk=body["id"])
    assert change.check_result == body["check_result"]

    district = api(client, official)
    assert district.get(f"/api/v1/changes/{change.pk}/").json()["check_failed"] is True
    response = district.post(
        f"/api/v1/changes/{change.pk}/decide/", {"keep": True}, content_type="application/json"
    )
    assert response.status_code == 400 and "note" in response.json()
    response = district.post(
        f"/api/v1/changes/{change.pk}/decide/",
        {"keep": False, "note": "转业后研发人员不足，不再符合认定条件。"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert Certificate.objects.get(pk=cert.pk).revoked_at is not None


def test_api_bad_facts_are_400_with_nothing_written(client, enterprise_user, cert, time_machine):
    at(time_machine, "2026-10-01")
    bad = copy.deepcopy(FACTS)
    bad["staff"]["rd"] = 500  # more research staff than staff
    bad["as_of"] = "2026-01-01"
    response = api(client, enterprise_user).post("/api/v1/changes/major/", report_body(cert, bad))
    assert response.status_code == 400
    errors = response.json()
    assert "staff.rd" in errors and "as_of" in errors
    body = report_body(cert, FACTS)
    body["facts"] = "{not json"
    assert api(client, enterprise_user).post("/api/v1/changes/major/", body).status_code == 400
    assert not ChangeRequest.objects.exists()
    assert Certificate.objects.get(pk=cert.pk).revocation_flag == ""
