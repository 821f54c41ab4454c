"""Supervision checks (监督检查): scheduling, random spot checks reproducible by seed, results, who sees what."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.models import CheckKind, CheckStatus, SpotCheckDraw, SupervisionCheck
from audits.services.office import (
    check_random_spot_checks,
    check_record_result,
    check_schedule,
    draw_spot_checks,
    spot_check_eligible,
    spot_check_replay,
)
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from tests.audits import builders as b
from tests.factories import district

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(official, other_official):
    """Twelve certificates in two districts, one revoked, one expired before 2026, one issued in 2027."""
    rows = []
    for i in range(12):
        code = "120116" if i % 2 else "120101"
        issued = dt.date(2025, 1 + i, 1) if i < 10 else dt.date(2026, 2, 1)
        rows.append(b.certificate(b.application(code, status="certified"), issued, official, revoked=i == 3))
    rows.append(
        b.certificate(b.application("120116", status="certified"), dt.date(2022, 1, 1), official)
    )  # expired 2024
    rows.append(
        b.certificate(b.application("120116", status="certified"), dt.date(2027, 1, 5), official)
    )  # later
    return rows


def test_pure_draw_is_reproducible_and_seed_dependent():
    pool = list(range(1, 101))
    first = draw_spot_checks(pool, 10, "seed-1")
    assert draw_spot_checks(list(reversed(pool)), 10, "seed-1") == first  # order of the pool does not matter
    assert len(set(first)) == 10 and set(first) <= set(pool)
    assert draw_spot_checks(pool, 10, "seed-2") != first
    assert sorted(draw_spot_checks([5, 6, 7], 10, "x")) == [5, 6, 7]  # more asked than there are: all
    with pytest.raises(ValueError):
        draw_spot_checks(pool, 3, "x", version="spot-0")


def test_eligible_pool_is_certificates_held_during_the_year(certified):
    eligible = spot_check_eligible(2026)
    assert certified[3].pk not in eligible  # revoked
    assert certified[12].pk not in eligible and certified[13].pk not in eligible  # expired, not yet issued
    assert len(eligible) == 11 and eligible == sorted(eligible)


def test_random_spot_checks_are_reproducible_with_the_stored_seed(certified, municipal_user):
    draw = check_random_spot_checks(
        by=municipal_user, year=2026, count=4, seed="2026-抽查", scheduled_on=dt.date(2026, 6, 1)
    )
    again = check_random_spot_checks(
        by=municipal_user, year=2026, count=4, seed="2026-抽查", scheduled_on=dt.date(2026, 6, 1)
    )
    assert draw.chosen_ids == again.chosen_ids and len(draw.chosen_ids) == 4
    assert spot_check_replay(draw) == draw.chosen_ids
    checks = list(draw.checks.order_by("id"))
    assert [c.certificate_id for c in checks] == draw.chosen_ids
    assert all(c.kind == CheckKind.SPOT_CHECK and c.status == CheckStatus.PLANNED for c in checks)
    assert all(c.district_id == c.certificate.district_id for c in checks)
    # A later revocation does not change what the stored draw chose from.
    certified[0].revoked_at = b.at("2026-07-01 10:00")
    certified[0].save()
    assert spot_check_replay(SpotCheckDraw.objects.get(pk=draw.pk)) == draw.chosen_ids
    # Without a seed one is generated and kept.
    generated = check_random_spot_checks(by=municipal_user, year=2026, count=2)
    assert len(generated.seed) == 32 and spot_check_replay(generated) == generated.chosen_ids


def test_random_spot_check_input(certified, municipal_user, official):
    with pytest.raises(InvalidInput):
        check_random_spot_checks(by=municipal_user, year=2026, count=0)
    with pytest.raises(InvalidInput):
        check_random_spot_checks(by=municipal_user, year=2019, count=3)  # no certificates then
    with pytest.raises(DomainPermissionDenied):
        check_random_spot_checks(by=official, year=2026, count=3)


def test_random_page_shows_the_draw_and_its_replay(client, certified, municipal_user):
    client.force_login(municipal_user)
    response = client.post(
        "/municipal/supervision/random/",
        {"year": 2026, "count": 3, "seed": "abc", "scheduled_on": "2026-06-01"},
    )
    assert response.status_code == 302
    draw = SpotCheckDraw.objects.get()
    body = client.get(response["Location"]).content.decode()
    assert "abc" in body and "结果一致" in body
    for pk in draw.chosen_ids:
        assert next(c for c in certified if c.pk == pk).number in body
    assert client.post("/municipal/supervision/random/", {"year": 2026, "count": 0}).status_code == 400


def test_office_schedules_and_records_checks(client, certified, municipal_user):
    client.force_login(municipal_user)
    response = client.post(
        "/municipal/supervision/new/",
        {
            "kind": "district_work",
            "district": "120116",
            "subject": "2026 年度认定工作检查",
            "scheduled_on": "2026-06-10",
        },
    )
    assert response.status_code == 302
    check = SupervisionCheck.objects.get()
    assert (
        check.district == district("120116")
        and check.certificate is None
        and check.created_by == municipal_user
    )
    # A spot check names a certificate of the chosen district.
    heping = next(c for c in certified if c.district.code == "120101" and not c.revoked_at)
    response = client.post(
        "/municipal/supervision/new/",
        {
            "kind": "spot_check",
            "district": "120116",
            "certificate": heping.number,
            "subject": "抽查",
            "scheduled_on": "2026-06-10",
        },
    )
    assert response.status_code == 400 and "该证书不属于所选的区" in response.content.decode()
    response = client.post(
        "/municipal/supervision/new/",
        {
            "kind": "spot_check",
            "district": "120101",
            "certificate": heping.number.lower(),
            "subject": "抽查",
            "scheduled_on": "2026-06-10",
        },
    )
    assert response.status_code == 302
    # Record the result.
    response = client.post(
        f"/municipal/supervision/{check.pk}/", {"result": "合格", "findings": "资料齐全。"}
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == CheckStatus.DONE and check.result == "合格" and check.done_by == municipal_user
    assert client.post(f"/municipal/supervision/{check.pk}/", {"result": "再记"}).status_code == 409
    with pytest.raises(ApplicationStateError):
        check_record_result(check=check, by=municipal_user, result="再记", findings="")


def test_schedule_rules(certified, municipal_user, official):
    with pytest.raises(InvalidInput) as exc:
        check_schedule(
            by=municipal_user,
            kind="spot_check",
            district=district("120116"),
            scheduled_on=dt.date(2026, 6, 1),
            subject="x",
        )
    assert "certificate" in exc.value.errors
    with pytest.raises(InvalidInput):
        check_schedule(
            by=municipal_user,
            kind="district_work",
            district=certified[1].district,
            scheduled_on=dt.date(2026, 6, 1),
            subject="x",
            certificate=certified[1],
        )
    with pytest.raises(DomainPermissionDenied):
        check_schedule(
            by=official,
            kind="district_work",
            district=district("120116"),
            scheduled_on=dt.date(2026, 6, 1),
            subject="x",
        )


def test_districts_see_the_checks_of_their_district_only(
    client, certified, municipal_user, official, other_official
):
    mine = check_schedule(
        by=municipal_user,
        kind="district_work",
        district=district("120116"),
        scheduled_on=dt.date(2026, 6, 1),
        subject="滨海检查",
    )
    theirs = check_schedule(
        by=municipal_user,
        kind="district_work",
        district=district("120101"),
        scheduled_on=dt.date(2026, 6, 1),
        subject="和平检查",
    )
    client.force_login(official)
    body = client.get("/district/supervision/").content.decode()
    assert "滨海检查" in body and "和平检查" not in body and "随机抽取" not in body
    assert client.get(f"/district/supervision/{mine.pk}/").status_code == 200
    assert client.get(f"/district/supervision/{theirs.pk}/").status_code == 404
    assert client.post(f"/district/supervision/{mine.pk}/", {"result": "x"}).status_code == 405
    assert client.get("/municipal/supervision/").status_code == 403
    client.force_login(municipal_user)
    body = client.get("/municipal/supervision/", {"district": "120101"}).content.decode()
    assert "和平检查" in body and "滨海检查" not in body
    body = client.get("/municipal/supervision/", {"status": "done"}).content.decode()
    assert "和平检查" not in body


def test_dashboards_show_open_checks(client, certified, municipal_user, official, time_machine):
    time_machine.move_to(b.at("2026-06-15 10:00"))
    check_schedule(
        by=municipal_user,
        kind="district_work",
        district=district("120116"),
        scheduled_on=dt.date(2026, 6, 1),
        subject="逾期的检查",
    )
    done = check_schedule(
        by=municipal_user,
        kind="district_work",
        district=district("120116"),
        scheduled_on=dt.date(2026, 6, 2),
        subject="已做的检查",
    )
    check_record_result(check=done, by=municipal_user, result="合格", findings="")
    client.force_login(official)
    body = client.get("/district/dashboard/").content.decode()
    assert "逾期的检查" in body and "已做的检查" not in body
    assert "其中逾期 1 项" in body


def test_supervision_lists_query_count_is_constant(client, certified, municipal_user, official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    check_random_spot_checks(by=municipal_user, year=2026, count=2, seed="a")
    client.force_login(municipal_user)
    office_few = count("/municipal/supervision/")
    client.force_login(official)
    district_few = count("/district/supervision/")
    check_random_spot_checks(by=municipal_user, year=2026, count=10, seed="b")
    assert count("/district/supervision/") == district_few
    client.force_login(municipal_user)
    assert count("/municipal/supervision/") == office_few
