"""The public list API of publicity: entries of the open notices, 50 a page, searchable and
filtered by district; each entry keeps the old shape's fields and carries its notice's."""

import datetime as dt

import pytest
from django.core.cache import cache

from certification.models import ApplicationStatus
from certification.publicity import services as publicity
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 9, 28)
URL = "/api/v1/publicity/"
ENTRY_FIELDS = {
    "id",
    "application",
    "enterprise_name",
    "uscc",
    "district",
    "field",
    "outcome",
    "change",
    "new_name",
}
NOTICE_FIELDS = {
    "id",
    "title",
    "district",
    "district_code",
    "kind",
    "start",
    "end",
    "end_confirmed",
    "status",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    cache.clear()
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))


def publish(official, n, *, code="120116", prefix="公示企业", title=""):
    apps = [
        ApplicationFactory(
            enterprise=EnterpriseFactory(name=f"{prefix}{i}", district=district(code)),
            status=ApplicationStatus.RECOMMENDED,
        )
        for i in range(n)
    ]
    publicity.publicity_publish(by=official, application_ids=[a.pk for a in apps], start=TODAY, title=title)
    return apps


def test_pages_of_fifty_with_next_link_and_the_old_fields(client, official):
    first = publish(official, 48, prefix="早公示企业", title="第一批")
    publish(official, 5, prefix="晚公示企业", title="第二批")
    page_one = client.get(URL).json()
    assert page_one["count"] == 53 and page_one["previous"] is None
    assert len(page_one["results"]) == 50 and "page=2" in page_one["next"]
    entry = page_one["results"][0]
    assert set(entry) == ENTRY_FIELDS | {"notice"} and set(entry["notice"]) == NOTICE_FIELDS
    assert entry["notice"]["title"] == "第二批" and entry["district"] == district("120116").name
    page_two = client.get(page_one["next"]).json()
    assert page_two["next"] is None and len(page_two["results"]) == 3
    assert {e["notice"]["title"] for e in page_two["results"]} == {"第一批"}
    assert {e["application"] for e in page_two["results"]} <= {a.pk for a in first}
    # A smaller page on request, never a larger one.
    assert len(client.get(URL, {"page_size": 10}).json()["results"]) == 10


def test_search_by_name_or_credit_code_and_filter_by_district(client, official, other_official):
    binhai = publish(official, 3, prefix="滨海企业")
    other = publish(other_official, 2, code=other_official.district.code, prefix="外区企业")
    by_name = client.get(URL, {"q": "滨海企业1"}).json()["results"]
    assert [e["application"] for e in by_name] == [binhai[1].pk]
    by_code = client.get(URL, {"q": other[0].enterprise.uscc.lower()}).json()["results"]
    assert [e["application"] for e in by_code] == [other[0].pk]
    in_district = client.get(URL, {"district": other_official.district.code}).json()
    assert in_district["count"] == 2 and {e["application"] for e in in_district["results"]} == {
        a.pk for a in other
    }
    assert client.get(URL, {"district": "120116", "q": "外区企业"}).json()["count"] == 0
    assert client.get(URL, {"kind": "rename"}).json()["count"] == 0
    assert client.get(URL, {"kind": "certification"}).json()["count"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "9"}, "page"),
        ({"page_size": "51"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"district": "滨海"}, "district"),
        ({"kind": "other"}, "kind"),
        ({"q": "企" * 101}, "q"),
    ],
)
def test_bad_parameters_are_400_with_the_reason(client, official, params, field):
    publish(official, 2)
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_query_count_does_not_grow_with_the_entries(
    client, official, other_official, django_assert_num_queries
):
    publish(official, 1, prefix="甲")
    # The fingerprint of the rows shown, the count, the page's ids, its rows (entry, notice, district,
    # enterprise, field, rename).
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
    publish(official, 30, prefix="乙")
    publish(other_official, 30, code=other_official.district.code, prefix="丙")
    # A search is not kept: no fingerprint.
    with django_assert_num_queries(3):
        assert client.get(URL, {"q": "乙1", "district": official.district.code}).json()["count"] == 11
    with django_assert_num_queries(4):
        body = client.get(URL).json()
    assert body["count"] == 61 and len(body["results"]) == 50
    # Nothing changed since: the same page from the cache after the fingerprint alone.
    with django_assert_num_queries(1):
        assert client.get(URL).json() == body
    publish(official, 1, prefix="丁")
    with django_assert_num_queries(4):
        assert client.get(URL).json()["count"] == 62
