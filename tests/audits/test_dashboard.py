"""Dashboard numbers equal counts computed here, independently, from the rows; who sees which dashboard."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.dashboard import CITY_ANCHORS, dashboard
from audits.models import CheckKind, CheckStatus, SupervisionCheck, Target
from certification.applications.stage_dates import fold
from certification.models import Application, ApplicationTransition, Certificate, PoolEntry
from tests.audits import builders as b
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db
YEAR = 2026
TODAY = dt.date(2026, 11, 20)
CODES = ("120116", "120101", "120104")
FIELDS = ("0101", "0203", "0301", "0405", "05", None)
PATH = (
    "submitted",
    "accepted",
    "under_review",
    "reviewed",
    "recommended",
    "in_publicity",
    "publicity_passed",
    "filed",
    "approved",
    "certified",
)
STAGES = (("submitted", "accepted"), ("accepted", "reviewed"), ("reviewed", "filed"), ("filed", "approved"))


def _local(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, b.BJ).date()


def build_world(seed: int = 7, size: int = 45) -> None:
    """A varied data set: three districts, six fields, every depth of the pipeline, resubmissions, late
    filings, last year's rows, drafts, certificates (some revoked), pool entries, targets and checks."""
    rng = random.Random(seed)
    official = UserFactory(official=True)
    for i in range(size):
        code = rng.choice(CODES)
        depth = rng.randint(1, len(PATH))
        resubmitted = rng.random() < 0.25
        app = b.application(code, status=PATH[depth - 1], field_code=rng.choice(FIELDS))
        steps: list[tuple[str, str]] = []
        when = b.at(f"2026-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 20):02d}:15")
        for status in PATH[:depth]:
            if status == "accepted" and resubmitted:
                steps.append(("returned", when.strftime("%Y-%m-%d %H:%M")))
                when += dt.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 5))
                steps.append(("submitted", when.strftime("%Y-%m-%d %H:%M")))
                when += dt.timedelta(days=rng.randint(1, 9))
            steps.append((status, when.strftime("%Y-%m-%d %H:%M")))
            if status == "accepted":
                # The 40-day clock; some applications get a tight one so that they file late.
                app.review_deadline = _local(when) + dt.timedelta(days=rng.choice((40, 40, 40, 12)))
                app.save(update_fields=["review_deadline"])
            when += dt.timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 23))
        b.transitions(app, steps, by=official)
        if app.status == "certified":
            b.certificate(app, _local(when), official, revoked=rng.random() < 0.2)
        if i % 9 == 0:  # last year's application and certificate: not this year's numbers
            old = b.application(code, status="certified", year=YEAR - 1, field_code="0101")
            b.transitions(old, [("submitted", "2025-03-01 09:00"), ("accepted", "2025-03-05 09:00")])
            b.certificate(old, dt.date(2025, 12, 30), official)
        if i % 7 == 0:
            b.application(code, status="draft", field_code="0101")
    for _ in range(size // 2):
        b.pool_entry(
            rng.choice(CODES), readiness=rng.choice(("ready", "close", "far")), cultivation=rng.random() < 0.3
        )
    office = UserFactory(municipal=True)
    for year, code, certified, pool in (
        (YEAR, "120116", 12, 30),
        (YEAR, "120101", 5, 9),
        (YEAR - 1, "120104", 99, 99),
    ):
        Target.objects.update_or_create(
            year=year,
            district=district(code),
            defaults={"certified_target": certified, "pool_target": pool, "set_by": office},
        )
    for n in range(9):
        SupervisionCheck.objects.create(
            kind=CheckKind.DISTRICT_WORK,
            district=district(CODES[n % 3]),
            subject=f"检查 {n}",
            scheduled_on=TODAY + dt.timedelta(days=rng.randint(-30, 30)),
            status=CheckStatus.DONE if n % 4 == 0 else CheckStatus.PLANNED,
            created_by=office,
        )


def expected(code: str | None) -> dict:
    """The numbers, counted row by row without the dashboard's code."""
    in_scope = (lambda d: True) if code is None else (lambda d: d == code)
    months = [0] * 12
    for c in Certificate.objects.select_related("district"):
        if c.issued_on.year == YEAR and in_scope(c.district.code):
            months[c.issued_on.month - 1] += 1
    apps = [
        a
        for a in Application.objects.select_related("enterprise__district", "field")
        if a.year == YEAR and a.status != "draft" and in_scope(a.enterprise.district.code)
    ]
    pipeline = Counter(a.status for a in apps)
    by_field: Counter = Counter()
    for a in apps:
        if a.field is not None:
            by_field[a.field.parent.name if a.field.parent_id else a.field.name] += 1
    filed = on_time = 0
    stage_days_: dict[tuple[str, str], list[int]] = {s: [] for s in STAGES}
    for a in apps:
        rows = sorted(ApplicationTransition.objects.filter(application=a), key=lambda t: (t.at, t.id))
        filed_rows = [t for t in rows if t.to_status == "filed"]
        if filed_rows:
            filed += 1
            on_time += _local(filed_rows[0].at) <= a.review_deadline
        for first, second in STAGES:
            ends = [t.at for t in rows if t.to_status == second]
            if not ends:
                continue
            starts = [t.at for t in rows if t.to_status == first and t.at <= ends[0]]
            if starts:
                stage_days_[(first, second)].append((_local(ends[0]) - _local(max(starts))).days)
    pool = Counter(
        e.readiness
        for e in PoolEntry.objects.select_related("enterprise__district")
        if in_scope(e.enterprise.district.code)
    )
    checks = [c for c in SupervisionCheck.objects.select_related("district") if in_scope(c.district.code)]
    targets = [
        t for t in Target.objects.select_related("district") if t.year == YEAR and in_scope(t.district.code)
    ]
    return {
        "months": months,
        "pipeline": pipeline,
        "by_field": by_field,
        "filed": filed,
        "on_time": on_time,
        "medians": {s: (statistics.median(v) if v else None) for s, v in stage_days_.items()},
        "pool": pool,
        "open_checks": sum(1 for c in checks if c.status == "planned"),
        "overdue": sum(1 for c in checks if c.status == "planned" and c.scheduled_on < TODAY),
        "certified_target": sum(t.certified_target for t in targets) if targets else None,
    }


def assert_scope(scope, dash, want: dict) -> None:  # type: ignore[no-untyped-def]
    assert scope.certified_by_month == want["months"]
    assert dict(scope.pipeline) == dict(want["pipeline"])
    assert {name: n for name, n, _c in dash.field_rows(scope)} == dict(want["by_field"])
    assert (scope.filed, scope.filed_on_time) == (want["filed"], want["on_time"])
    assert {(s.from_status, s.to_status): s.median for s in scope.stages} == want["medians"]
    assert dict(scope.readiness) == dict(want["pool"])
    assert (scope.open_checks, scope.overdue_checks) == (want["open_checks"], want["overdue"])
    assert scope.certified_target == want["certified_target"]


@pytest.fixture
def world():
    build_world()


def test_city_numbers_equal_independent_counts(world):
    dash = dashboard(YEAR, today=TODAY)
    want = expected(None)
    assert want["filed"] > 3 and 0 < want["on_time"] < want["filed"]  # the data set exercises both sides
    assert_scope(dash.total, dash, want)
    assert dash.anchor is None and CITY_ANCHORS == {2015: 500, 2017: 1500}


@pytest.mark.parametrize("code", CODES)
def test_each_district_equals_independent_counts(world, code):
    dash = dashboard(YEAR, district(code), today=TODAY)
    assert_scope(dash.total, dash, expected(code))
    # … and the same row on the city dashboard.
    city = dashboard(YEAR, today=TODAY)
    row = next(s for s in city.districts if s.district.code == code)
    assert_scope(row, city, expected(code))


def test_city_totals_are_the_sum_of_the_districts(world):
    city = dashboard(YEAR, today=TODAY)
    assert city.total.certified == sum(s.certified for s in city.districts)
    assert city.total.applications == sum(s.applications for s in city.districts)
    assert city.total.pool == sum(s.pool for s in city.districts)
    assert city.total.certified_target == 17 and city.total.pool_target == 39


def test_share_and_anchor_arithmetic(world):
    dash = dashboard(YEAR, today=TODAY)
    want = expected(None)
    share = (Decimal(want["on_time"] * 100) / Decimal(want["filed"])).quantize(Decimal("0.1"))
    assert dash.total.on_time_share == share
    assert dashboard(2015, today=TODAY).anchor == 500 and dashboard(2017, today=TODAY).anchor == 1500
    assert dashboard(2017, today=TODAY).national_anchor == 3000


def test_stage_dates_take_the_last_start_before_the_first_end():
    history = [
        ("submitted", b.at("2026-03-01 23:30")),
        ("returned", b.at("2026-03-02 10:00")),
        ("submitted", b.at("2026-03-05 00:10")),
        ("accepted", b.at("2026-03-09 08:00")),
        ("submitted", b.at("2026-03-20 08:00")),  # after the acceptance: not the start
        ("accepted", b.at("2026-03-25 08:00")),  # nor is a second acceptance the end
    ]
    dates = fold(history)
    assert dates["acceptance_started_on"] == dt.date(2026, 3, 5)
    assert dates["acceptance_ended_on"] == dt.date(2026, 3, 9)
    assert dates["acceptance_days"] == 4
    # The review stage has started, from its last start so far, and not ended.
    assert dates["review_started_on"] == dt.date(2026, 3, 25)
    assert dates["review_ended_on"] is None and dates["review_days"] is None
    # Beijing dates: 23:30 on 1 March Beijing is still 1 March, whatever the server's clock zone.
    dates = fold([("filed", b.at("2026-03-01 23:30")), ("approved", b.at("2026-03-02 00:30"))])
    assert (dates["approval_days"], dates["filing_ended_on"]) == (1, dt.date(2026, 3, 1))
    # An end with no start before it: no length, and a later start does not give it one.
    dates = fold([("accepted", b.at("2026-03-01 09:00")), ("submitted", b.at("2026-03-02 09:00"))])
    assert dates["acceptance_ended_on"] == dt.date(2026, 3, 1) and dates["acceptance_days"] is None
    assert dates["acceptance_started_on"] is None


def _table(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</table>', body, re.S)
    assert match, testid
    return match.group(0)


def test_page_tables_show_the_same_numbers(client, world, municipal_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, 0, tzinfo=b.BJ))
    client.force_login(municipal_user)
    response = client.get("/municipal/dashboard/", {"year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    want = expected(None)
    pipeline = dict(
        re.findall(
            r'data-status="(\w+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td>',
            _table(body, "table-pipeline"),
        )
    )
    assert {k: int(v) for k, v in pipeline.items() if int(v)} == dict(want["pipeline"])
    monthly = [
        int(n)
        for n in re.findall(
            r'<th scope="row">\d+月</th><td class="num">(\d+)</td>', _table(body, "table-certified")
        )
    ]
    assert monthly == want["months"]
    readiness = dict(
        re.findall(r'data-readiness="(\w+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td>', body)
    )
    assert {k: int(v) for k, v in readiness.items() if int(v)} == dict(want["pool"])
    assert "<svg" in body and "<title" in body and "<script" not in body and " onload=" not in body
    assert 'data-testid="anchors"' in body
    # Each chart has a table beside it.
    assert body.count('class="panel chart-block') == body.count('<svg class="chart')


def test_office_sees_any_district_and_compares_them(client, world, municipal_user):
    client.force_login(municipal_user)
    body = client.get("/municipal/dashboard/", {"year": YEAR}).content.decode()
    for code in CODES:
        assert f'data-district="{code}"' in body
    response = client.get("/municipal/dashboard/120101/", {"year": YEAR})
    assert response.status_code == 200 and "和平区" in response.content.decode()
    assert client.get("/municipal/dashboard/999999/").status_code == 404


def test_official_sees_only_their_district(client, world, official):
    client.force_login(official)
    response = client.get("/district/dashboard/", {"year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert "滨海新区" in body and 'data-testid="table-districts"' not in body
    want = expected("120116")
    pipeline = dict(
        re.findall(r'data-status="(\w+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td>', body)
    )
    assert {k: int(v) for k, v in pipeline.items() if int(v)} == dict(want["pipeline"])
    assert client.get("/district/dashboard/120116/").status_code == 200
    assert client.get("/district/dashboard/120101/").status_code == 404  # another district's
    assert client.get("/municipal/dashboard/120101/").status_code == 403  # the office's pages are not theirs


@pytest.mark.parametrize(
    ("person", "url", "expected_status"),
    [
        ("enterprise_user", "/district/dashboard/", 403),
        ("expert_user", "/municipal/dashboard/", 403),
        ("anonymous", "/municipal/dashboard/", 302),
        ("anonymous", "/district/dashboard/", 302),
        ("other_official", "/district/dashboard/120116/", 404),
        ("municipal_user", "/district/dashboard/", 403),
    ],
)
def test_dashboard_access(client, request, person, url, expected_status):
    user = request.getfixturevalue(person)
    if user is not None:
        client.force_login(user)
    assert client.get(url).status_code == expected_status


def test_selector_query_count_is_fixed(django_assert_num_queries):
    build_world(seed=1, size=10)
    with django_assert_num_queries(8):
        dashboard(YEAR, today=TODAY)
    binhai = district("120116")
    with django_assert_num_queries(7):
        dashboard(YEAR, binhai, today=TODAY)
    build_world(seed=2, size=30)
    with django_assert_num_queries(8):
        dashboard(YEAR, today=TODAY)


def _page_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_does_not_grow_with_data(
    client, municipal_user, official, django_assert_max_num_queries, django_assert_num_queries
):
    from django.core.cache import cache

    build_world(seed=3, size=8)
    client.force_login(municipal_user)
    client.get(f"/municipal/dashboard/?year={YEAR}")  # the first request renews the new session
    cache.clear()
    small = _page_queries(client, f"/municipal/dashboard/?year={YEAR}")
    build_world(seed=4, size=40)  # new rows: a new fingerprint, the figures computed again
    assert _page_queries(client, f"/municipal/dashboard/?year={YEAR}") == small
    # Nine are the dashboard's (the districts, seven selector queries, the open checks), one the
    # fingerprint of the cached figures, three the city dashboard's "四单一库" section
    # (listings.selectors.office_summary: the period target, one aggregated count, the targets); the
    # rest are the session, the user and the site's context processors.
    assert small <= 19
    # Nothing changed: the figures come from the cache, without the districts and the seven queries.
    with django_assert_num_queries(small - 8):
        client.get(f"/municipal/dashboard/?year={YEAR}")
    client.force_login(official)
    with django_assert_max_num_queries(18):
        client.get(f"/district/dashboard/?year={YEAR}")


def test_cached_figures_follow_every_change(django_assert_num_queries):
    """The figures are served from the cache until something they count changes, then computed again
    on the next request: a new application, a status change, a certificate, a target."""
    from audits.dashboard import cached_dashboard

    build_world(seed=5, size=12)
    first = cached_dashboard(YEAR, today=TODAY)
    assert first.total.pipeline == dashboard(YEAR, today=TODAY).total.pipeline
    with django_assert_num_queries(1):  # the fingerprint only
        assert cached_dashboard(YEAR, today=TODAY).total.pipeline == first.total.pipeline

    official = UserFactory(official=True)
    app = b.application("120116", status="submitted", field_code="0101")
    b.transitions(app, [("submitted", "2026-05-04 10:00")], by=official)
    after_new = cached_dashboard(YEAR, today=TODAY)
    assert after_new.total.pipeline["submitted"] == first.total.pipeline["submitted"] + 1

    app.status = "accepted"  # as the workflow does it: the application saved, a transition written
    app.save(update_fields=["status"])
    b.transitions(app, [("submitted", "2026-05-04 10:00"), ("accepted", "2026-05-06 10:00")], by=official)
    after_accept = cached_dashboard(YEAR, today=TODAY)
    assert after_accept.total.pipeline["submitted"] == first.total.pipeline["submitted"]
    assert after_accept.total.pipeline["accepted"] == first.total.pipeline["accepted"] + 1

    Target.objects.update_or_create(
        year=YEAR, district=district("120116"), defaults={"certified_target": 999, "pool_target": 5}
    )
    binhai = next(s for s in cached_dashboard(YEAR, today=TODAY).districts if s.district.code == "120116")
    assert binhai.certified_target == 999
    assert cached_dashboard(YEAR, today=TODAY).total.pipeline == dashboard(YEAR, today=TODAY).total.pipeline
