"""The cadre help ledger's API for what the pages do: pairing, the needs survey, goals, the half-year ledger's
path (submit → enterprise confirm → district review → municipal filing), training, the enterprise's evaluation.

Same people as the pages; bad input is a 400 with a Chinese message and nothing written; lists are paginated
with their queries pinned.
"""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role
from cadres import services
from cadres.models import Assignment, CadreLevel, Evaluation, Goal, Ledger, NeedsSurvey, Training
from tests.cadres.conftest import make_cadre
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/cadres"


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


# --- Pairing -------------------------------------------------------------------------------------------


def test_the_office_pairs_a_cadre_and_the_cadre_and_enterprise_read_it(client, office, entry, cadre, owner):
    dept = make_cadre("dept", CadreLevel.BUREAU, municipal_unit=True)
    client.force_login(office)
    url = f"{API}/entries/{entry.pk}/assignments/"
    response = post(client, url, {"cadre": dept.pk, "kind": "department", "starts_on": "2026-02-01"})
    assert response.status_code == 201, response.content
    assert response.json()["ends_on"] == "2028-02-01"
    assert response.json()["municipal_unit"] is True
    for reader in (cadre, owner):
        client.force_login(reader)
        body = client.get(url).json()
        assert {r["kind"] for r in body["results"]} == {"primary", "department"}
        assert all(r["active"] for r in body["results"])


def test_pairing_refuses_bad_input_and_the_wrong_people(
    client, office, entry, cadre, owner, other_district_org
):
    url = f"{API}/entries/{entry.pk}/assignments/"
    division = make_cadre("div", CadreLevel.DIVISION)
    client.force_login(office)
    bad = post(client, url, {"cadre": 999999, "kind": "primary", "starts_on": "2026-02-01"})
    assert bad.status_code == 400 and "帮扶干部" in bad.json()["cadre"][0]
    bad = post(client, url, {"cadre": division.pk, "kind": "primary", "starts_on": "2026-02-01"})
    assert bad.status_code == 400 and "局级干部" in bad.json()["cadre"][0]
    assert post(client, url, {"cadre": division.pk, "kind": "boss", "starts_on": "x"}).status_code == 400
    for stranger in (cadre, owner):
        client.force_login(stranger)
        assert post(client, url, {"cadre": division.pk, "kind": "primary"}).status_code == 403
    client.force_login(other_district_org)  # another district's organisation department cannot see it
    assert client.get(url).status_code == 404
    assert (
        post(client, url, {"cadre": division.pk, "kind": "primary", "starts_on": "2026-02-01"}).status_code
        == 404
    )
    assert list(Assignment.objects.values_list("cadre", flat=True)) == [cadre.pk]


def test_a_district_organisation_department_pairs_in_its_district(client, entry, district_org):
    bureau = make_cadre("bureau2")
    client.force_login(district_org)
    response = post(
        client,
        f"{API}/entries/{entry.pk}/assignments/",
        {"cadre": bureau.pk, "kind": "primary", "starts_on": "2026-03-01"},
    )
    assert response.status_code == 201, response.content
    assert Assignment.objects.get(entry=entry).cadre == bureau


def test_a_past_pairing_gives_the_cadre_no_access(client, office, cadre):
    """Fix e: ended pairings are hidden from the cadre (404), like another cadre's enterprise."""
    old = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2023
    )
    services.assignment_set(by=office, entry=old, cadre=cadre, kind="primary", starts_on=dt.date(2023, 1, 1))
    client.force_login(cadre)
    assert client.get(f"{API}/entries/{old.pk}/").status_code == 404
    assert post(client, f"{API}/entries/{old.pk}/goals/", {"year": 2026, "text": "x"}).status_code == 404
    assert not Goal.objects.exists()


# --- The needs survey and goals ----------------------------------------------------------------------


