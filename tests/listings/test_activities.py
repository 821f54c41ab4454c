"""Trainings and roadshows (主要工作内容（一）（二）): recording with attendance, the speakers' and head
count's checks, who sees which activity, the year's page against 12 and 3, the entry page, the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.errors import DomainPermissionDenied, InvalidInput
from listings import selectors, services
from listings.models import Activity, Attendance
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def broker(municipal_user):
    return services.institution_add(by=municipal_user, name="渤海证券", kind="broker")


def training(by, **overrides):
    fields = {
        "kind": "training",
        "held_on": DAY,
        "topic": "股改条件与公司治理",
        "place": "市科委报告厅",
        "head_count": 40,
        "speakers": ["王律师"],
    }
    fields.update(overrides)
    return services.activity_record(by=by, **fields)


def test_training_with_attendance_is_recorded_with_history(municipal_user, broker):
    first, second = EnterpriseFactory(), EnterpriseFactory()
    activity = training(
        municipal_user,
        speakers=["王律师", " 李会计 ", ""],
        enterprise_codes=[first.uscc, second.uscc.lower(), first.uscc],
        institution_ids=[broker.pk],
    )
    assert activity.district is None  # the office's activity is the city's
    assert activity.speakers == ["王律师", "李会计"]
    assert set(activity.attendances.values_list("enterprise_id", flat=True)) == {first.pk, second.pk, None}
    assert activity.attendances.filter(institution=broker).count() == 1
    assert Attendance.history.filter(history_type="+", history_user=municipal_user).count() == 3
    assert activity.history.count() == 1


def test_a_district_records_its_own_activity(official):
    activity = training(official, kind="roadshow", speakers=[])
    assert activity.district_id == official.district_id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"speakers": []}, "speakers"),  # 每次邀请1至2位主讲人
        ({"speakers": ["甲", "乙", "丙"]}, "speakers"),
        ({"kind": "roadshow", "speakers": ["讲"] * 11}, "speakers"),
        ({"kind": "salon"}, "kind"),
        ({"held_on": None}, "held_on"),
        ({"held_on": dt.date(2999, 1, 1)}, "held_on"),
        ({"held_on": dt.date(2015, 12, 31)}, "held_on"),
        ({"topic": "  "}, "topic"),
        ({"place": ""}, "place"),
        ({"head_count": 0}, "head_count"),
        ({"enterprise_codes": ["911201160000000000"]}, "enterprises"),
        ({"institution_ids": [999999]}, "institutions"),
    ],
)
def test_bad_input_writes_nothing(municipal_user, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        training(municipal_user, **overrides)
    assert field in exc.value.errors
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_head_count_covers_every_attending_party(municipal_user, broker):
    codes = [EnterpriseFactory().uscc, EnterpriseFactory().uscc]
    with pytest.raises(InvalidInput) as exc:
        training(municipal_user, head_count=2, enterprise_codes=codes, institution_ids=[broker.pk])
    assert "少于参加的企业和机构数（3）" in exc.value.errors["head_count"][0]
    assert not Activity.objects.exists()


def test_only_the_office_and_districts_record(enterprise_user):
    with pytest.raises(DomainPermissionDenied):
        training(enterprise_user)
    assert not Activity.objects.exists()


def test_districts_see_the_citys_and_their_own(municipal_user, official, other_official):
    city = training(municipal_user)
    binhai = training(official, topic="滨海股改培训")
    assert set(selectors.activities_for(other_official, year=2026)) == {city}
    assert set(selectors.activities_for(official, year=2026)) == {city, binhai}
    assert set(selectors.activities_for(municipal_user, year=2026)) == {city, binhai}
    assert not selectors.activities_for(official, year=2025).exists()


def test_counts_against_the_yearly_targets(municipal_user, official):
    for month in (1, 2, 3):
        training(municipal_user, held_on=dt.date(2026, month, 5))
    training(municipal_user, kind="roadshow", speakers=[])
    training(official)
    training(municipal_user, held_on=dt.date(2025, 6, 1))
    counts = {
        c.kind: (c.city, c.target, c.districts) for c in selectors.activity_counts(municipal_user, year=2026)
    }
    assert counts == {"training": (3, 12, 1), "roadshow": (1, 3, 0)}


def test_year_page_filters_paginates_and_pins_queries(client, municipal_user, django_assert_max_num_queries):
    for day in range(1, 28):
        training(municipal_user, held_on=dt.date(2026, 1, day), topic=f"培训第{day}期")
    training(municipal_user, kind="roadshow", speakers=[], topic="春季融资路演")
    client.force_login(municipal_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("listings:activities"), {"year": 2026, "kind": "training"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "27 / 12" in page and "1 / 3" in page
    assert "春季融资路演" not in page and page.count("培训第") == 25
    assert "kind=training" in page and "page=2" in page
    response = client.get(reverse("listings:activities"), {"year": 2026, "kind": "training", "page": 2})
    assert response.content.decode().count("培训第") == 2
    assert "春季融资路演" in client.get(reverse("listings:activities"), {"year": 2026}).content.decode()


def test_add_page_detail_page_and_entry_page(client, municipal_user, official, other_official, broker):
    enterprise = EnterpriseFactory(name="天津路演参会科技有限公司")
    entry = services.entry_add(enterprise=enterprise, stage="reserve", by=municipal_user)
    client.force_login(official)
    form = {
        "kind": "training",
        "held_on": "2026-03-02",
        "topic": "上市挂牌流程",
        "speakers": "张教授\n刘律师\n赵会计",
        "place": "滨海新区政务中心",
        "head_count": "30",
        "enterprises": enterprise.uscc,
        "institutions": [str(broker.pk)],
        "confirm": "1",
    }
    response = client.post(reverse("listings:activity_add"), form)
    assert response.status_code == 400
    assert "1 至 2 位主讲人" in response.content.decode()
    response = client.post(reverse("listings:activity_add"), {**form, "speakers": "张教授", "confirm": ""})
    assert response.status_code == 400
    assert "请确认已核对活动内容" in response.content.decode()
    assert not Activity.objects.exists()
    response = client.post(reverse("listings:activity_add"), {**form, "speakers": "张教授\n刘律师"})
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "listings:activity_detail", args=[activity.pk]
    )
    with_attendance = client.get(reverse("listings:activity_detail", args=[activity.pk])).content.decode()
    assert "天津路演参会科技有限公司" in with_attendance and "渤海证券" in with_attendance
    assert "张教授、刘律师" in with_attendance
    assert "上市挂牌流程" in client.get(reverse("listings:entry_detail", args=[entry.pk])).content.decode()
    client.force_login(other_official)  # another district's activity is a 404
    assert client.get(reverse("listings:activity_detail", args=[activity.pk])).status_code == 404


def test_detail_query_count_is_pinned(client, municipal_user, django_assert_max_num_queries):
    codes = [EnterpriseFactory().uscc for _ in range(15)]
    activity = training(municipal_user, enterprise_codes=codes)
    client.force_login(municipal_user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("listings:activity_detail", args=[activity.pk]))
    assert response.content.decode().count("mono muted") == 15


def test_api_list_create_read(client, municipal_user, official, other_official, broker):
    enterprise = EnterpriseFactory()
    client.force_login(official)
    body = {
        "kind": "roadshow",
        "held_on": "2026-03-02",
        "topic": "科技型企业融资路演",
        "place": "滨海新区",
        "head_count": 1,
        "enterprises": [enterprise.uscc],
        "institutions": [broker.pk],
    }
    response = client.post("/api/v1/listings/activities/", body, content_type="application/json")
    assert response.status_code == 400 and "head_count" in response.json()
    assert not Activity.objects.exists()
    response = client.post(
        "/api/v1/listings/activities/", {**body, "head_count": 60}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["district"] == "120116"
    assert {a["enterprise_uscc"] for a in created["attendances"]} == {enterprise.uscc, None}
    listed = client.get("/api/v1/listings/activities/?year=2026&kind=roadshow").json()
    assert listed["count"] == 1 and listed["results"][0]["topic"] == "科技型企业融资路演"
    assert client.get("/api/v1/listings/activities/?year=abc").status_code == 400
    assert client.get(f"/api/v1/listings/activities/{created['id']}/").status_code == 200
    client.force_login(other_official)
    assert client.get(f"/api/v1/listings/activities/{created['id']}/").status_code == 404
    assert client.get("/api/v1/listings/activities/?year=2026").json()["count"] == 0
    client.force_login(UserFactory(enterprise_user=True))
    assert client.get("/api/v1/listings/activities/").status_code == 403
