"""The candidate pool (备选库): self-assessments saved by enterprises, seen and marked by their district."""

import pytest
from django.urls import reverse

from certification.eligibility import pool
from certification.models import PoolEntry, Readiness
from core.errors import InvalidInput
from tests.factories import EnterpriseFactory, UserFactory, district

pytestmark = pytest.mark.django_db

GOOD = {
    "as_of": "2026-11-27",
    "field_code": "0101",
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2025-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
        }
    ],
    "staff": {"total": 100, "tech_college": 30, "rd": 10},
    "fiscal_years": [
        {
            "year": 2024,
            "sales_revenue": "20000000",
            "total_revenue": "21000000",
            "hightech_revenue": "15000000",
            "rd_expense": "1200000",
            "rd_expense_domestic": "1100000",
            "total_assets": "30000000",
        },
        {
            "year": 2025,
            "sales_revenue": "24000000",
            "total_revenue": "25000000",
            "hightech_revenue": "18000000",
            "rd_expense": "1500000",
            "rd_expense_domestic": "1400000",
            "total_assets": "36000000",
        },
    ],
    "composite_score": 75,
}


def with_staff(tech, rd):
    return {**GOOD, "staff": {"total": 100, "tech_college": tech, "rd": rd}}


def test_join_evaluates_both_rule_sets(enterprise_user):
    entry = pool.pool_join(enterprise=enterprise_user.enterprise, by=enterprise_user, payload=GOOD)
    assert entry.eligible is True and entry.failed_count == 0 and entry.readiness == Readiness.READY
    assert entry.result["rule_set"] == "tianjin-2015"
    assert entry.national_result["rule_set"] == "national-2016"
    # National: score 75 ≥ 71 passes; registration from the enterprise record (2020) passes.
    assert entry.national_failed_count == 0
    assert entry.field.code == "0101"
    # Registration facts come from the enterprise record, not the form.
    assert entry.payload["registered_on"] == enterprise_user.enterprise.registered_on.isoformat()


def test_rejoin_updates_the_same_entry(enterprise_user):
    pool.pool_join(enterprise=enterprise_user.enterprise, by=enterprise_user, payload=GOOD)
    entry = pool.pool_join(
        enterprise=enterprise_user.enterprise, by=enterprise_user, payload=with_staff(10, 5)
    )
    assert PoolEntry.objects.count() == 1
    assert entry.failed_count == 2 and entry.readiness == Readiness.FAR
    assert entry.history.count() == 2


def test_bad_payload_saves_nothing(enterprise_user):
    with pytest.raises(InvalidInput) as exc:
        pool.pool_join(
            enterprise=enterprise_user.enterprise,
            by=enterprise_user,
            payload={**GOOD, "staff": {"total": 10, "tech_college": 3, "rd": 11}},
        )
    assert "staff.rd" in exc.value.errors
    assert not PoolEntry.objects.exists()


@pytest.fixture
def pool_entries(official):
    binhai = district("120116")
    ready = EnterpriseFactory(name="甲科技", district=binhai)
    close = EnterpriseFactory(name="乙科技", district=binhai)
    far = EnterpriseFactory(name="丙科技", district=binhai)
    elsewhere = EnterpriseFactory(name="和平区某企业", district=district("120101"))
    user = UserFactory(role="enterprise", enterprise=ready)
    pool.pool_join(enterprise=ready, by=user, payload=GOOD)
    pool.pool_join(enterprise=close, by=user, payload=with_staff(10, 10))
    pool.pool_join(enterprise=far, by=user, payload={**with_staff(10, 2), "field_code": "0201"})
    pool.pool_join(enterprise=elsewhere, by=user, payload=GOOD)
    return ready, close, far, elsewhere


def names(response):
    return [e.enterprise.name for e in response.context["page"].object_list]


def test_district_sees_own_pool_sorted_by_distance(client, official, pool_entries):
    client.force_login(official)
    response = client.get(reverse("districts:pool"))
    assert response.status_code == 200
    assert names(response) == ["甲科技", "乙科技", "丙科技"]
    html = response.content.decode()
    close = response.context["page"].object_list[1]
    failing = [c for c in close.result["conditions"] if c["passed"] is False]
    assert [c["code"] for c in failing] == ["tech_staff_ratio"]
    # How far from passing, in the engine's words, next to the clause.
    assert failing[0]["clause"] == "第九条（三）" and failing[0]["message"] in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"readiness": "ready"}, ["甲科技"]),
        ({"readiness": "close"}, ["乙科技"]),
        ({"readiness": "far"}, ["丙科技"]),
        ({"field": "02"}, ["丙科技"]),
        ({"field": "01"}, ["甲科技", "乙科技"]),
        ({"q": "乙"}, ["乙科技"]),
    ],
)
def test_filters(client, official, pool_entries, params, expected):
    client.force_login(official)
    assert names(client.get(reverse("districts:pool"), params)) == expected


def test_mark_for_cultivation(client, official, pool_entries):
    _ready, close, _far, _elsewhere = pool_entries
    client.force_login(official)
    entry = close.pool_entry
    response = client.post(reverse("districts:pool_cultivation", args=[entry.pk]), {"cultivation": "1"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.cultivation is True
    assert entry.history.latest().history_user == official
    assert names(client.get(reverse("districts:pool"), {"cultivation": "1"})) == ["乙科技"]


def test_other_district_cannot_mark_or_see(client, other_official, pool_entries):
    ready = pool_entries[0]
    client.force_login(other_official)
    assert names(client.get(reverse("districts:pool"))) == ["和平区某企业"]
    response = client.post(
        reverse("districts:pool_cultivation", args=[ready.pool_entry.pk]), {"cultivation": "1"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("person", ["enterprise_user", "expert_user", "municipal_user"])
def test_pool_page_only_for_officials(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("districts:pool")).status_code == 403


def test_pool_query_count(client, official, pool_entries, django_assert_max_num_queries):
    for _ in range(20):
        e = EnterpriseFactory(district=district("120116"))
        pool.pool_join(enterprise=e, by=official, payload=GOOD)
    client.force_login(official)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("districts:pool")).status_code == 200


def form_post(payload):
    post = {
        "rule_set": "tianjin-2015",
        "as_of": payload["as_of"],
        "field_code": payload["field_code"],
        "composite_score": str(payload["composite_score"]),
        "save_pool": "1",
    }
    for k, v in payload["staff"].items():
        post[f"staff.{k}"] = str(v)
    for i, fy in enumerate(payload["fiscal_years"]):
        for k, v in fy.items():
            post[f"fiscal_years[{i}].{k}"] = str(v)
    for i, item in enumerate(payload["ip"]):
        for k, v in item.items():
            post[f"ip[{i}].{k}"] = "" if v is None else str(v)
    return post


def test_enterprise_saves_self_assessment_in_browser(client, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get(reverse("certification:self_assessment"))
    assert page.status_code == 200 and "保存并进入备选库" in page.content.decode()
    response = client.post(reverse("certification:self_assessment"), form_post(GOOD))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = PoolEntry.objects.get(enterprise=enterprise_user.enterprise)
    assert entry.eligible is True
    page = client.get(reverse("certification:self_assessment")).content.decode()
    assert "已在备选库中" in page and 'value="100"' in page


def test_self_assessment_bad_input_saves_nothing(client, enterprise_user):
    client.force_login(enterprise_user)
    post = form_post(GOOD)
    post["staff.rd"] = "1000"
    response = client.post(reverse("certification:self_assessment"), post)
    assert response.status_code == 400
    assert not PoolEntry.objects.exists()
    assert 'value="1000"' in response.content.decode()