def test_the_cadre_fills_the_survey_in_parts(client, entry, cadre, owner, other_cadre):
    url = f"{API}/entries/{entry.pk}/survey/"
    client.force_login(owner)
    assert client.get(url).json()["updated_at"] is None  # not answered yet
    assert client.patch(url, {"talent": "x"}, content_type="application/json").status_code == 403
    client.force_login(cadre)
    bad = client.patch(url, {"talent": "", "financing": ""}, content_type="application/json")
    assert bad.status_code == 400 and "至少填写一项" in bad.json()["__all__"][0]
    assert not NeedsSurvey.objects.exists()
    response = client.patch(url, {"talent": "研发骨干 20 名"}, content_type="application/json")
    assert response.status_code == 200, response.content
    response = client.patch(url, {"financing": "B 轮融资"}, content_type="application/json")
    assert (response.json()["talent"], response.json()["financing"]) == ("研发骨干 20 名", "B 轮融资")
    too_long = client.patch(url, {"talent": "长" * 2001}, content_type="application/json")
    assert too_long.status_code == 400
    assert NeedsSurvey.objects.get().talent == "研发骨干 20 名"
    client.force_login(other_cadre)
    assert client.get(url).status_code == 404


def test_the_cadre_sets_goals(client, entry, cadre, owner):
    url = f"{API}/entries/{entry.pk}/goals/"
    client.force_login(cadre)
    assert post(client, url, {"year": 2026, "text": "营业收入增长 20%"}).status_code == 201
    assert post(client, url, {"text": "五年内超过 10 亿元"}).status_code == 201
    bad = post(client, url, {"year": 1999, "text": "x"})
    assert bad.status_code == 400 and "year" in bad.json()
    assert post(client, url, {"year": 2027, "text": "   "}).status_code == 400
    assert Goal.objects.count() == 2
    client.force_login(owner)
    assert [g["year"] for g in client.get(url).json()["results"]] == [2026, None]
    assert post(client, url, {"year": 2027, "text": "x"}).status_code == 403


# --- The half-year ledger ----------------------------------------------------------------------------


def test_the_ledger_goes_through_the_api_like_the_pages(
    client, entry, cadre, owner, district_org, district_official, office
):
    client.force_login(cadre)
    response = post(
        client, f"{API}/entries/{entry.pk}/ledgers/", {"year": 2026, "half": "h1", "summary": "走访 3 次"}
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "submitted"
    # The district's organisation department cannot review before the enterprise confirms (409).
    client.force_login(district_org)
    assert post(client, f"{API}/ledgers/{pk}/review/", {"decision": "pass"}).status_code == 409
    client.force_login(owner)
    bad = post(client, f"{API}/ledgers/{pk}/confirm/", {"decision": "return", "note": ""})
    assert bad.status_code == 400 and "note" in bad.json()
    assert post(client, f"{API}/ledgers/{pk}/confirm/", {"decision": "maybe"}).status_code == 400
    assert Ledger.objects.get().status == "submitted"
    assert post(client, f"{API}/ledgers/{pk}/confirm/", {"decision": "pass"}).json()["status"] == "confirmed"
    # The district's S&T official does not review (fix a): 403.
    client.force_login(district_official)
    assert post(client, f"{API}/ledgers/{pk}/review/", {"decision": "pass"}).status_code == 403
    client.force_login(district_org)
    queue = client.get(f"{API}/ledgers/?status=confirmed").json()
    assert [r["id"] for r in queue["results"]] == [pk]
    assert client.get(f"{API}/ledgers/?status=nonsense").status_code == 400
    assert (
        post(client, f"{API}/ledgers/{pk}/review/", {"decision": "pass"}).json()["status"]
        == "district_reviewed"
    )
    assert post(client, f"{API}/ledgers/{pk}/file/", {}).status_code == 403
    client.force_login(office)
    response = post(client, f"{API}/ledgers/{pk}/file/", {})
    assert response.status_code == 200 and response.json()["status"] == "filed"
    assert post(client, f"{API}/ledgers/{pk}/file/", {}).status_code == 409
    assert [h.status for h in Ledger.objects.get().history.order_by("history_id")] == [
        "draft",
        "submitted",
        "confirmed",
        "district_reviewed",
        "filed",
    ]


def test_a_bad_ledger_submission_is_a_400_with_nothing_written(client, entry, cadre, owner):
    url = f"{API}/entries/{entry.pk}/ledgers/"
    client.force_login(owner)
    assert post(client, url, {"year": 2026, "half": "h1", "summary": "x"}).status_code == 403
    client.force_login(cadre)
    bad = post(client, url, {"year": 2026, "half": "q3", "summary": " "})
    assert bad.status_code == 400 and set(bad.json()) >= {"half"}
    assert post(client, url, {"year": 2026, "half": "h1", "summary": "   "}).status_code == 400
    assert not Ledger.objects.exists()


# --- Training and evaluations ------------------------------------------------------------------------


def test_the_office_records_training(client, office, cadre, organisation):
    url = f"{API}/training/"
    client.force_login(office)
    body = {"held_on": "2026-03-10", "topic": "新型企业家大讲堂", "speaker": "张教授", "attendance": 120}
    assert post(client, url, body).status_code == 201
    bad = post(client, url, {**body, "attendance": 0})
    assert bad.status_code == 400 and "attendance" in bad.json()
    assert post(client, url, {**body, "topic": ""}).status_code == 400
    assert Training.objects.count() == 1
    client.force_login(organisation)
    assert [t["topic"] for t in client.get(f"{url}?year=2026").json()["results"]] == ["新型企业家大讲堂"]
    assert client.get(f"{url}?year=2025").json()["results"] == []
    assert client.get(f"{url}?year=abc").status_code == 400
    client.force_login(cadre)
    assert client.get(url).status_code == 403
    assert post(client, url, body).status_code == 403


def test_the_enterprise_evaluates_its_cadre_once_a_period(client, entry, cadre, owner, other_cadre):
    url = f"{API}/entries/{entry.pk}/evaluations/"
    body = {"cadre": cadre.pk, "year": 2026, "half": "h1", "score": 5, "text": "帮扶有力"}
    client.force_login(cadre)
    assert post(client, url, body).status_code == 403
    client.force_login(owner)
    bad = post(client, url, {**body, "score": 6})
    assert bad.status_code == 400 and "score" in bad.json()
    bad = post(client, url, {**body, "cadre": other_cadre.pk})
    assert bad.status_code == 400 and "不是本企业的帮扶干部" in bad.json()["cadre"][0]
    assert post(client, url, body).status_code == 201
    again = post(client, url, body)
    assert again.status_code == 400 and "每期只评价一次" in again.json()["__all__"][0]
    assert Evaluation.objects.count() == 1
    client.force_login(cadre)
    assert [e["score"] for e in client.get(url).json()["results"]] == [5]


# --- Query counts --------------------------------------------------------------------------------------


def _many_ledgers(office, n: int):  # type: ignore[no-untyped-def]
    from tests.factories import district

    for i in range(n):
        c = make_cadre(f"q{i}")
        e = services.entry_add(
            by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
        )
        services.assignment_set(by=office, entry=e, cadre=c, kind="primary", starts_on=dt.date(2026, 1, 1))
        services.ledger_submit(by=c, entry=e, year=2026, half="h1", summary=f"小结{i}")
    return UserFactory(role=Role.ORGANISATION, district=district(), username="queue_org")


def test_the_ledger_list_is_paginated_with_pinned_queries(client, office, django_assert_max_num_queries):
    org = _many_ledgers(office, 23)
    client.force_login(org)
    # session, user, count, rows (one join for the enterprise): no query per row (no session save: the
    # sign-in renewed the session).
    with django_assert_max_num_queries(4):
        body = client.get(f"{API}/ledgers/").json()
    assert body["count"] == 23 and len(body["results"]) == 20


def test_the_entry_lists_have_pinned_queries(
    client, office, entry, cadre, owner, django_assert_max_num_queries
):
    for year in range(2026, 2041):
        services.goal_set(by=cadre, entry=entry, year=year, text=f"{year} 年目标")
        services.ledger_submit(by=cadre, entry=entry, year=year, half="h1", summary="小结")
        services.evaluation_add(by=owner, entry=entry, cadre=cadre, year=year, half="h1", score=4, text="")
    for year in range(2028, 2040, 2):  # six earlier and later pairings of the enterprise
        services.assignment_set(
            by=office,
            entry=entry,
            cadre=make_cadre(f"p{year}"),
            kind="primary",
            starts_on=dt.date(year, 1, 1),
        )
    client.force_login(office)
    # session, user, the entry, count, rows (with their joins): the same for 1 row or 20.
    for name, rows in (("goals", 15), ("ledgers", 15), ("evaluations", 15), ("assignments", 7)):
        with django_assert_max_num_queries(5):
            body = client.get(f"{API}/entries/{entry.pk}/{name}/").json()
        assert body["count"] == rows, name
    for _ in range(25):
        services.training_add(
            by=office,
            data={"held_on": dt.date(2026, 5, 1), "topic": "讲座", "speaker": "专家", "attendance": 30},
        )
    with django_assert_max_num_queries(4):  # session, user, count, rows
        body = client.get(f"{API}/training/").json()
    assert body["count"] == 25 and len(body["results"]) == 20
